/**
 * The reject file the provider downloads: UTF-8 CSV with a BOM (so Excel detects the encoding),
 * CRLF line ends, one line per problem: 行号,列,问题代码,原因,原始行. Every cell is escaped for
 * CSV (RFC 4180) and against formula injection (the original line is the provider's own data,
 * but a reject file is opened in a spreadsheet: "=HYPERLINK(…)" must display, not run).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RejectLine, RowProblem } from '../pipeline/contracts';
import { csvField, escapeForSpreadsheet } from './row-validator';

export const REJECT_FILE_COLUMNS = ['行号', '列', '问题代码', '原因', '原始行'] as const;
export const REJECT_FILE_CONTENT_TYPE = 'text/csv; charset=utf-8';
const BOM = '\uFEFF';
const EOL = '\r\n';
/** Characters buffered before a write to the stream. */
const CHUNK = 64 * 1024;

export interface RejectFileOptions {
  /** Lines written at most; further problems are counted, and a last line says how many were left out. */
  maxLines?: number;
}

export interface RejectFileSummary {
  /** Distinct rows with at least one problem. */
  rejectedRows: number;
  /** Problems reported. */
  lines: number;
  /** Problem lines actually in the file (≤ maxLines). */
  writtenLines: number;
  /** Bytes written, BOM and header included. */
  bytes: number;
}

/** A cell as it goes into the file: spreadsheet-safe, then CSV-quoted. */
export function rejectCell(value: string | number | null | undefined): string {
  if (value == null) return '';
  return csvField(escapeForSpreadsheet(String(value)));
}

/** One line of the file, CRLF included. */
function rejectText(line: RejectLine): string {
  return rejectCell(line.rowNumber) + ',' + rejectCell(line.column) + ',' + rejectCell(line.code) + ',' + rejectCell(line.reason) + ',' + rejectCell(line.raw) + EOL;
}

/**
 * Adds lines at the end of a finished reject file (the loader's, for problems found after the
 * COPY), in the same format; returns how many. Back-pressure is honoured: any number of lines.
 */
export async function appendRejectLines(path: string, lines: AsyncIterable<RejectLine>): Promise<number> {
  let n = 0;
  await pipeline(async function* () {
    for await (const line of lines) {
      n++;
      yield rejectText(line);
    }
  }, createWriteStream(path, { flags: 'a' }));
  return n;
}

/** The parser's structural problems (ragged row, stray quote…) as reject lines. */
export function rejectLineOf(problem: RowProblem): RejectLine {
  return { rowNumber: problem.rowNumber, column: null, code: problem.code, reason: problem.zh, raw: problem.raw ?? '' };
}

/**
 * Streams reject lines to `out`, honouring back-pressure. Lines of one row are expected together
 * (consecutive), as the validator returns them: a row counts once however many problems it has.
 */
export class RejectFileWriter {
  /**
   * Lines not yet written, already UTF-8: a line kept as a string would hold on to the whole
   * decoded chunk its raw text and reason were cut from (about 100 KB for every row rejected),
   * and those would pile up in the heap until the next write.
   */
  private pending: Buffer[] = [Buffer.from(BOM + REJECT_FILE_COLUMNS.join(',') + EOL, 'utf8')];
  /** Characters of the lines in `pending` (written once there are CHUNK of them). */
  private pendingChars = 0;
  private rejectedRows = 0;
  private lines = 0;
  private writtenLines = 0;
  private bytes = 0;
  private lastRow: number | null = null;
  private failure: Error | null = null;
  private closed = false;
  private readonly maxLines: number;

  constructor(
    private readonly out: Writable,
    options: RejectFileOptions = {},
  ) {
    this.maxLines = options.maxLines ?? Number.POSITIVE_INFINITY;
    out.on('error', (error: Error) => {
      this.failure ??= error;
    });
  }

  /** Rows rejected so far. */
  get rejectedRowCount(): number {
    return this.rejectedRows;
  }

  /** Adds the problems of one row (or of several, in row order). */
  async write(lines: readonly RejectLine[]): Promise<void> {
    if (this.closed) throw new Error('reject file already closed');
    for (const line of lines) {
      if (line.rowNumber !== this.lastRow) {
        this.rejectedRows++;
        this.lastRow = line.rowNumber;
      }
      this.lines++;
      if (this.writtenLines >= this.maxLines) continue;
      this.writtenLines++;
      this.add(rejectText(line));
    }
    if (this.pendingChars >= CHUNK) await this.flush();
  }

  /** Writes what is buffered, ends the stream, waits until it has finished. */
  async close(): Promise<RejectFileSummary> {
    if (!this.closed) {
      this.closed = true;
      const omitted = this.lines - this.writtenLines;
      if (omitted > 0) {
        this.add(',,' + rejectCell('TRUNCATED') + ',' + rejectCell(`问题过多，已省略其余 ${omitted} 条`) + ',' + EOL);
      }
      await this.flush();
      const finished = once(this.out, 'finish');
      this.out.end();
      await finished;
      this.check();
    }
    return { rejectedRows: this.rejectedRows, lines: this.lines, writtenLines: this.writtenLines, bytes: this.bytes };
  }

  private add(text: string): void {
    this.pending.push(Buffer.from(text, 'utf8'));
    this.pendingChars += text.length;
  }

  private async flush(): Promise<void> {
    this.check();
    if (this.pending.length === 0) return;
    const chunk = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingChars = 0;
    this.bytes += chunk.length;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}

export function createRejectFileWriter(out: Writable, options?: RejectFileOptions): RejectFileWriter {
  return new RejectFileWriter(out, options);
}

/**
 * Whether a version fails: more than `maxShare` (0–1) of its rows rejected. At exactly the share it
 * passes; 0 means any reject fails the version; an empty version never exceeds.
 */
export function rejectShareExceeded(rejected: number, total: number, maxShare: number): boolean {
  if (!(maxShare >= 0 && maxShare <= 1)) throw new RangeError(`maxShare must be between 0 and 1, got ${maxShare}`);
  if (total <= 0) return false;
  return rejected / total > maxShare;
}
