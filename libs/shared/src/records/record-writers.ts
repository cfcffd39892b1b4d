import { PassThrough, Transform, TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { parseCopyLine } from '../datasets/snapshot';
import { columnKind, ColumnKind, isNumberKind, RecordColumn } from './column-types';

/**
 * Streaming record writers: rows (arrays of values in column order) in, file bytes out, with
 * backpressure, for any number of rows. CSV and XLSX escape every cell a spreadsheet could read
 * as a formula (CSV/formula injection); JSON keeps values as they are (it is not opened by a
 * spreadsheet), unless asked to escape too.
 */
export const RECORD_FORMATS = ['csv', 'xlsx', 'json'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];
export type CsvEncoding = 'utf-8' | 'gbk';

export type RecordValue = string | number | boolean | null | undefined;

export interface RecordWriterOptions {
  columns: readonly RecordColumn[];
  /** CSV only: UTF-8 with BOM (default, so Excel opens it right) or GBK (unmappable characters become '?'). */
  encoding?: CsvEncoding;
  /** Default true for CSV and XLSX, false for JSON. */
  escapeFormulas?: boolean;
  /** XLSX: rows per worksheet before a new sheet starts (Excel's limit is 1,048,576 with the header). */
  rowsPerSheet?: number;
  /** XLSX: worksheet name. */
  sheetName?: string;
}

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);
const PLAIN_NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * Prefixes a cell that starts with = + - @ tab or CR with an apostrophe, so a spreadsheet shows
 * it as text instead of evaluating it (OWASP CSV injection). Plain numbers (-12.5) are left alone.
 */
export function escapeFormula(value: string): string {
  if (value.length === 0 || !FORMULA_START.has(value[0])) return value;
  if (PLAIN_NUMBER.test(value)) return value;
  return `'${value}`;
}

export function csvCell(value: RecordValue, escape = true): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : String(value);
  if (escape) s = escapeFormula(s);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function contentTypeOf(format: RecordFormat, encoding: CsvEncoding = 'utf-8'): string {
  if (format === 'csv') return `text/csv; charset=${encoding === 'gbk' ? 'GBK' : 'utf-8'}`;
  if (format === 'xlsx') return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  return 'application/json; charset=utf-8';
}

/** A chunk is one row (an array of values) or a batch of rows (an array of arrays). */
function rowsOf(chunk: RecordValue[] | RecordValue[][]): RecordValue[][] {
  return chunk.length > 0 && Array.isArray(chunk[0]) ? (chunk as RecordValue[][]) : [chunk as RecordValue[]];
}

/** Creates the writer: a Transform taking rows, or batches of rows, (object mode) and giving bytes. */
export function createRecordWriter(format: RecordFormat, options: RecordWriterOptions): Transform {
  if (format === 'csv') return csvWriter(options);
  if (format === 'json') return jsonWriter(options);
  return xlsxWriter(options);
}

const BATCH = 64 * 1024;

function csvWriter(o: RecordWriterOptions): Transform {
  const escape = o.escapeFormulas ?? true;
  const gbk = o.encoding === 'gbk';
  const encode = (s: string): Buffer => (gbk ? iconv.encode(s, 'gbk') : Buffer.from(s, 'utf8'));
  let buffer = (gbk ? '' : '\ufeff') + o.columns.map((c) => csvCell(c.name, escape)).join(',') + '\r\n';
  return new Transform({
    writableObjectMode: true,
    transform(chunk: RecordValue[] | RecordValue[][], _enc, done: TransformCallback) {
      for (const row of rowsOf(chunk)) {
        let line = '';
        for (let i = 0; i < row.length; i++) line += (i ? ',' : '') + csvCell(row[i], escape);
        buffer += line + '\r\n';
      }
      if (buffer.length >= BATCH) {
        const out = encode(buffer);
        buffer = '';
        return done(null, out);
      }
      done();
    },
    flush(done) {
      done(null, buffer ? encode(buffer) : undefined);
    },
  });
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

/** A value as JSON text: numbers of numeric columns raw (exact decimals), booleans of boolean columns. */
export function jsonCell(kind: ColumnKind, value: RecordValue, escape = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (isNumberKind(kind) && JSON_NUMBER.test(value)) return value;
  if (kind === 'boolean' && (value === 't' || value === 'f' || value === 'true' || value === 'false')) return value === 't' || value === 'true' ? 'true' : 'false';
  return JSON.stringify(escape ? escapeFormula(value) : value);
}

function jsonWriter(o: RecordWriterOptions): Transform {
  const escape = o.escapeFormulas ?? false;
  const keys = o.columns.map((c) => JSON.stringify(c.name) + ':');
  const kinds = o.columns.map((c) => columnKind(c.type));
  let buffer = '[';
  let first = true;
  return new Transform({
    writableObjectMode: true,
    transform(chunk: RecordValue[] | RecordValue[][], _enc, done) {
      for (const row of rowsOf(chunk)) {
        let s = first ? '\n{' : ',\n{';
        first = false;
        for (let i = 0; i < keys.length; i++) s += (i ? ',' : '') + keys[i] + jsonCell(kinds[i], row[i], escape);
        buffer += s + '}';
      }
      if (buffer.length >= BATCH) {
        const out = buffer;
        buffer = '';
        return done(null, Buffer.from(out, 'utf8'));
      }
      done();
    },
    flush(done) {
      done(null, Buffer.from(buffer + '\n]\n', 'utf8'));
    },
  });
}

function xlsxCell(kind: ColumnKind, value: RecordValue, escape: boolean): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (isNumberKind(kind) && PLAIN_NUMBER.test(value)) {
    const n = Number(value);
    // Excel keeps 15 significant digits: longer numbers stay text rather than being rounded.
    if (Number.isFinite(n) && value.replace(/^[-+]?0*|\.|[eE].*$/g, '').length <= 15) return n;
  }
  if (kind === 'boolean' && (value === 't' || value === 'f')) return value === 't';
  return escape ? escapeFormula(value) : value;
}

