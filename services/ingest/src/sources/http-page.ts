import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { ParsedTable } from '../pipeline/contracts';
import { CsvDecodeError, readCsvLite } from './csv-lite';
import { checkEndpointUrl, HostPolicy } from './host-policy';
import { guardedRequest, GuardedResponse, requestError } from './http-request';
import { cellText, isJsonObject, JsonObject, JsonSyntaxError, JsonValue, parseJsonText, spanOf, valueAt } from './json-text';
import { redactUrl } from './redact';
import { SourceErrors } from './source-errors';

/** What an HTTP endpoint of a department is and how to read one of its pages. */
export interface HttpEndpointConfig {
  url: string;
  method?: 'GET' | 'POST';
  /** Sent with every request; secret values come decrypted from the credential cipher. Never logged. */
  headers?: Record<string, string>;
  /** Extra query parameters (an appKey, a fixed filter); secret values allowed, never logged. */
  query?: Record<string, string>;
  /** JSON body of a POST; paging parameters are merged into it when `paramsIn` is 'body'. */
  body?: Record<string, unknown>;
  /** Where paging (and proxy filter) parameters go; default 'query'. */
  paramsIn?: 'query' | 'body';
  format: 'json' | 'csv' | 'ndjson';
  /** Dotted path of the record array in a JSON answer, e.g. 'data.records'; default: the answer itself. */
  recordsPath?: string;
  /**
   * Business status check for APIs that answer HTTP 200 with an error inside, e.g.
   * `{ path: 'code', equals: 0, messagePath: 'msg' }`; a page that fails it is PULL_API_ERROR.
   */
  successWhen?: { path: string; equals: string | number | boolean; messagePath?: string };
  /** Text encoding of CSV/NDJSON answers; default from the Content-Type charset, else UTF-8. */
  encoding?: 'utf-8' | 'gb18030';
  /** CSV delimiter, default ','. */
  delimiter?: string;
  /** Deadline of one request (connect, headers and body), default 30 s. */
  timeoutMs?: number;
  /** Bytes all pages together may have; default 512 MiB. */
  maxBytes?: number;
  /** Bytes one JSON/NDJSON page may have (it is held in memory while read); default 64 MiB. */
  maxPageBytes?: number;
}

/**
 * The injectable CSV parser: services/ingest/src/parsing's `parseCsv(input, options)` fits as
 * `(body, hints) => parseCsv(body, { ...hints, onProblem })`. `hints` carries the configured
 * encoding (else the Content-Type charset) and delimiter, when known. It is called once per page;
 * the row numbers of its problems are page-local.
 */
export type CsvParser = (body: Readable, hints: { encoding?: string; delimiter?: string }) => Promise<ParsedTable>;

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
export const DEFAULT_MAX_PAGE_BYTES = 64 * 1024 * 1024;

export interface PageContext {
  policy?: HostPolicy;
  parseCsv?: CsvParser;
  /** Bytes still allowed for the whole pull; decremented as bodies stream. */
  budget: { left: number; limit: number };
}

export interface PageRow {
  values: (string | null)[];
  raw?: string;
}

/** One fetched page. JSON pages are read whole; CSV pages stream. */
export interface FetchedPage {
  /** Column names this page brings (JSON: keys of its records in first-seen order; CSV: its header row). */
  header: string[];
  /** The page's rows laid out in `header` order (the first page's header for later pages). */
  rows(header: string[], pageNumber: number): AsyncIterable<PageRow>;
  /** Number of records, known up front for JSON/NDJSON. */
  count?: number;
  cursor?: string | null;
  total?: number | null;
  /** Digest of the body, to notice an endpoint that ignores the paging parameters. */
  digest?: string;
  encoding?: string;
  delimiter?: string;
  /** Releases the connection of a page whose rows will not be read. */
  close(): Promise<void>;
}

export type ParamValue = string | number;

