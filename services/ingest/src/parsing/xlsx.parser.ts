/**
 * An .xlsx worksheet as a streamed ParsedTable, read with the shared upload reader
 * (`@gov/shared`, libs/shared/src/xlsx): zip checks and bounded inflation first, then SAX row by
 * row straight from the inflating sheet entry. Rows are pulled as the consumer iterates (the
 * inflation waits while 2,000 parsed rows are unconsumed), so a large sheet is never held whole;
 * the compressed file and the shared-strings table are (they have to be: the zip's directory is at
 * its end, and any cell may point at any shared string).
 *
 * - Sheet: the first visible one, or `sheetName`.
 * - Header: the first non-empty row, except that title rows above a table are skipped: among the
 *   first 10 non-empty rows, the header is the first with at least half as many filled cells as
 *   the fullest of them (a one-cell 标题 row over a 6-column table is not the header). `headerRow`
 *   forces it. Names trimmed; empty names at the end dropped.
 * - Cells: shared and inline strings as they are (not trimmed; Excel's `_x000D_` escapes decoded); numbers as stored, with at most 15
 *   significant digits (Excel's precision: `0.30000000000000004` → `0.3`), zero-padded where the
 *   format is all zeros (`000000` → `007310`) and with fixed decimals where the format has them
 *   (`0.00` → `3000.00`); no thousands separators, percent or currency signs; numbers in a date
 *   format as ISO dates (`2023-05-04`, `2023-05-04T08:30:00` with a time, `08:30:00` for a time
 *   alone); booleans `TRUE`/`FALSE`; formulas as their cached value (null when the file has none);
 *   error cells as their text (`#N/A`). Missing cells are null.
 * - `rowNumber` is the sheet's row number. Empty rows are skipped. A row with a filled cell to the
 *   right of the header's last column is a row problem (`TOO_MANY_FIELDS`).
 * - Refusals (SourceError, codes of the shared reader where it decides): `NOT_A_WORKBOOK`,
 *   `WORKBOOK_ENCRYPTED`, `MACRO_NOT_ALLOWED`, `ZIP_BOMB`, `EXTERNAL_LINKS_NOT_ALLOWED`,
 *   `SHEET_NOT_FOUND`, `EMPTY_FILE`, `FILE_TOO_LARGE`.
 */
import { readFile, stat } from 'node:fs/promises';
import {
  CellValue,
  DEFAULT_XLSX_LIMITS,
  CellStyle,
  isDateStyle,
  readCellStyles,
  readSharedStrings,
  readSheetRows,
  readWorkbookStructure,
  SheetContext,
  SheetRow,
  WorkbookRejectedError,
  XlsxPackage,
} from '@gov/shared';
import type { RowProblem, SourceRecord } from '../pipeline/contracts';
import { SourceError } from '../pipeline/contracts';
import { ByteInput, ByteReader } from './byte-source';
import { ParsedSource, ProblemSink, XlsxOptions } from './parsing.types';

const MiB = 1024 * 1024;
const DEFAULT_MAX_FILE = 200 * MiB;
/** Parsed rows waiting for the consumer before the inflation pauses. */
const HIGH_WATER_ROWS = 2_000;
const HEADER_LOOKAHEAD = 10;

function fromRejection(error: unknown): unknown {
  if (error instanceof WorkbookRejectedError) return new SourceError(error.code, error.zh, error.en);
  return error;
}

// ---------------------------------------------------------------- number formats

/** Built-in number formats that matter for the text of a number (ECMA-376 18.8.30). */
const BUILTIN_FORMATS: Record<number, string> = { 1: '0', 2: '0.00', 3: '#,##0', 4: '#,##0.00', 9: '0%', 10: '0.00%', 11: '0.00E+00', 49: '@' };

/** A style's number format code (undefined for General). */
function numberFormatOf(style: CellStyle): string | undefined {
  return style.customFormat ?? BUILTIN_FORMATS[style.numFmtId];
}

