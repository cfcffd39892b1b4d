import { SourceError } from '../pipeline/contracts';
import { CsvParser, fetchPage, HttpEndpointConfig, ParamValue } from './http-page';
import { HostPolicy } from './host-policy';
import { PagingConfig, validateHttpPullConfig } from './http-pull.source';

/**
 * Logical access (逻辑接入): for data that must stay at the source, the platform records the
 * department's endpoint and reads one page from it live for each request, without storing the
 * rows. The same host policy, deadline, size limit and HTML/JSON checks as interface pull apply.
 * Auditing the read (who, which entry, which filters, how many rows) is the caller's job: this
 * module neither stores nor logs anything.
 */

export interface LogicalAccessConfig extends HttpEndpointConfig {
  /** How the endpoint pages. 'none': it answers everything at once and the proxy slices it. */
  paging?: PagingConfig;
  /**
   * The filters a consumer may pass, by the name the platform exposes → the endpoint's parameter
   * name. Any other filter is refused (PROXY_BAD_QUERY): consumers cannot inject parameters.
   */
  filterParams?: Record<string, string>;
  /** Dotted path of the total record count in a JSON answer, when the endpoint gives one. */
  totalPath?: string;
  /** Largest page a consumer may ask for; default 500. */
  maxPageSize?: number;
}

export interface ProxyQuery {
  /** 1-based. */
  page: number;
  pageSize: number;
  filters?: Record<string, string>;
  /** For cursor paging: the `nextCursor` of the previous answer. */
  cursor?: string;
}

export interface ProxyPage {
  header: string[];
  rows: (string | null)[][];
  page: number;
  pageSize: number;
  /** Total records at the source when the endpoint says (totalPath) or when it answered everything at once. */
  total: number | null;
  hasMore: boolean;
  /** Cursor paging: what to send as `cursor` for the next page. */
  nextCursor?: string | null;
}

export interface ProxyOptions {
  hostPolicy?: HostPolicy;
  parseCsv?: CsvParser;
}

export const DEFAULT_MAX_PROXY_PAGE_SIZE = 500;
/** A proxied page is held in memory: 16 MiB unless the configuration says less. */
const DEFAULT_PROXY_MAX_BYTES = 16 * 1024 * 1024;

function badQuery(zh: string, en: string): SourceError {
  return new SourceError('PROXY_BAD_QUERY', zh, en);
}

export async function proxyRead(config: LogicalAccessConfig, query: ProxyQuery, options: ProxyOptions = {}): Promise<ProxyPage> {
  validateHttpPullConfig(config, options.hostPolicy);
  const maxPageSize = config.maxPageSize ?? DEFAULT_MAX_PROXY_PAGE_SIZE;
  const { page, pageSize } = query;
  if (!Number.isInteger(page) || page < 1) throw badQuery('page 必须是大于 0 的整数', 'page must be an integer of 1 or more');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize)
    throw badQuery(`pageSize 必须在 1 到 ${maxPageSize} 之间`, `pageSize must be between 1 and ${maxPageSize}`);

  const params: Record<string, ParamValue> = {};
  for (const [name, value] of Object.entries(query.filters ?? {})) {
    const upstream = config.filterParams && Object.prototype.hasOwnProperty.call(config.filterParams, name) ? config.filterParams[name] : undefined;
    if (!upstream) throw badQuery(`不支持的筛选条件：${name}`, `Unsupported filter: ${name}`);
    if (typeof value !== 'string' || value.length > 1000) throw badQuery(`筛选条件 ${name} 的值无效`, `Bad value of filter ${name}`);
    params[upstream] = value;
  }

  const paging = config.paging ?? { kind: 'none' };
  switch (paging.kind) {
    case 'page':
      params[paging.pageParam] = (paging.startPage ?? 1) + page - 1;
      params[paging.sizeParam] = pageSize;
      break;
    case 'offset':
      params[paging.offsetParam] = (page - 1) * pageSize;
      params[paging.limitParam] = pageSize;
      break;
    case 'cursor':
      if (page > 1 && !query.cursor) throw badQuery('游标分页的接口需要 cursor 才能翻页', 'This endpoint pages by cursor: pass the cursor of the previous page');
      if (query.cursor) params[paging.cursorParam] = query.cursor;
      if (paging.sizeParam) params[paging.sizeParam] = pageSize;
      break;
    case 'none':
      break;
  }

  const limit = Math.min(config.maxBytes ?? DEFAULT_PROXY_MAX_BYTES, config.maxPageBytes ?? DEFAULT_PROXY_MAX_BYTES);
  const fetched = await fetchPage({ ...config, maxPageBytes: limit }, params, { policy: options.hostPolicy, parseCsv: options.parseCsv, budget: { left: limit, limit } }, {
    cursorPath: paging.kind === 'cursor' ? paging.cursorPath : undefined,
    totalPath: config.totalPath,
  });

  const all: (string | null)[][] = [];
  const keep = paging.kind === 'none' ? page * pageSize + 1 : pageSize + 1;
  const rows = fetched.rows(fetched.header, page);
  try {
    for await (const row of rows) {
      all.push(row.values);
      // More than asked for: keep one extra to know there is more, and stop reading.
      if (all.length >= keep) break;
    }
  } finally {
    await fetched.close();
  }

  if (paging.kind === 'none') {
    const start = (page - 1) * pageSize;
    const slice = all.slice(start, start + pageSize);
    return {
      header: fetched.header,
      rows: slice,
      page,
      pageSize,
      total: all.length < keep ? all.length : (fetched.total ?? null),
      hasMore: all.length > start + pageSize,
    };
  }
  const total = fetched.total ?? null;
  const rowsOut = all.slice(0, pageSize);
  let hasMore: boolean;
  if (paging.kind === 'cursor') hasMore = !!fetched.cursor && rowsOut.length > 0;
  else if (total !== null) hasMore = page * pageSize < total;
  else hasMore = all.length >= pageSize;
  return {
    header: fetched.header,
    rows: rowsOut,
    page,
    pageSize,
    total,
    hasMore,
    ...(paging.kind === 'cursor' ? { nextCursor: fetched.cursor ?? null } : {}),
  };
}
