import { ParsedTable, SourceRecord } from '../pipeline/contracts';
import { checkEndpointUrl, HostPolicy } from './host-policy';
import {
  CsvParser,
  DEFAULT_MAX_BYTES,
  fetchPage,
  FetchedPage,
  HttpEndpointConfig,
  PageContext,
  ParamValue,
} from './http-page';
import { redactUrl } from './redact';
import { SourceErrors } from './source-errors';

/**
 * Interface pull (接口拉取): a registered HTTP endpoint of a department, JSON, NDJSON or CSV,
 * page after page, read as one ParsedTable. Pages are fetched one at a time as the records are
 * consumed (the first page up front, for the header); a failure on a later page surfaces as a
 * SourceError from the record iterator, which fails the job.
 */

export type PagingConfig =
  /** ?page=1&size=100, ?page=2&size=100 … until a page has fewer than `size` records. */
  | { kind: 'page'; pageParam: string; sizeParam: string; size: number; startPage?: number }
  /** ?offset=0&limit=100, ?offset=100&limit=100 … until a page has fewer than `limit` records. */
  | { kind: 'offset'; offsetParam: string; limitParam: string; limit: number }
  /** JSON only: the next cursor is read at `cursorPath` and sent as `cursorParam`, until it is empty. */
  | { kind: 'cursor'; cursorPath: string; cursorParam: string; sizeParam?: string; size?: number }
  | { kind: 'none' };

export interface HttpPullConfig extends HttpEndpointConfig {
  paging?: PagingConfig;
  /** Pages one pull may read; more data after that is PULL_TOO_MANY_PAGES. Default 1000. */
  maxPages?: number;
}

export interface HttpPullOptions {
  /** From INGEST_ALLOWED_HOSTS (parseAllowedHosts); the default policy when absent. */
  hostPolicy?: HostPolicy;
  /** The full CSV parser of services/ingest/src/parsing, when wired; csv-lite otherwise. */
  parseCsv?: CsvParser;
}

export interface HttpPulledTable extends ParsedTable {
  /** Pages fetched so far. */
  pages(): number;
  /** Body bytes received so far. */
  bytes(): number;
  /** Releases the connection when the records will not be read to their end. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_PAGES = 1000;

/** Checks a configuration without any request (at registration); throws SourceError. */
export function validateHttpPullConfig(config: HttpPullConfig, hostPolicy?: HostPolicy): void {
  checkEndpointUrl(config.url, hostPolicy);
  if (!['json', 'csv', 'ndjson'].includes(config.format)) throw SourceErrors.badConfig('format', 'json, csv or ndjson');
  if (config.method && config.method !== 'GET' && config.method !== 'POST') throw SourceErrors.badConfig('method', 'GET or POST');
  if (config.paramsIn === 'body' && config.method !== 'POST') throw SourceErrors.badConfig('paramsIn', "'body' needs method POST");
  for (const [k, v] of Object.entries(config.headers ?? {})) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) throw SourceErrors.badConfig('headers', `bad header name ${JSON.stringify(k)}`);
    if (typeof v !== 'string' || /[\r\n\0]/.test(v)) throw SourceErrors.badConfig('headers', `bad value of ${k}`);
  }
  positive('timeoutMs', config.timeoutMs);
  positive('maxBytes', config.maxBytes);
  positive('maxPageBytes', config.maxPageBytes);
  positive('maxPages', config.maxPages);
  const p = config.paging;
  if (!p || p.kind === 'none') return;
  if (p.kind === 'page') {
    required('paging.pageParam', p.pageParam);
    required('paging.sizeParam', p.sizeParam);
    positive('paging.size', p.size, true);
    if (p.startPage !== undefined && (!Number.isInteger(p.startPage) || p.startPage < 0)) throw SourceErrors.badConfig('paging.startPage', '0 or more');
  } else if (p.kind === 'offset') {
    required('paging.offsetParam', p.offsetParam);
    required('paging.limitParam', p.limitParam);
    positive('paging.limit', p.limit, true);
  } else if (p.kind === 'cursor') {
    if (config.format !== 'json') throw SourceErrors.badConfig('paging', 'cursor paging needs format json');
    required('paging.cursorPath', p.cursorPath);
    required('paging.cursorParam', p.cursorParam);
    if (p.sizeParam !== undefined) positive('paging.size', p.size, true);
  } else {
    throw SourceErrors.badConfig('paging.kind', 'page, offset, cursor or none');
  }
}