/**
 * XLSX through exceljs's streaming WorkbookWriter (inline strings, no styles: flat memory).
 * The zip output is relayed with backpressure: when the reader is slow, the zip stream pauses.
 */
function xlsxWriter(o: RecordWriterOptions): Transform {
  const escape = o.escapeFormulas ?? true;
  const perSheet = o.rowsPerSheet ?? 1_000_000;
  const zip = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: zip, useSharedStrings: false, useStyles: false });
  const kinds = o.columns.map((c) => columnKind(c.type));
  const header = o.columns.map((c) => (escape ? escapeFormula(c.name) : c.name));
  const baseName = (o.sheetName ?? '数据').replace(/[\\/?*[\]:]/g, '_').slice(0, 25) || '数据';
  let sheet: ExcelJS.Worksheet | undefined;
  let sheetRows = 0;
  let sheets = 0;
  const nextSheet = () => {
    sheet?.commit();
    sheets++;
    sheet = workbook.addWorksheet(sheets === 1 ? baseName : `${baseName}${sheets}`);
    sheet.addRow(header).commit();
    sheetRows = 0;
  };

  const out: Transform = new Transform({
    writableObjectMode: true,
    transform(chunk: RecordValue[] | RecordValue[][], _enc, done) {
      try {
        for (const row of rowsOf(chunk)) {
          if (!sheet || sheetRows >= perSheet) nextSheet();
          const values = new Array(row.length);
          for (let i = 0; i < row.length; i++) values[i] = xlsxCell(kinds[i], row[i], escape);
          sheet!.addRow(values).commit();
          sheetRows++;
        }
      } catch (err) {
        return done(err as Error);
      }
      done();
    },
    flush(done) {
      if (!sheet) nextSheet();
      sheet!.commit();
      zip.once('end', () => done());
      workbook.commit().catch((err: Error) => done(err));
    },
  });
  zip.on('data', (chunk: Buffer) => {
    if (!out.push(chunk)) zip.pause();
  });
  zip.on('error', (err) => out.destroy(err));
  const read = out._read.bind(out);
  out._read = (size: number) => {
    zip.resume();
    read(size);
  };
  return out;
}

/**
 * PostgreSQL COPY text out (`COPY (SELECT …) TO STDOUT`) → row arrays, for streaming a whole
 * table into a writer without materialising rows as objects. With `batch`, each chunk is the
 * array of rows of one input chunk (far fewer object-mode hand-offs for big downloads).
 */
export function copyTextToRows(options: { batch?: boolean } = {}): Transform {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, done) {
      const text = rest + decoder.write(chunk);
      let start = 0;
      const rows: (string | null)[][] = [];
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        const row = parseCopyLine(text.slice(start, nl));
        if (options.batch) rows.push(row);
        else this.push(row);
        start = nl + 1;
      }
      rest = text.slice(start);
      if (rows.length) this.push(rows);
      done();
    },
    flush(done) {
      const tail = rest + decoder.end();
      if (tail) this.push(options.batch ? [parseCopyLine(tail)] : parseCopyLine(tail));
      done();
    },
  });
}
