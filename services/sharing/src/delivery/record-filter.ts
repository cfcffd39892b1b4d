import { quoteIdent } from '@gov/shared';
import { SharingErrors } from '../sharing.errors';

/**
 * A structured row filter: `{column, op, …}` only, never SQL text. Every column is checked
 * against the dataset's (or grant's) columns and every value becomes a bind parameter, so a
 * filter cannot carry SQL however it is spelt.
 */
export interface RowFilter {
  column: string;
  op: 'eq' | 'in' | 'prefix' | 'range';
  value?: string | number;
  values?: (string | number)[];
  from?: string | number;
  to?: string | number;
}

const OPS = new Set(['eq', 'in', 'prefix', 'range']);
const MAX_FILTERS = 10;
const MAX_IN = 200;
const MAX_VALUE = 200;

function scalar(v: unknown, where: string): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.length <= MAX_VALUE) return v;
  throw SharingErrors.filterInvalid(`${where} 须为不超过 ${MAX_VALUE} 个字符的字符串或数字`, `${where} must be a string (≤ ${MAX_VALUE} chars) or a number`);
}

/** Parses and checks filters (a JSON string or already-parsed value) against the allowed columns. */
export function parseFilters(raw: unknown, allowedColumns: readonly string[]): RowFilter[] {
  let value = raw;
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw SharingErrors.filterInvalid('filter 须为 JSON 数组，如 [{"column":"区划","op":"eq","value":"420702"}]', 'filter must be a JSON array like [{"column":"…","op":"eq","value":"…"}]');
    }
  }
  if (!Array.isArray(value)) value = [value];
  const list = value as unknown[];
  if (list.length > MAX_FILTERS) throw SharingErrors.filterInvalid(`最多 ${MAX_FILTERS} 个条件`, `at most ${MAX_FILTERS} conditions`);
  const allowed = new Set(allowedColumns);
  return list.map((f, i) => {
    if (!f || typeof f !== 'object' || Array.isArray(f)) throw SharingErrors.filterInvalid(`第 ${i + 1} 个条件不是对象`, `condition ${i + 1} is not an object`);
    const o = f as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !['column', 'op', 'value', 'values', 'from', 'to'].includes(k));
    if (extra.length) throw SharingErrors.filterInvalid(`不支持的字段：${extra.join('、')}`, `unsupported keys: ${extra.join(', ')}`);
    if (typeof o.column !== 'string' || !allowed.has(o.column))
      throw SharingErrors.filterInvalid(`信息项不存在或未授权：${String(o.column).slice(0, 80)}`, `unknown or ungranted column: ${String(o.column).slice(0, 80)}`);
    if (typeof o.op !== 'string' || !OPS.has(o.op)) throw SharingErrors.filterInvalid(`不支持的运算：${String(o.op).slice(0, 20)}（可用 eq、in、prefix、range）`, `unsupported op ${String(o.op).slice(0, 20)} (eq, in, prefix, range)`);
    const where = `条件 ${i + 1}`;
    const r: RowFilter = { column: o.column, op: o.op as RowFilter['op'] };
    if (r.op === 'eq' || r.op === 'prefix') r.value = scalar(o.value, `${where}.value`);
    if (r.op === 'in') {
      if (!Array.isArray(o.values) || o.values.length === 0 || o.values.length > MAX_IN)
        throw SharingErrors.filterInvalid(`${where}.values 须为 1–${MAX_IN} 个值的数组`, `${where}.values must be an array of 1–${MAX_IN} values`);
      r.values = o.values.map((v, j) => scalar(v, `${where}.values[${j}]`));
    }
    if (r.op === 'range') {
      if (o.from === undefined && o.to === undefined) throw SharingErrors.filterInvalid(`${where} 须给出 from 或 to`, `${where} needs from or to`);
      if (o.from !== undefined) r.from = scalar(o.from, `${where}.from`);
      if (o.to !== undefined) r.to = scalar(o.to, `${where}.to`);
    }
    return r;
  });
}

/**
 * SQL for filters, values appended to `params` ($n placeholders). Columns are compared as text
 * (`::text`), except range on numeric columns, so one rule serves every column type.
 */
export function filterSql(filters: readonly RowFilter[], params: unknown[], columnTypes: ReadonlyMap<string, string>): string[] {
  return filters.map((f) => {
    const col = quoteIdent(f.column);
    const type = columnTypes.get(f.column) ?? 'text';
    const numeric = /^(numeric|integer|bigint|smallint|double precision|real)/i.test(type);
    switch (f.op) {
      case 'eq':
        return `${col}::text = $${params.push(String(f.value))}`;
      case 'in':
        return `${col}::text = ANY($${params.push(f.values!.map(String))}::text[])`;
      case 'prefix':
        return `starts_with(${col}::text, $${params.push(String(f.value))})`;
      case 'range': {
        const lhs = numeric ? col : `${col}::text`;
        const cast = numeric ? '::numeric' : '::text';
        for (const v of [f.from, f.to])
          if (numeric && v !== undefined && !Number.isFinite(Number(v))) throw SharingErrors.filterInvalid(`${f.column} 为数值列，范围须为数字`, `${f.column} is numeric; the range must be numbers`);
        const parts: string[] = [];
        if (f.from !== undefined) parts.push(`${lhs} >= $${params.push(String(f.from))}${cast}`);
        if (f.to !== undefined) parts.push(`${lhs} <= $${params.push(String(f.to))}${cast}`);
        return `(${parts.join(' AND ')})`;
      }
    }
  });
}