export async function fetchPage(cfg: HttpEndpointConfig, params: Record<string, ParamValue>, ctx: PageContext, extract: { cursorPath?: string; totalPath?: string } = {}): Promise<FetchedPage> {
  const method = cfg.method ?? 'GET';
  const url = checkEndpointUrl(cfg.url, ctx.policy);
  for (const [k, v] of Object.entries(cfg.query ?? {})) url.searchParams.set(k, v);
  const inBody = method === 'POST' && cfg.paramsIn === 'body';
  if (!inBody) for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  let body: string | undefined;
  if (method === 'POST' && (cfg.body || inBody)) body = JSON.stringify({ ...(cfg.body ?? {}), ...(inBody ? params : {}) });

  const buffered = cfg.format !== 'csv';
  const timeoutMs = cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pageLimit = buffered ? Math.min(cfg.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES, ctx.budget.left) : ctx.budget.left;
  if (ctx.budget.left <= 0) throw SourceErrors.tooLarge(redactUrl(url), ctx.budget.limit);
  // A message names the configured limit, not what was left of it.
  const tooLargeLimit = pageLimit === ctx.budget.left ? ctx.budget.limit : pageLimit;
  const res = await guardedRequest({
    url,
    method,
    headers: mergeHeaders({ accept: ACCEPT[cfg.format], 'user-agent': 'govdata-ingest' }, cfg.headers),
    body,
    timeoutMs,
    maxBytes: pageLimit,
    reportedLimit: tooLargeLimit,
    policy: ctx.policy,
  });
  const where = redactUrl(res.url);
  try {
    if (res.status < 200 || res.status > 299) throw SourceErrors.httpError(where, res.status);
    checkMediaType(res, cfg.format, where);
  } catch (err) {
    await res.discard();
    throw err;
  }
  const counted = countBytes(res.body, ctx.budget, where);

  if (res.status === 204) {
    await res.discard();
    return { header: [], rows: async function* () {}, count: 0, cursor: null, close: async () => undefined };
  }

  if (!buffered) return csvPage(cfg, counted, res, where, ctx);

  // JSON and NDJSON: the whole page in memory (bounded by maxPageBytes).
  let bytes: Buffer;
  try {
    const chunks: Buffer[] = [];
    for await (const c of counted) chunks.push(c);
    bytes = Buffer.concat(chunks);
  } catch (err) {
    throw requestError(err, where, timeoutMs);
  }
  const text = decodeText(bytes, cfg.encoding ?? charsetEncoding(res.charset) ?? 'utf-8', where);
  sniffHtml(text, where);
  const digest = createHash('sha1').update(bytes).digest('hex');
  const objects = cfg.format === 'ndjson' ? ndjsonRecords(text, where) : jsonRecords(text, cfg, where, extract);
  const header = keysOf(objects.records);
  return {
    header,
    count: objects.records.length,
    cursor: objects.cursor,
    total: objects.total,
    digest,
    encoding: cfg.encoding ?? charsetEncoding(res.charset) ?? 'utf-8',
    close: async () => undefined,
    rows: async function* (layout: string[]) {
      for (const r of objects.records) yield { values: layout.map((k) => cellText(r.value[k])), raw: r.raw };
    },
  };
}

const ACCEPT: Record<HttpEndpointConfig['format'], string> = {
  json: 'application/json, text/json;q=0.9, */*;q=0.1',
  ndjson: 'application/x-ndjson, application/jsonl, application/json;q=0.9, */*;q=0.1',
  csv: 'text/csv, text/plain;q=0.9, */*;q=0.1',
};

function checkMediaType(res: GuardedResponse, format: HttpEndpointConfig['format'], where: string): void {
  const t = res.mediaType;
  if (!t) return;
  if (t === 'text/html' || t === 'application/xhtml+xml') throw SourceErrors.notData(where, `Content-Type ${t}`);
  if (/^(image|audio|video|font)\//.test(t) || t === 'application/pdf' || t === 'application/zip')
    throw SourceErrors.notData(where, `Content-Type ${t}`);
  if (format !== 'csv' && /(^|[/+])xml$/.test(t)) throw SourceErrors.notData(where, `Content-Type ${t}, expected JSON`);
  if (format === 'csv' && /(^|[/+])json$/.test(t)) throw SourceErrors.notData(where, `Content-Type ${t}, expected CSV`);
}

const HTML_START = /^\s*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|\?xml)/i;

function sniffHtml(text: string, where: string): void {
  const head = text.slice(0, 1024).replace(/^(\uFEFF|\u00EF\u00BB\u00BF)/, '');
  if (HTML_START.test(head) || /^\s*<!doctype/i.test(head)) throw SourceErrors.notData(where, 'HTML');
}

function charsetEncoding(charset: string | undefined): 'utf-8' | 'gb18030' | undefined {
  if (!charset) return undefined;
  if (/^(gb2312|gbk|gb18030|cp936|x-gbk)$/.test(charset)) return 'gb18030';
  if (/^utf-?8$/.test(charset)) return 'utf-8';
  return undefined;
}

function decodeText(bytes: Buffer, encoding: string, where: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    // An HTML error page in another encoding is still an HTML error page.
    sniffHtml(bytes.subarray(0, 1024).toString('latin1'), where);
    throw SourceErrors.badEncoding(where);
  }
}

async function* countBytes(body: AsyncIterable<Buffer>, budget: PageContext['budget'], where: string): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    budget.left -= chunk.length;
    if (budget.left < 0) throw SourceErrors.tooLarge(where, budget.limit);
    yield chunk;
  }
}

interface JsonRecord {
  value: JsonObject;
  raw?: string;
}

function parseOrFail(text: string, where: string, line?: number): JsonValue {
  try {
    return parseJsonText(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      if (/^\s*</.test(text)) throw SourceErrors.notData(where, 'markup');
      throw SourceErrors.badJson(where, line ? `line ${line}: ${err.message}` : err.message);
    }
    throw err;
  }
}

