import { createHash } from 'node:crypto';
import { quoteIdent } from '../datasets/snapshot';
import { columnKind, ColumnKind, isNumberKind, normalizeValue, paramCast, RecordColumn } from './column-types';
import { decodeCursor, encodeCursor } from './record-cursor';
import { echo, RecordQueryError } from './record-query.errors';

/**
 * Record query syntax (query-string parameters; see QUERY_SYNTAX.md beside this file):
 *
 *   fields=企业名称,注册资本          columns to return (default: all)
 *   filter=<field>:<op>[:<value>]   repeatable, ANDed. ops: eq ne gt gte lt lte in between prefix search null notnull
 *                                   in/between take comma-separated values (`\,` is a literal comma)
 *   q=<text>                        full text: any text column contains the text (case-insensitive)
 *   order=-注册资本,企业名称          ordering, `-` for descending; nulls last ascending, first descending; ties by row number
 *   limit=100                       1..max (default 100, max 1000)
 *   cursor=<opaque>                 the `nextCursor` of the previous page (same dataset version and ordering)
 *   count=true                      also return the total number of matching rows
 *   groupBy=区县&agg=count,sum:注册资本   simple aggregate: count, sum/avg (numbers), min/max
 *
 * Everything compiles to one parameterised statement: identifiers are checked against the
 * dataset's columns and quoted, values are bound parameters cast to the column's type after
 * being checked, so a bad value is a 400 and never reaches PostgreSQL as SQL.
 */

export const FILTER_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'between', 'prefix', 'search', 'null', 'notnull'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export const AGGREGATE_FNS = ['count', 'sum', 'avg', 'min', 'max'] as const;
export type AggregateFn = (typeof AGGREGATE_FNS)[number];

export const RECORD_QUERY_PARAMETERS = ['fields', 'filter', 'q', 'order', 'limit', 'cursor', 'count', 'groupBy', 'agg'] as const;

/** Limits that keep a query cheap to plan and an error body small. */
export const RECORD_QUERY_LIMITS = { filters: 20, inValues: 200, valueLength: 500, orderFields: 5, groupFields: 5, aggregates: 10, fields: 300 } as const;

export interface RecordQueryOptions {
  defaultLimit?: number;
  maxLimit?: number;
  /** Parameters the caller reads itself (e.g. `format`, `encoding`); anything else unknown is refused. */
  extraParameters?: readonly string[];
}

/** The parsed, not yet resolved, query: shapes checked, names not yet matched to columns. */
export interface RecordQuery {
  fields?: string[];
  /** Raw `field:op:value` strings; resolved against the columns by the compiler. */
  filters: string[];
  q?: string;
  order: { field: string; desc: boolean }[];
  limit: number;
  cursor?: string;
  count: boolean;
  groupBy?: string[];
  aggregates?: string[];
}

export type RecordQueryParams = Record<string, unknown>;

function single(params: RecordQueryParams, name: string): string | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  throw new RecordQueryError('QUERY_BAD_VALUE', `参数 ${name} 只能出现一次且为文本`, `Parameter ${name} must be given once, as text`, name);
}

function many(params: RecordQueryParams, name: string): string[] {
  const v = params[name];
  if (v === undefined) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new RecordQueryError('QUERY_BAD_FILTER', `参数 ${name} 格式错误，应为 ${name}=字段:操作符:值`, `Parameter ${name} is malformed; use ${name}=field:op:value`, name);
}

function list(value: string | undefined, name: string, max: number): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new RecordQueryError('QUERY_BAD_VALUE', `参数 ${name} 含空项`, `Parameter ${name} has an empty element`, name);
  if (parts.length > max) throw new RecordQueryError('QUERY_TOO_COMPLEX', `参数 ${name} 最多 ${max} 项`, `Parameter ${name} takes at most ${max} elements`, name);
  return parts;
}