function positive(field: string, value: number | undefined, mandatory = false): void {
  if (value === undefined && !mandatory) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw SourceErrors.badConfig(field, 'a positive integer');
}

function required(field: string, value: string | undefined): void {
  if (typeof value !== 'string' || !value) throw SourceErrors.badConfig(field, 'required');
}

/** The parameters of page `index` (0-based) of a paging scheme; cursor: the previous page's cursor. */
export function pageParams(paging: PagingConfig | undefined, index: number, cursor?: string | null): Record<string, ParamValue> {
  if (!paging || paging.kind === 'none') return {};
  switch (paging.kind) {
    case 'page':
      return { [paging.pageParam]: (paging.startPage ?? 1) + index, [paging.sizeParam]: paging.size };
    case 'offset':
      return { [paging.offsetParam]: index * paging.limit, [paging.limitParam]: paging.limit };
    case 'cursor':
      return {
        ...(cursor ? { [paging.cursorParam]: cursor } : {}),
        ...(paging.sizeParam && paging.size ? { [paging.sizeParam]: paging.size } : {}),
      };
  }
}

function pageSize(paging: PagingConfig | undefined): number | undefined {
  if (paging?.kind === 'page') return paging.size;
  if (paging?.kind === 'offset') return paging.limit;
  return undefined;
}

export async function pullHttp(config: HttpPullConfig, options: HttpPullOptions = {}): Promise<HttpPulledTable> {
  validateHttpPullConfig(config, options.hostPolicy);
  const paging = config.paging;
  const maxPages = config.maxPages ?? DEFAULT_MAX_PAGES;
  const limit = config.maxBytes ?? DEFAULT_MAX_BYTES;
  const ctx: PageContext = { policy: options.hostPolicy, parseCsv: options.parseCsv, budget: { left: limit, limit } };
  const extract = paging?.kind === 'cursor' ? { cursorPath: paging.cursorPath } : {};
  const where = redactUrl(config.url);
  let pages = 1;
  let current: FetchedPage | undefined;

  const first = await fetchPage(config, pageParams(paging, 0), ctx, extract);
  const header = first.header;

  async function* records(): AsyncGenerator<SourceRecord> {
    // A CSV's header is row 1; JSON records are counted from 1.
    let rowNumber = config.format === 'csv' ? 1 : 0;
    let page: FetchedPage = first;
    current = page;
    let previousDigest: string | undefined;
    let previousCursor: string | null | undefined;
    for (let index = 0; ; index++) {
      let count = 0;
      for await (const row of page.rows(header, index + 1)) {
        count++;
        rowNumber++;
        yield { rowNumber, values: row.values, raw: row.raw };
      }
      if (!paging || paging.kind === 'none' || count === 0) return;
      const size = pageSize(paging);
      if (size !== undefined && count < size) return;
      if (paging.kind === 'cursor') {
        if (!page.cursor) return;
        if (page.cursor === previousCursor) throw SourceErrors.pagingIgnored(where);
        previousCursor = page.cursor;
      }
      if (page.digest !== undefined && page.digest === previousDigest) throw SourceErrors.pagingIgnored(where);
      previousDigest = page.digest;
      if (index + 1 >= maxPages) throw SourceErrors.tooManyPages(where, maxPages);
      page = await fetchPage(config, pageParams(paging, index + 1, page.cursor), ctx, extract);
      current = page;
      pages++;
      // A later page of JSON may bring the first page's columns only; its other keys are not loaded.
    }
  }

  return {
    format: config.format,
    encoding: first.encoding,
    delimiter: first.delimiter,
    header,
    records: records(),
    pages: () => pages,
    bytes: () => ctx.budget.limit - ctx.budget.left,
    close: () => (current ?? first).close(),
  };
}