function jsonRecords(
  text: string,
  cfg: HttpEndpointConfig,
  where: string,
  extract: { cursorPath?: string; totalPath?: string },
): { records: JsonRecord[]; cursor?: string | null; total?: number | null } {
  if (!text.trim()) throw SourceErrors.badJson(where, 'empty body');
  const doc = parseOrFail(text, where);
  if (cfg.successWhen) {
    const got = valueAt(doc, cfg.successWhen.path);
    if (cellText(got) !== String(cfg.successWhen.equals)) {
      const message = cfg.successWhen.messagePath ? cellText(valueAt(doc, cfg.successWhen.messagePath)) : null;
      throw SourceErrors.apiError(where, `${cfg.successWhen.path}=${cellText(got) ?? 'null'}${message ? ` ${truncate(message, 200)}` : ''}`);
    }
  }
  const at = valueAt(doc, cfg.recordsPath);
  let list: JsonValue[];
  if (at === null) list = [];
  else if (Array.isArray(at)) list = at;
  else if (at === undefined) throw SourceErrors.badJson(where, `no value at ${cfg.recordsPath}`);
  else if (!cfg.recordsPath && isJsonObject(at))
    throw SourceErrors.badJson(where, 'the answer is an object: set recordsPath to its array of records (e.g. data.records)');
  else throw SourceErrors.badJson(where, `${cfg.recordsPath || 'the answer'} is not an array of records`);
  const records = list.map((value, i) => {
    if (!isJsonObject(value)) throw SourceErrors.badJson(where, `record ${i + 1} is not an object`);
    const span = spanOf(value);
    return { value, raw: span ? boundRaw(text.slice(span[0], span[1])) : undefined };
  });
  const cursor = extract.cursorPath ? cellText(valueAt(doc, extract.cursorPath)) : undefined;
  let total: number | null | undefined;
  if (extract.totalPath) {
    const t = cellText(valueAt(doc, extract.totalPath));
    total = t !== null && /^\d+$/.test(t) ? Number(t) : null;
  }
  return { records, cursor, total };
}

function ndjsonRecords(text: string, where: string): { records: JsonRecord[]; cursor?: string | null; total?: number | null } {
  const records: JsonRecord[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const value = parseOrFail(line, where, i + 1);
    if (!isJsonObject(value)) throw SourceErrors.badJson(where, `line ${i + 1} is not a JSON object`);
    records.push({ value, raw: boundRaw(line) });
  }
  return { records };
}

function keysOf(records: JsonRecord[]): string[] {
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r.value)) seen.add(k);
  return [...seen];
}

async function csvPage(cfg: HttpEndpointConfig, body: AsyncIterable<Buffer>, res: GuardedResponse, where: string, ctx: PageContext): Promise<FetchedPage> {
  const sniffed = await peekNotHtml(body, where);
  const encoding = cfg.encoding ?? charsetEncoding(res.charset);
  let table: ParsedTable;
  try {
    table = ctx.parseCsv
      ? await ctx.parseCsv(Readable.from(sniffed), { ...(encoding ? { encoding } : {}), ...(cfg.delimiter ? { delimiter: cfg.delimiter } : {}) })
      : await readCsvLite(sniffed, { encoding, delimiter: cfg.delimiter });
  } catch (err) {
    await res.discard();
    throw mapCsvError(err, where, cfg);
  }
  const header = table.header;
  return {
    header,
    encoding: table.encoding,
    delimiter: table.delimiter,
    close: () => res.discard(),
    rows: async function* (layout: string[], pageNumber: number) {
      if (layout !== header && (layout.length !== header.length || layout.some((h, i) => h !== header[i]))) {
        await res.discard();
        throw SourceErrors.headerChanged(where, pageNumber);
      }
      try {
        for await (const r of table.records) yield { values: r.values, raw: r.raw };
      } catch (err) {
        throw mapCsvError(err, where, cfg);
      } finally {
        await res.discard();
      }
    },
  };
}

function mapCsvError(err: unknown, where: string, cfg: HttpEndpointConfig) {
  if (err instanceof CsvDecodeError) return SourceErrors.badEncoding(where);
  return requestError(err, where, cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS);
}

/** Reads the first bytes to refuse an HTML page before any row is produced; gives them back. */
async function peekNotHtml(body: AsyncIterable<Buffer>, where: string): Promise<AsyncIterable<Buffer>> {
  const it = body[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < 512) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    head.push(r.value);
    size += r.value.length;
  }
  sniffHtml(Buffer.concat(head).subarray(0, 1024).toString('latin1'), where);
  return (async function* () {
    yield* head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  })();
}

function mergeHeaders(defaults: Record<string, string>, given: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { ...defaults };
  for (const [k, v] of Object.entries(given)) out[k.toLowerCase()] = v;
  return out;
}

/** How much of a record's original text is kept for the reject file (as the parsers do). */
export const RAW_MAX_CHARS = 2_000;

function boundRaw(text: string): string {
  return text.length > RAW_MAX_CHARS ? text.slice(0, RAW_MAX_CHARS) : text;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