/** Checks the shape of the query-string parameters (names, counts, limit) without the dataset. */
export function parseRecordQuery(params: RecordQueryParams, options: RecordQueryOptions = {}): RecordQuery {
  const allowed = new Set<string>([...RECORD_QUERY_PARAMETERS, ...(options.extraParameters ?? [])]);
  for (const name of Object.keys(params))
    if (!allowed.has(name))
      throw new RecordQueryError('QUERY_UNKNOWN_PARAMETER', `未知参数：${echo(name)}（可用：${[...allowed].join('、')}）`, `Unknown parameter: ${echo(name)} (known: ${[...allowed].join(', ')})`, echo(name));

  const maxLimit = options.maxLimit ?? 1000;
  const rawLimit = single(params, 'limit');
  let limit = options.defaultLimit ?? Math.min(100, maxLimit);
  if (rawLimit !== undefined) {
    if (!/^\d{1,9}$/.test(rawLimit) || Number(rawLimit) < 1)
      throw new RecordQueryError('QUERY_BAD_LIMIT', `limit 应为 1 到 ${maxLimit} 的整数`, `limit must be an integer from 1 to ${maxLimit}`, 'limit');
    limit = Number(rawLimit);
    if (limit > maxLimit) throw new RecordQueryError('QUERY_LIMIT_EXCEEDED', `limit 不能超过 ${maxLimit}，请用游标翻页`, `limit may not exceed ${maxLimit}; page with the cursor`, 'limit');
  }

  const rawCount = single(params, 'count');
  if (rawCount !== undefined && !['true', 'false', '1', '0'].includes(rawCount))
    throw new RecordQueryError('QUERY_BAD_VALUE', 'count 应为 true 或 false', 'count must be true or false', 'count');

  const filters = many(params, 'filter');
  if (filters.length > RECORD_QUERY_LIMITS.filters)
    throw new RecordQueryError('QUERY_TOO_COMPLEX', `最多 ${RECORD_QUERY_LIMITS.filters} 个过滤条件`, `At most ${RECORD_QUERY_LIMITS.filters} filters`, 'filter');

  const order = (list(single(params, 'order'), 'order', RECORD_QUERY_LIMITS.orderFields) ?? []).map((o) => {
    const desc = o.startsWith('-');
    const field = desc || o.startsWith('+') ? o.slice(1) : o;
    if (!field) throw new RecordQueryError('QUERY_BAD_ORDER', '排序字段为空', 'Empty order field', 'order');
    return { field, desc };
  });

  const q = single(params, 'q');
  if (q !== undefined && (q.length === 0 || q.length > RECORD_QUERY_LIMITS.valueLength || q.includes('\u0000')))
    throw new RecordQueryError('QUERY_BAD_VALUE', `q 应为 1 到 ${RECORD_QUERY_LIMITS.valueLength} 个字符`, `q must be 1 to ${RECORD_QUERY_LIMITS.valueLength} characters`, 'q');

  const cursor = single(params, 'cursor');
  const groupBy = list(single(params, 'groupBy'), 'groupBy', RECORD_QUERY_LIMITS.groupFields);
  const aggregates = list(single(params, 'agg'), 'agg', RECORD_QUERY_LIMITS.aggregates);
  return {
    fields: list(single(params, 'fields'), 'fields', RECORD_QUERY_LIMITS.fields),
    filters,
    q,
    order,
    limit,
    cursor: cursor === '' ? undefined : cursor,
    count: rawCount === 'true' || rawCount === '1',
    groupBy,
    aggregates,
  };
}

/** Where the query runs: a table the caller trusts and the columns callers may see. */
export interface RecordQueryTarget {
  /** Qualified, quoted table, e.g. `openapi."ds_…"`. Never built from request input. */
  table: string;
  /** The columns callers may name (hidden columns are simply left out). */
  columns: readonly RecordColumn[];
  /** What cursors are bound to, e.g. `<datasetId>@<version>`. */
  binding: string;
  /** Unique, ascending row number used as the last tie-breaker (default `_row`). */
  rowColumn?: string;
  /** Extra SQL condition the caller adds (already parameter-free, trusted), e.g. a row-level scope. */
  scopeSql?: string;
}

export interface CompiledRecordQuery {
  kind: 'records' | 'aggregate';
  sql: string;
  params: unknown[];
  countSql?: string;
  countParams?: unknown[];
  /** Output columns in order (aggregates: group fields then aggregate aliases). */
  columns: RecordColumn[];
  limit: number;
  /** Cuts the fetched rows (limit + 1) to a page and makes the next cursor when there is more. */
  page(rows: Record<string, unknown>[]): { records: Record<string, unknown>[]; nextCursor: string | null };
}

