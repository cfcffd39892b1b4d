/**
 * What the 目录确认表 import says when it cannot use a file (a refusal: nothing is imported) or a
 * cell (a problem: the rest of the file is still read, so the user sees every mistake at once).
 */

// The refusal of a whole file moved to @gov/shared (libs/shared/src/xlsx) so that the ingest parser
// reads uploads with the same reader; re-exported here so the catalog's imports stay as they were.
export { WorkbookRejectedError } from '@gov/shared';
export type { WorkbookRejectionCode } from '@gov/shared';

/** One bad cell (or row) of an otherwise readable file. */
export interface WorkbookProblem {
  sheet: string;
  /** 1-based Excel row. */
  row?: number;
  /** Excel column letter, e.g. `K`. */
  column?: string;
  /** The column's header, e.g. `共享类型`. */
  header?: string;
  code: string;
  zh: string;
  en: string;
}
