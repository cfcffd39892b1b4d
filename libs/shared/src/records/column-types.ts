/**
 * The PostgreSQL column types a dataset table may have (see ingest's pgColumnType), reduced to
 * the kinds the query compiler and the writers care about. Anything unknown is treated as text.
 */
export type ColumnKind = 'text' | 'numeric' | 'integer' | 'float' | 'date' | 'timestamp' | 'boolean';

export interface RecordColumn {
  name: string;
  /** PostgreSQL type as in `ingest.version.published` (text, numeric, numeric(20,4), bigint, date, …). */
  type: string;
}

export function columnKind(pgType: string): ColumnKind {
  const t = pgType.trim().toLowerCase();
  if (t.startsWith('numeric') || t.startsWith('decimal')) return 'numeric';
  if (t === 'bigint' || t === 'integer' || t === 'int' || t === 'int4' || t === 'int8' || t === 'smallint') return 'integer';
  if (t === 'double precision' || t === 'real' || t === 'float8' || t === 'float4') return 'float';
  if (t === 'date') return 'date';
  if (t.startsWith('timestamp')) return 'timestamp';
  if (t === 'boolean' || t === 'bool') return 'boolean';
  return 'text';
}

/** The SQL type a bound parameter is cast to, from a fixed list (never from input). */
export const PARAM_CAST: Record<ColumnKind, string> = {
  text: 'text',
  numeric: 'numeric',
  integer: 'bigint',
  float: 'double precision',
  date: 'date',
  timestamp: 'timestamp',
  boolean: 'boolean',
};

/**
 * The cast of a bound value compared with a column: PARAM_CAST, except that a single-precision
 * column compares at its own precision, so 0.1 matches the stored 0.1 and a cursor taken from
 * a row's text lands on that row again (0.1::real > 0.1::double precision).
 */
export function paramCast(c: RecordColumn): string {
  const t = c.type.trim().toLowerCase();
  return t === 'real' || t === 'float4' ? 'real' : PARAM_CAST[columnKind(t)];
}

export function isNumberKind(kind: ColumnKind): boolean {
  return kind === 'numeric' || kind === 'integer' || kind === 'float';
}

const NUMBER = /^[-+]?(?:\d{1,30}(?:\.\d{0,20})?|\.\d{1,20})(?:[eE][-+]?\d{1,3})?$/;
const INTEGER = /^[-+]?\d{1,19}$/; // the BigInt range check below bounds it
/** How PostgreSQL writes the non-finite numbers it stores (and sorts: NaN above every number). */
const NON_FINITE = /^(?:NaN|[-+]?Infinity)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?$/;

function validDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Normalises a filter value for a column kind, or returns undefined when PostgreSQL would reject
 * it: the compiler refuses it with a 400 instead of letting the database answer with a 500.
 */
export function normalizeValue(kind: ColumnKind, raw: string): string | undefined {
  if (raw.includes('\u0000')) return undefined;
  switch (kind) {
    case 'numeric':
      return NUMBER.test(raw) || NON_FINITE.test(raw) ? raw : undefined;
    case 'float': {
      if (NON_FINITE.test(raw)) return raw;
      if (!NUMBER.test(raw)) return undefined;
      return Number.isFinite(Number(raw)) ? raw : undefined;
    }
    case 'integer': {
      if (!INTEGER.test(raw)) return undefined;
      const n = BigInt(raw);
      return n <= 9223372036854775807n && n >= -9223372036854775808n ? raw : undefined;
    }
    case 'date': {
      const m = DATE.exec(raw);
      return m && validDate(m[1], m[2], m[3]) ? raw : undefined;
    }
    case 'timestamp': {
      const m = TIMESTAMP.exec(raw);
      if (!m || !validDate(m[1], m[2], m[3])) return undefined;
      if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return undefined;
      return raw;
    }
    case 'boolean': {
      const v = raw.toLowerCase();
      if (['true', 't', '1', '是'].includes(v)) return 'true';
      if (['false', 'f', '0', '否'].includes(v)) return 'false';
      return undefined;
    }
    default:
      return raw;
  }
}

const SAFE_NUMBER_TEXT = /^-?(?:0|[1-9]\d{0,14})(?:\.\d+)?$/;

/**
 * A value as the JSON API returns it: numbers as JSON numbers when they survive the trip
 * (15 significant digits), otherwise as the exact decimal string; booleans as booleans.
 */
export function jsonValue(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (isNumberKind(kind)) {
    if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
    const s = String(value);
    return SAFE_NUMBER_TEXT.test(s) ? Number(s) : s;
  }
  if (kind === 'boolean') {
    if (typeof value === 'boolean') return value;
    return value === 't' || value === 'true';
  }
  if (value instanceof Date) return kind === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
  return String(value);
}
