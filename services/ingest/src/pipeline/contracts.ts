/**
 * The seams of the ingest pipeline: source → parser → validator → loader. Each stage streams
 * (async iterables), so memory stays flat whatever the size of the input.
 */

/** Formats a file or a pulled response can be in. */
export type SourceFormat = 'csv' | 'xlsx' | 'json' | 'ndjson';

/** One data row as read from the source, before validation. */
export interface SourceRecord {
  /** 1-based row number in the source as a user counts it (a CSV's header is row 1, its first record row 2). */
  rowNumber: number;
  /** Cell texts in header order; null for an absent cell. Never coerced: '007' stays '007'. */
  values: (string | null)[];
  /** The original line(s) for the reject file, when the format has lines (CSV/NDJSON). */
  raw?: string;
}

/** A parsed table: its header and its records, streamed. */
export interface ParsedTable {
  format: SourceFormat;
  /** Detected text encoding for text formats, e.g. 'utf-8', 'utf-8-bom', 'gb18030'. */
  encoding?: string;
  /** CSV delimiter actually used. */
  delimiter?: string;
  header: string[];
  records: AsyncIterable<SourceRecord>;
  /**
   * The same records in arrays (a parser's natural unit, e.g. the records of one decoded chunk),
   * for consumers that would otherwise pay one await per row. Optional; iterate either this or
   * `records`, never both. Row problems are reported between batches, in row order.
   */
  batches?: AsyncIterable<SourceRecord[]>;
}

/**
 * A structural problem of a row that the parser could still step over (ragged row, unbalanced
 * quote at end of file…): reported as a reject, the load goes on.
 */
export interface RowProblem {
  rowNumber: number;
  code: string;
  zh: string;
  en: string;
  raw?: string;
}

/** A problem that stops the whole job (empty file, not a workbook, undecodable text…). */
export class SourceError extends Error {
  constructor(
    readonly code: string,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
    this.name = 'SourceError';
  }
}

/** How a catalog data item (信息项) is checked and stored. */
export interface ColumnSpec {
  /** 信息项名称, also the column name of the loaded table. */
  name: string;
  /** Catalog data type C/N/Y/D/T/L/M/G/B/I/F. */
  dataType: string;
  length?: number | null;
  required?: boolean;
  /** Part of the dataset's key (uniqueness, version comparison). */
  key?: boolean;
  /** Format rule derived from the data element or the name. */
  format?: 'uscc' | 'idNumber' | 'mobile' | null;
}

/** A rejected row: the reject file has one line per problem. */
export interface RejectLine {
  rowNumber: number;
  column: string | null;
  code: string;
  reason: string;
  raw: string;
}
