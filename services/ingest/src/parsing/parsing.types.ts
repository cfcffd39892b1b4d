/**
 * Additions to the pipeline contracts (`../pipeline/contracts.ts`) made by the parsers in this
 * folder. `SourceRecord`, `ParsedTable`, `RowProblem` and `SourceError` are used as they are; what
 * is added is how row problems travel beside the records:
 *
 * - Every parser returns a `ParsedSource`, which is a `ParsedTable` plus `problems` and
 *   `problemCount`, and takes an optional `onProblem` callback.
 * - A row that has a problem is NOT yielded as a record: it is reported once as a `RowProblem`
 *   (with its `raw` text) and the parse goes on. The loader writes it to the reject file.
 * - Problems come in row order, interleaved with the records: `onProblem` is called synchronously
 *   while the consumer iterates `records`, before the next record is yielded (so a problem with row
 *   57 arrives after record 56 and before record 58). A problem found at the end of the file (a
 *   quote that never closes) arrives before the iteration ends.
 * - `problems` keeps the first `MAX_KEPT_PROBLEMS` of them in memory for callers that do not pass
 *   a callback (tests, previews); `problemCount` counts all of them.
 * - Anything that stops the whole file is thrown as a `SourceError`: from the parse function itself
 *   (empty file, wrong format, zip bomb, undecodable text…) or, for a defect found later while
 *   streaming (an unbalanced quote that swallowed more than `maxLineBytes`), from the iteration.
 */
import type { ParsedTable, RowProblem, SourceFormat } from '../pipeline/contracts';
import type { XlsxLimits } from '@gov/shared';

export const MAX_KEPT_PROBLEMS = 1_000;

/** Text encodings the parsers read. GB18030 is a superset of GBK and GB2312. */
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030' | 'utf-16le' | 'utf-16be';

export interface ParseOptions {
  /** Called for every row problem, in row order, while `records` is iterated. */
  onProblem?: (problem: RowProblem) => void;
  /**
   * Longest record (CSV) or line (NDJSON) or array element (JSON), in decoded characters; default
   * 10 MiB. A longer one is a `LINE_TOO_LONG` row problem (a header that long: a SourceError);
   * its content is not kept, so memory stays bounded.
   */
  maxLineBytes?: number;
  /** Most cells a row may have (CSV); default 16,384, Excel's column limit. */
  maxFieldCount?: number;
}

export interface CsvOptions extends ParseOptions {
  /** Forces the delimiter; otherwise sniffed among `,` `;` tab `|` (an Excel `sep=` line wins). */
  delimiter?: string;
  /** Forces the encoding (`utf-8`, `gbk`, `gb2312`, `gb18030`, `utf-16le`…); otherwise detected. */
  encoding?: string;
}

export interface JsonOptions extends ParseOptions {
  /** How many objects the header (the union of their keys) is taken from; default 1,000. */
  headerSampleSize?: number;
  /** Dotted key path of the records array inside a top-level object, e.g. `result.records`. */
  recordsPath?: string;
  /** Forces the encoding; otherwise detected like CSV (JSON should be UTF-8; portals also send GBK). */
  encoding?: string;
}

export interface XlsxOptions extends ParseOptions {
  /** Sheet to read; default the first visible sheet. */
  sheetName?: string;
  /** 1-based row of the header; default the first non-empty row (title rows above it skipped). */
  headerRow?: number;
  /** Zip-bomb limits; default `DEFAULT_XLSX_LIMITS` of the shared reader. */
  limits?: XlsxLimits;
  /** Largest .xlsx file read (compressed bytes held in memory); default 200 MiB. */
  maxFileBytes?: number;
}

export type OpenTableOptions = CsvOptions & JsonOptions & XlsxOptions;

/** A `ParsedTable` with the row-problem channel described above. */
export interface ParsedSource extends ParsedTable {
  format: SourceFormat;
  /** The first `MAX_KEPT_PROBLEMS` row problems, filled as `records` is iterated. */
  problems: RowProblem[];
  /** All row problems so far. */
  problemCount: number;
  /**
   * Blank rows skipped between the header and the last record (a CSV line with no cell or only
   * empty cells, an empty sheet row); blank rows at the end do not count. Not row problems: source
   * rows = records + problems + blank rows (+ the header and any rows above it).
   */
  blankRowCount: number;
  /** 1-based row (line, sheet row) the header was read from; 0 for JSON/NDJSON (keys, no header row). */
  headerRowNumber: number;
  /** XLSX: the sheet read. */
  sheetName?: string;
  /**
   * JSON/NDJSON: the object keys behind `header`, same order. They differ from `header` only when
   * the file carried a field dictionary (the Shandong portal's `[{"name_cn","name_en"}…]` line),
   * whose Chinese names are then used as the header.
   */
  sourceKeys?: string[];
}

/** Collects problems for a ParsedSource and forwards them to the caller's callback. */
export class ProblemSink {
  readonly kept: RowProblem[] = [];
  count = 0;

  constructor(private readonly callback?: (problem: RowProblem) => void) {}

  report(problem: RowProblem): void {
    this.count++;
    if (this.kept.length < MAX_KEPT_PROBLEMS) this.kept.push(problem);
    this.callback?.(problem);
  }

  /** Wires `problems` and `problemCount` of a table to this sink. */
  /** Blank rows seen since the last record or problem; they count only if a record follows. */
  pendingBlank = 0;
  blankRows = 0;

  blank(): void {
    this.pendingBlank++;
  }

  /** A record or a problem was read (call when it is read, not when it is consumed): the blank rows before it were inside the table. */
  settleBlank(): void {
    if (this.pendingBlank > 0) {
      this.blankRows += this.pendingBlank;
      this.pendingBlank = 0;
    }
  }

  /** Wires `problems`, `problemCount` and `blankRowCount` of a table to this sink. */
  attach<T extends Omit<ParsedSource, 'problems' | 'problemCount' | 'blankRowCount'>>(table: T): T & ParsedSource {
    const sink = this;
    return Object.defineProperties(table, {
      problems: { get: () => sink.kept, enumerable: true },
      problemCount: { get: () => sink.count, enumerable: true },
      blankRowCount: { get: () => sink.blankRows, enumerable: true },
    }) as T & ParsedSource;
  }
}

export const DEFAULT_MAX_LINE = 10 * 1024 * 1024;
export const DEFAULT_MAX_FIELDS = 16_384;
/** How much of a row's original text is kept in `raw`. */
export const RAW_MAX_CHARS = 2_000;

export function boundedRaw(text: string): string {
  return text.length > RAW_MAX_CHARS ? text.slice(0, RAW_MAX_CHARS) : text;
}
