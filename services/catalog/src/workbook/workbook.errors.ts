/**
 * What the 目录确认表 import says when it cannot use a file (a refusal: nothing is imported) or a
 * cell (a problem: the rest of the file is still read, so the user sees every mistake at once).
 */

/** Why a whole file is refused. Stable: the UI and the API clients switch on these. */
export type WorkbookRejectionCode =
  /** Not a zip-based .xlsx at all: CSV, PDF, a legacy .xls (OLE) file, .xlsb, a damaged zip. */
  | 'NOT_A_WORKBOOK'
  /** A password-protected workbook (an OLE container holding an EncryptedPackage). */
  | 'WORKBOOK_ENCRYPTED'
  /** vbaProject.bin, Excel 4.0 macro sheets or a macro-enabled content type. */
  | 'MACRO_NOT_ALLOWED'
  /** Declared or actual inflated size beyond the limit, or an implausible compression ratio. */
  | 'ZIP_BOMB'
  /** The 目录 sheet is missing, or a header row is not the template's. */
  | 'TEMPLATE_MISMATCH'
  /** More data rows than the import accepts. */
  | 'TOO_MANY_ROWS';

export class WorkbookRejectedError extends Error {
  constructor(
    readonly code: WorkbookRejectionCode,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
    this.name = 'WorkbookRejectedError';
  }
}

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