/** A stored number as text: see the file comment. */
export function numberText(raw: string, format?: string): string {
  const n = Number(raw);
  if (!Number.isFinite(n)) return raw;
  if (format) {
    const section = format.split(';')[0].replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '').trim();
    if (/^0+$/.test(section) && Number.isInteger(n) && n >= 0 && n < 1e15) return String(n).padStart(section.length, '0');
    const fixed = /^(?:#,##)?0\.(0+)$/.exec(section);
    if (fixed && Math.abs(n) < 1e15) return n.toFixed(fixed[1].length);
  }
  let digits = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 69 || c === 101) break;
  }
  if (digits <= 15 && !/[eE]/.test(raw)) return raw;
  const rounded = Number(n.toPrecision(15));
  return Math.abs(rounded) < 1e21 && Math.abs(rounded) >= 1e-6 ? String(rounded).replace(/e\+?/, 'E') : String(rounded);
}

/** Excel's escapes in strings (ST_Xstring): `_x000D_` is a CR, `_x005F_` an underscore. */
export function decodeXString(text: string): string {
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const MS_PER_DAY = 86_400_000;
const dateCache = new Map<number, string>();
const pad2 = (v: number) => (v < 10 ? `0${v}` : String(v));

/** An Excel serial date-time as ISO 8601 (date, date and time, or time alone). */
export function excelSerialToIso(serial: number, date1904 = false): string | undefined {
  if (!Number.isFinite(serial) || serial < 0 || serial > 2_958_466) return undefined;
  const totalSeconds = Math.round(serial * 86_400);
  let days = Math.floor(totalSeconds / 86_400);
  const seconds = totalSeconds - days * 86_400;
  const time = `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor((seconds % 3600) / 60))}:${pad2(seconds % 60)}`;
  if (days === 0 && seconds > 0 && !date1904) return time;
  // 1900 system: serial 1 is 1900-01-01 and Lotus's phantom 1900-02-29 is serial 60
  let epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  if (!date1904 && days < 61) {
    epoch = Date.UTC(1899, 11, 31);
    if (days === 60) days = 59;
  }
  const key = date1904 ? -days - 1 : days;
  let date = dateCache.get(key);
  if (date === undefined) {
    date = new Date(epoch + days * MS_PER_DAY).toISOString().slice(0, 10);
    if (dateCache.size > 50_000) dateCache.clear();
    dateCache.set(key, date);
  }
  return seconds === 0 ? date : `${date}T${time}`;
}

/** The text of a cell value (see the file comment); null for an empty cell or a formula without a cached value. */
export function cellText(v: CellValue | undefined, format: string | undefined, date1904: boolean): string | null {
  if (!v) return null;
  switch (v.kind) {
    case 'string':
      return v.text.includes('_x') ? decodeXString(v.text) : v.text;
    case 'number':
      return numberText(v.text, format);
    case 'date': {
      const serial = Number(v.text);
      return Number.isFinite(serial) ? (excelSerialToIso(serial, date1904) ?? v.text) : v.text;
    }
    case 'boolean':
      return v.value ? 'TRUE' : 'FALSE';
    case 'error':
      return v.text;
  }
}

// ---------------------------------------------------------------- rows with backpressure

const CANCELLED = new Error('cancelled');

/** The sheet's rows, read only as fast as they are consumed. */
function streamRows(pkg: XlsxPackage, path: string, ctx: SheetContext): AsyncGenerator<SheetRow> & { stop(): Promise<void> } {
  const queue: SheetRow[] = [];
  let head = 0;
  let done = false;
  let failure: unknown;
  let cancelled = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  let started = false;
  let producer: Promise<void> | undefined;

  const gated = Object.create(pkg) as XlsxPackage;
  gated.chunks = async function* (part: string) {
    for await (const chunk of pkg.chunks(part)) {
      while (!cancelled && queue.length - head >= HIGH_WATER_ROWS) await new Promise<void>((resolve) => (wakeProducer = resolve));
      if (cancelled) throw CANCELLED;
      yield chunk;
    }
  };
  const start = () => {
    started = true;
    producer = readSheetRows(gated, path, ctx, (row) => {
      queue.push(row);
      const wake = wakeConsumer;
      wakeConsumer = undefined;
      wake?.();
    }).then(
      () => {
        done = true;
        wakeConsumer?.();
      },
      (error: unknown) => {
        if (error !== CANCELLED) failure = error;
        done = true;
        wakeConsumer?.();
      },
    );
  };

  async function* rows(): AsyncGenerator<SheetRow> {
    if (!started) start();
    for (;;) {
      if (head < queue.length) {
        const row = queue[head++];
        if (head >= 4096) {
          queue.splice(0, head);
          head = 0;
        }
        if (wakeProducer && queue.length - head < HIGH_WATER_ROWS / 2) {
          const wake = wakeProducer;
          wakeProducer = undefined;
          wake();
        }
        yield row;
        continue;
      }
      if (done) {
        if (failure) throw fromRejection(failure);
        return;
      }
      if (wakeProducer) {
        const wake = wakeProducer;
        wakeProducer = undefined;
        wake();
      }
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
  }
  const generator = rows() as AsyncGenerator<SheetRow> & { stop(): Promise<void> };
  generator.stop = async () => {
    cancelled = true;
    const wake = wakeProducer;
    wakeProducer = undefined;
    wake?.();
    await producer?.catch(() => undefined);
  };
  return generator;
}

// ---------------------------------------------------------------- the parser

async function loadInput(input: Buffer | string | ByteInput | ByteReader, maxBytes: number): Promise<Buffer> {
  if (Buffer.isBuffer(input)) return input;
  if (typeof input === 'string') {
    const info = await stat(input);
    if (info.size > maxBytes)
      throw new SourceError('FILE_TOO_LARGE', `Excel 文件超过 ${Math.round(maxBytes / MiB)} MB，请拆分后上传，或另存为 CSV`, `The workbook is larger than ${maxBytes} bytes`);
    return readFile(input);
  }
  return ByteReader.from(input).readAll(maxBytes);
}

/** Refuses workbooks that link to other files (`xl/externalLinks/`): their cached values are someone else's data. */
async function refuseExternalLinks(pkg: XlsxPackage): Promise<void> {
  const linked = pkg.partNames().some((name) => name.startsWith('xl/externallinks/'));
  const contentTypes = linked ? '' : ((await pkg.text('[Content_Types].xml')) ?? '');
  if (linked || /spreadsheetml\.externalLink\+xml/i.test(contentTypes))
    throw new SourceError(
      'EXTERNAL_LINKS_NOT_ALLOWED',
      '工作簿包含指向其他文件的外部链接（xl/externalLinks），平台不读取含外部链接的工作簿。请在 Excel 中"数据 → 编辑链接 → 断开链接"，再另存为 .xlsx 或 CSV 后重新上传',
      'The workbook has external links (xl/externalLinks); break the links and save it again',
    );
}

function nonEmptyCount(texts: (string | null)[]): number {
  let n = 0;
  for (const t of texts) if (t !== null && t !== '') n++;
  return n;
}

/** Reads the first (or the named) worksheet of an .xlsx file: a Buffer, a file path or a stream. */
export async function parseXlsx(input: Buffer | string | ByteInput | ByteReader, opts: XlsxOptions = {}): Promise<ParsedSource> {
  const buffer = await loadInput(input, opts.maxFileBytes ?? DEFAULT_MAX_FILE);
  let pkg: XlsxPackage;
  try {
    pkg = await XlsxPackage.open(buffer, opts.limits ?? DEFAULT_XLSX_LIMITS);
  } catch (error) {
    throw fromRejection(error);
  }
  let rows: ReturnType<typeof streamRows>;
  let sheetName: string;
  let ctx: SheetContext;
  let formats: (string | undefined)[];
  try {
    await refuseExternalLinks(pkg);
    const structure = await readWorkbookStructure(pkg);
    const visible = structure.sheets.filter((s) => s.state === 'visible');
    const wanted = opts.sheetName?.trim();
    const sheet = wanted
      ? (structure.sheets.find((s) => s.name === wanted) ?? structure.sheets.find((s) => s.name.trim().toLowerCase() === wanted.toLowerCase()))
      : (visible[0] ?? structure.sheets[0]);
    if (!sheet) {
      if (wanted)
        throw new SourceError('SHEET_NOT_FOUND', `工作簿中没有名为"${wanted}"的工作表。现有工作表：${structure.sheets.map((s) => s.name).join('、') || '（无）'}`, `No sheet named "${wanted}"`);
      throw new SourceError('EMPTY_FILE', '工作簿中没有工作表', 'The workbook has no worksheet');
    }
    if (!pkg.has(sheet.path)) throw new SourceError('NOT_A_WORKBOOK', `损坏的工作簿：找不到工作表"${sheet.name}"的内容`, `A damaged workbook: the part of sheet "${sheet.name}" is missing`);
    sheetName = sheet.name;
    const sharedStrings = await readSharedStrings(pkg, structure.sharedStringsPath);
    const styles = await readCellStyles(pkg, structure.stylesPath);
    const dateStyles = styles.map(isDateStyle);
    formats = styles.map(numberFormatOf);
    ctx = { sharedStrings, dateStyles, date1904: structure.date1904 };
    rows = streamRows(pkg, sheet.path, ctx);
  } catch (error) {
    pkg.close();
    throw fromRejection(error);
  }

  const date1904 = ctx.date1904;
  const rowTexts = (row: SheetRow): (string | null)[] => {
    const out: (string | null)[] = [];
    for (const cell of row.cells) {
      while (out.length < cell.col) out.push(null);
      out[cell.col] = cellText(cell.value, formats[cell.style], date1904);
    }
    return out;
  };

  const sink = new ProblemSink(opts.onProblem);
  let header: string[] | undefined;
  let headerRowNumber = 0;
  const early: { row: number; texts: (string | null)[] }[] = [];
  try {
    // header: look ahead over the first non-empty rows (next(), not for-await: a break would end the generator)
    for (let next = await rows.next(); !next.done; next = await rows.next()) {
      const row = next.value;
      const t = rowTexts(row);
      if (opts.headerRow !== undefined) {
        if (row.row < opts.headerRow) continue;
        if (row.row > opts.headerRow || nonEmptyCount(t) === 0)
          throw new SourceError('EMPTY_FILE', `第 ${opts.headerRow} 行是空的，不能作为表头`, `Row ${opts.headerRow} is empty`);
        early.push({ row: row.row, texts: t });
        break;
      }
      if (nonEmptyCount(t) === 0) continue;
      early.push({ row: row.row, texts: t });
      if (early.length >= HEADER_LOOKAHEAD) break;
    }
  } catch (error) {
    await rows.stop();
    pkg.close();
    throw fromRejection(error);
  }
  if (early.length === 0) {
    await rows.stop();
    pkg.close();
    throw new SourceError('EMPTY_FILE', `工作表"${sheetName}"是空的（没有表头，也没有数据）`, `Sheet "${sheetName}" is empty`);
  }
  const counts = early.map((e) => nonEmptyCount(e.texts));
  const most = Math.max(...counts);
  const threshold = most <= 2 ? 1 : Math.ceil(most / 2);
  const headerIndex = counts.findIndex((c) => c >= threshold);
  const headerRow = early[headerIndex];
  header = headerRow.texts.map((t) => (t ?? '').trim());
  while (header.length > 0 && header[header.length - 1] === '') header.length--;
  headerRowNumber = headerRow.row;
  const width = header.length;

  type Item = SourceRecord | { problem: RowProblem };
  let lastRow = headerRowNumber;
  const toItem = (rowNumber: number, t: (string | null)[]): Item | undefined => {
    // rows missing from the sheet XML are empty rows too
    for (let gap = rowNumber - lastRow - 1; gap > 0; gap--) sink.blank();
    lastRow = rowNumber;
    if (nonEmptyCount(t) === 0) {
      sink.blank();
      return undefined;
    }
    sink.settleBlank();
    if (t.length > width) {
      for (let k = width; k < t.length; k++) {
        if (t[k] !== null && t[k] !== '') {
          return {
            problem: {
              rowNumber,
              code: 'TOO_MANY_FIELDS',
              zh: `第 ${rowNumber} 行在表头范围之外（第 ${k + 1} 列）还有内容，该行已跳过`,
              en: `Row ${rowNumber} has a value in column ${k + 1}, right of the header`,
              raw: t.map((v) => v ?? '').join('\t'),
            },
          };
        }
      }
      t.length = width;
    }
    while (t.length < width) t.push(null);
    return { rowNumber, values: t };
  };

  async function* records(): AsyncGenerator<SourceRecord> {
    try {
      for (const e of early.slice(headerIndex + 1)) {
        const item = toItem(e.row, e.texts);
        if (!item) continue;
        if ('problem' in item) sink.report(item.problem);
        else yield item;
      }
      early.length = 0;
      for await (const row of rows) {
        const item = toItem(row.row, rowTexts(row));
        if (!item) continue;
        if ('problem' in item) sink.report(item.problem);
        else yield item;
      }
    } catch (error) {
      throw fromRejection(error);
    } finally {
      await rows.stop();
      pkg.close();
    }
  }

  return sink.attach({ format: 'xlsx' as const, header, headerRowNumber, sheetName, records: records() });
}