const CURSOR_KEY = (i: number) => `__cursor_k${i}`;
const CURSOR_ROW = '__cursor_row';

class Params {
  readonly values: unknown[] = [];
  add(v: unknown, cast?: string): string {
    this.values.push(v);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Splits on commas not preceded by a backslash; `\,` → `,` and `\\` → `\`. */
function splitValues(raw: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length && (raw[i + 1] === ',' || raw[i + 1] === '\\')) {
      cur += raw[++i];
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export interface CompileOptions {
  /** HMAC secret of cursors; a deployment sets its own so cursors cannot be forged. */
  cursorSecret?: string;
}

/** Resolves a parsed query against a dataset's columns and compiles it to parameterised SQL. */
export function compileRecordQuery(query: RecordQuery, target: RecordQueryTarget, options: CompileOptions = {}): CompiledRecordQuery {
  const byName = new Map(target.columns.map((c) => [c.name, c] as const));
  const rowCol = quoteIdent(target.rowColumn ?? '_row');
  const known = target.columns.map((c) => c.name);
  const column = (name: string, param: string): RecordColumn => {
    const c = byName.get(name);
    if (!c) {
      const list = known.slice(0, 30).join('、');
      throw new RecordQueryError('QUERY_UNKNOWN_FIELD', `未知字段：${echo(name)}（可用：${list}）`, `Unknown field: ${echo(name)} (available: ${known.slice(0, 30).join(', ')})`, param);
    }
    return c;
  };
  const p = new Params();
  const where: string[] = [];
  if (target.scopeSql) where.push(`(${target.scopeSql})`);

  for (const raw of query.filters) where.push(compileFilter(raw, target.columns, p));

  if (query.q !== undefined) {
    const texts = target.columns.filter((c) => columnKind(c.type) === 'text');
    if (texts.length === 0) where.push('FALSE');
    else {
      const ref = p.add(`%${likeEscape(query.q)}%`);
      where.push(`(${texts.map((c) => `${quoteIdent(c.name)} ILIKE ${ref}`).join(' OR ')})`);
    }
  }

  const whereSql = (extra: string[] = []) => {
    const all = [...where, ...extra];
    return all.length ? ` WHERE ${all.join(' AND ')}` : '';
  };

  // Aggregate mode: GROUP BY the named fields, aggregates as named output columns.
  if (query.aggregates || query.groupBy) {
    if (query.cursor) throw new RecordQueryError('QUERY_BAD_AGGREGATE', '聚合查询不支持游标，请用 limit', 'Aggregate queries take no cursor; use limit', 'cursor');
    if (query.fields) throw new RecordQueryError('QUERY_BAD_AGGREGATE', '聚合查询请用 groupBy 和 agg 指定输出，不要同时使用 fields', 'Aggregate queries name their output with groupBy and agg, not fields', 'fields');
    const groups = (query.groupBy ?? []).map((g) => column(g, 'groupBy'));
    const aggs = (query.aggregates ?? ['count']).map((a) => {
      const [fn, field, ...rest] = a.split(':');
      if (!(AGGREGATE_FNS as readonly string[]).includes(fn) || rest.length)
        throw new RecordQueryError('QUERY_BAD_AGGREGATE', `聚合函数无效：${echo(a)}（可用：count、sum:字段、avg:字段、min:字段、max:字段）`, `Invalid aggregate: ${echo(a)} (count, sum:field, avg:field, min:field, max:field)`, 'agg');
      if (fn === 'count') {
        if (field !== undefined) column(field, 'agg');
        return field === undefined
          ? { sql: 'count(*)', alias: 'count', type: 'bigint' }
          : { sql: `count(${quoteIdent(field)})`, alias: `count_${field}`, type: 'bigint' };
      }
      if (field === undefined) throw new RecordQueryError('QUERY_BAD_AGGREGATE', `${fn} 需要字段：${fn}:字段`, `${fn} needs a field: ${fn}:field`, 'agg');
      const c = column(field, 'agg');
      const kind = columnKind(c.type);
      if ((fn === 'sum' || fn === 'avg') && !isNumberKind(kind))
        throw new RecordQueryError('QUERY_BAD_AGGREGATE', `${fn} 只能用于数值字段：${echo(field)}`, `${fn} only applies to numeric fields: ${echo(field)}`, 'agg');
      if (kind === 'boolean' && (fn === 'min' || fn === 'max'))
        throw new RecordQueryError('QUERY_BAD_AGGREGATE', `${fn} 不能用于逻辑字段：${echo(field)}`, `${fn} does not apply to boolean fields: ${echo(field)}`, 'agg');
      const outType = fn === 'avg' || fn === 'sum' ? 'numeric' : c.type;
      const expr = `${fn}(${quoteIdent(c.name)})`;
      const kindOut = columnKind(outType);
      return { sql: kindOut === 'date' || kindOut === 'timestamp' ? `${expr}::text` : expr, alias: `${fn}_${field}`, type: outType };
    });
    const outputs: RecordColumn[] = [...groups.map((g) => ({ name: g.name, type: g.type })), ...aggs.map((a) => ({ name: a.alias, type: a.type }))];
    const outNames = new Set(outputs.map((o) => o.name));
    const orderSql = (query.order.length ? query.order : groups.map((g) => ({ field: g.name, desc: false }))).map((o) => {
      if (!outNames.has(o.field))
        throw new RecordQueryError('QUERY_BAD_ORDER', `聚合查询只能按分组字段或聚合结果排序：${echo(o.field)}`, `Aggregate queries order by group fields or aggregates only: ${echo(o.field)}`, 'order');
      return `${quoteIdent(o.field)} ${o.desc ? 'DESC' : 'ASC'} NULLS LAST`;
    });
    const select = [...groups.map((g) => selectExpr(g)), ...aggs.map((a) => `${a.sql} AS ${quoteIdent(a.alias)}`)].join(', ');
    const groupSql = groups.length ? ` GROUP BY ${groups.map((g) => quoteIdent(g.name)).join(', ')}` : '';
    const body = `FROM ${target.table}${whereSql()}${groupSql}`;
    const sql = `SELECT ${select} ${body}${orderSql.length ? ` ORDER BY ${orderSql.join(', ')}` : ''} LIMIT ${query.limit}`;
    return {
      kind: 'aggregate',
      sql,
      params: p.values,
      countSql: query.count ? `SELECT count(*)::bigint AS total FROM (SELECT 1 ${body}) g` : undefined,
      countParams: query.count ? p.values : undefined,
      columns: outputs,
      limit: query.limit,
      page: (rows) => ({ records: rows.slice(0, query.limit), nextCursor: null }),
    };
  }

  const fields = query.fields ? [...new Set(query.fields)].map((f) => column(f, 'fields')) : [...target.columns];
  const order = query.order.map((o) => {
    const c = column(o.field, 'order');
    return { column: c, desc: o.desc, kind: columnKind(c.type) };
  });
  const fingerprint = createHash('sha256')
    .update(order.map((o) => `${o.desc ? '-' : '+'}${o.column.name}`).join('\u0001'))
    .digest('base64url')
    .slice(0, 12);

  const countSql = query.count ? `SELECT count(*)::bigint AS total FROM ${target.table}${whereSql()}` : undefined;
  const countParams = query.count ? [...p.values] : undefined;

  // Ascending puts nulls last and descending puts them first (PostgreSQL's defaults), and the
  // row-number tie-breaker follows the last field's direction: one btree index on (field, _row)
  // then serves the ordering forwards or backwards.
  const rowDesc = order.length > 0 && order[order.length - 1].desc;
  const keyset: string[] = [];
  if (query.cursor) {
    const cur = decodeCursor(query.cursor, { binding: target.binding, orderFingerprint: fingerprint, keys: order.length + 1 }, options.cursorSecret);
    const last = cur.k[order.length];
    if (last === null || !/^\d{1,18}$/.test(last)) throw new RecordQueryError('QUERY_BAD_CURSOR', '游标无效', 'Invalid cursor', 'cursor');
    const disjuncts: string[] = [];
    const equalities: string[] = [];
    for (let i = 0; i <= order.length; i++) {
      if (i === order.length) {
        disjuncts.push([...equalities, `${rowCol} ${rowDesc ? '<' : '>'} ${p.add(last, 'bigint')}`].join(' AND '));
        break;
      }
      const o = order[i];
      const v = cur.k[i];
      const col = quoteIdent(o.column.name);
      if (v !== null && normalizeValue(o.kind, v) === undefined) throw new RecordQueryError('QUERY_BAD_CURSOR', '游标无效', 'Invalid cursor', 'cursor');
      if (v !== null) {
        const ref = p.add(v, paramCast(o.column));
        // Ascending: larger values, then the nulls. Descending: smaller values (nulls came first).
        disjuncts.push([...equalities, o.desc ? `${col} < ${ref}` : `(${col} > ${ref} OR ${col} IS NULL)`].join(' AND '));
        equalities.push(`${col} = ${ref}`);
      } else {
        // After a null: ascending, only other nulls follow; descending, every non-null value does.
        if (o.desc) disjuncts.push([...equalities, `${col} IS NOT NULL`].join(' AND '));
        equalities.push(`${col} IS NULL`);
      }
    }
    keyset.push(`(${disjuncts.map((d) => `(${d})`).join(' OR ')})`);
  }

  const select = [
    ...fields.map((f) => selectExpr(f)),
    ...order.map((o, i) => `${quoteIdent(o.column.name)}::text AS ${quoteIdent(CURSOR_KEY(i))}`),
    `${rowCol} AS ${quoteIdent(CURSOR_ROW)}`,
  ].join(', ');
  const orderSql = [...order.map((o) => `${quoteIdent(o.column.name)} ${o.desc ? 'DESC NULLS FIRST' : 'ASC NULLS LAST'}`), `${rowCol} ${rowDesc ? 'DESC' : 'ASC'}`].join(', ');
  const sql = `SELECT ${select} FROM ${target.table}${whereSql(keyset)} ORDER BY ${orderSql} LIMIT ${query.limit + 1}`;

  const outNames = fields.map((f) => f.name);
  return {
    kind: 'records',
    sql,
    params: p.values,
    countSql,
    countParams,
    columns: fields.map((f) => ({ name: f.name, type: f.type })),
    limit: query.limit,
    page: (rows) => {
      const pageRows = rows.slice(0, query.limit);
      const records = pageRows.map((r) => {
        const out: Record<string, unknown> = {};
        for (const n of outNames) out[n] = r[n];
        return out;
      });
      let nextCursor: string | null = null;
      if (rows.length > query.limit && pageRows.length) {
        const lastRow = pageRows[pageRows.length - 1];
        const k = [...order.map((_, i) => (lastRow[CURSOR_KEY(i)] ?? null) as string | null), String(lastRow[CURSOR_ROW])];
        nextCursor = encodeCursor({ b: target.binding, o: fingerprint, k }, options.cursorSecret);
      }
      return { records, nextCursor };
    },
  };
}

/** Dates and timestamps leave as ISO text, so no driver or time zone reinterprets them. */
function selectExpr(c: RecordColumn): string {
  const kind = columnKind(c.type);
  const id = quoteIdent(c.name);
  if (kind === 'date') return `to_char(${id}, 'YYYY-MM-DD') AS ${id}`;
  if (kind === 'timestamp') return `to_char(${id}, 'YYYY-MM-DD"T"HH24:MI:SS') AS ${id}`;
  return id;
}

function compileFilter(raw: string, columns: readonly RecordColumn[], p: Params): string {
  if (raw.length > RECORD_QUERY_LIMITS.valueLength * 4)
    throw new RecordQueryError('QUERY_TOO_COMPLEX', '过滤条件过长', 'Filter too long', 'filter');
  // Longest column name first, so a name containing ':' still resolves.
  const c = [...columns].sort((a, b) => b.name.length - a.name.length).find((col) => raw.startsWith(`${col.name}:`));
  if (!c) {
    const name = raw.includes(':') ? raw.slice(0, raw.indexOf(':')) : raw;
    if (!raw.includes(':'))
      throw new RecordQueryError('QUERY_BAD_FILTER', `过滤条件格式错误：${echo(raw)}（应为 字段:操作符:值）`, `Malformed filter: ${echo(raw)} (use field:op:value)`, 'filter');
    throw new RecordQueryError('QUERY_UNKNOWN_FIELD', `未知字段：${echo(name)}`, `Unknown field: ${echo(name)}`, 'filter');
  }
  const rest = raw.slice(c.name.length + 1);
  const sep = rest.indexOf(':');
  const op = (sep < 0 ? rest : rest.slice(0, sep)) as FilterOp;
  const value = sep < 0 ? undefined : rest.slice(sep + 1);
  if (!(FILTER_OPS as readonly string[]).includes(op))
    throw new RecordQueryError('QUERY_BAD_OPERATOR', `未知操作符：${echo(op)}（可用：${FILTER_OPS.join('、')}）`, `Unknown operator: ${echo(op)} (one of ${FILTER_OPS.join(', ')})`, 'filter');
  const kind = columnKind(c.type);
  const col = quoteIdent(c.name);
  const cast = paramCast(c);
  const bad = (why: string, whyEn: string) => new RecordQueryError('QUERY_BAD_VALUE', `字段 ${echo(c.name)} 的值${why}`, `Value for ${echo(c.name)} ${whyEn}`, 'filter');
  const typed = (v: string): string => {
    if (v.length > RECORD_QUERY_LIMITS.valueLength) throw bad(`超过 ${RECORD_QUERY_LIMITS.valueLength} 个字符`, `exceeds ${RECORD_QUERY_LIMITS.valueLength} characters`);
    const n = normalizeValue(kind, v);
    if (n === undefined) throw bad(`不符合类型 ${kindLabel(kind)}：${echo(v)}`, `is not a valid ${kind}: ${echo(v)}`);
    return n;
  };

  if (op === 'null' || op === 'notnull') {
    if (value !== undefined && value !== '') throw bad('多余：null/notnull 不带值', 'is not expected: null/notnull take none');
    return `${col} IS ${op === 'null' ? '' : 'NOT '}NULL`;
  }
  if (value === undefined) throw bad('缺失', 'is missing');
  switch (op) {
    case 'eq':
      return `${col} = ${p.add(typed(value), cast)}`;
    case 'ne':
      return `${col} IS DISTINCT FROM ${p.add(typed(value), cast)}`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (kind === 'boolean') throw new RecordQueryError('QUERY_BAD_OPERATOR', `逻辑字段不支持比较：${echo(c.name)}`, `Booleans take no range: ${echo(c.name)}`, 'filter');
      const sym = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
      return `${col} ${sym} ${p.add(typed(value), cast)}`;
    }
    case 'between': {
      const vs = splitValues(value);
      if (vs.length !== 2) throw bad('应为两个以逗号分隔的值', 'must be two comma-separated values');
      if (kind === 'boolean') throw new RecordQueryError('QUERY_BAD_OPERATOR', `逻辑字段不支持范围：${echo(c.name)}`, `Booleans take no range: ${echo(c.name)}`, 'filter');
      return `${col} BETWEEN ${p.add(typed(vs[0]), cast)} AND ${p.add(typed(vs[1]), cast)}`;
    }
    case 'in': {
      const vs = splitValues(value);
      if (vs.length > RECORD_QUERY_LIMITS.inValues) throw new RecordQueryError('QUERY_TOO_COMPLEX', `in 最多 ${RECORD_QUERY_LIMITS.inValues} 个值`, `in takes at most ${RECORD_QUERY_LIMITS.inValues} values`, 'filter');
      return `${col} = ANY(${p.add(vs.map(typed), `${cast}[]`)})`;
    }
    case 'prefix':
    case 'search': {
      if (kind !== 'text') throw new RecordQueryError('QUERY_BAD_OPERATOR', `${op} 只能用于文本字段：${echo(c.name)}`, `${op} only applies to text fields: ${echo(c.name)}`, 'filter');
      if (value === '') throw bad('不能为空', 'may not be empty');
      typed(value);
      return op === 'prefix' ? `${col} LIKE ${p.add(`${likeEscape(value)}%`)}` : `${col} ILIKE ${p.add(`%${likeEscape(value)}%`)}`;
    }
  }
  throw new RecordQueryError('QUERY_BAD_OPERATOR', `未知操作符：${echo(op)}`, `Unknown operator: ${echo(op)}`, 'filter');
}

function kindLabel(kind: ColumnKind): string {
  return { text: '文本', numeric: '数值', integer: '整数', float: '数值', date: '日期 YYYY-MM-DD', timestamp: '日期时间 YYYY-MM-DDTHH:MM:SS', boolean: '逻辑值 true/false' }[kind];
}
