import { normalizeValue, RecordColumn } from './column-types';
import { encodeCursor } from './record-cursor';
import { compileRecordQuery, parseRecordQuery, RecordQueryTarget } from './record-query';
import { RecordQueryError } from './record-query.errors';

const columns: RecordColumn[] = [
  { name: '企业名称', type: 'text' },
  { name: '注册资本', type: 'numeric(20,4)' },
  { name: '成立日期', type: 'date' },
  { name: '员工数', type: 'bigint' },
  { name: '是否存续', type: 'boolean' },
  { name: '备注:其他', type: 'text' },
];
const target: RecordQueryTarget = { table: 'openapi."ds_x"', columns, binding: 'ds-1@1' };
const compile = (params: Record<string, unknown>, t = target) => compileRecordQuery(parseRecordQuery(params), t);
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof RecordQueryError) return err.code;
    throw err;
  }
};

describe('record query compiler', () => {
  it('compiles fields, filters, order and limit to parameterised SQL', () => {
    const c = compile({ fields: '企业名称,注册资本', filter: ['注册资本:gte:100', '企业名称:prefix:黄石%'], order: '-注册资本', limit: '10' });
    expect(c.sql).toBe(
      'SELECT "企业名称", "注册资本", "注册资本"::text AS "__cursor_k0", "_row" AS "__cursor_row" FROM openapi."ds_x" WHERE "注册资本" >= $1::numeric AND "企业名称" LIKE $2 ORDER BY "注册资本" DESC NULLS FIRST, "_row" DESC LIMIT 11',
    );
    expect(c.params).toEqual(['100', '黄石\\%%']);
    expect(c.columns.map((x) => x.name)).toEqual(['企业名称', '注册资本']);
  });

  it('supports in, between, search, null and a field name containing a colon', () => {
    const c = compile({ filter: ['员工数:in:1,2,3', '成立日期:between:2020-01-01,2020-12-31', '企业名称:search:食品', '备注:其他:null'] });
    expect(c.sql).toContain('"员工数" = ANY($1::bigint[])');
    expect(c.sql).toContain('"成立日期" BETWEEN $2::date AND $3::date');
    expect(c.sql).toContain('"企业名称" ILIKE $4');
    expect(c.sql).toContain('"备注:其他" IS NULL');
    expect(c.params).toEqual([['1', '2', '3'], '2020-01-01', '2020-12-31', '%食品%']);
  });

  it('keeps commas escaped in IN values', () => {
    const c = compile({ filter: '企业名称:in:a\\,b,c' });
    expect(c.params).toEqual([['a,b', 'c']]);
  });

  it('counts and aggregates', () => {
    const c = compile({ filter: '是否存续:eq:是', count: 'true' });
    expect(c.countSql).toBe('SELECT count(*)::bigint AS total FROM openapi."ds_x" WHERE "是否存续" = $1::boolean');
    expect(c.countParams).toEqual(['true']);
    const a = compile({ groupBy: '是否存续', agg: 'count,sum:注册资本,max:成立日期', order: '-count' });
    expect(a.kind).toBe('aggregate');
    expect(a.sql).toBe(
      'SELECT "是否存续", count(*) AS "count", sum("注册资本") AS "sum_注册资本", max("成立日期")::text AS "max_成立日期" FROM openapi."ds_x" GROUP BY "是否存续" ORDER BY "count" DESC NULLS LAST LIMIT 100',
    );
  });

  it('refuses what it cannot compile safely, with stable codes', () => {
    expect(codeOf(() => compile({ fields: '企业名称,"; DROP TABLE x; --' }))).toBe('QUERY_UNKNOWN_FIELD');
    expect(codeOf(() => compile({ filter: '注册资本:gte:1 OR 1=1' }))).toBe('QUERY_BAD_VALUE');
    expect(codeOf(() => compile({ filter: '注册资本:like:1' }))).toBe('QUERY_BAD_OPERATOR');
    expect(codeOf(() => compile({ filter: '注册资本:prefix:1' }))).toBe('QUERY_BAD_OPERATOR');
    expect(codeOf(() => compile({ filter: 'nonsense' }))).toBe('QUERY_BAD_FILTER');
    expect(codeOf(() => compile({ filter: '成立日期:eq:2021-02-30' }))).toBe('QUERY_BAD_VALUE');
    expect(codeOf(() => compile({ filter: '员工数:eq:99999999999999999999' }))).toBe('QUERY_BAD_VALUE');
    expect(codeOf(() => compile({ filter: '企业名称:eq:a\u0000b' }))).toBe('QUERY_BAD_VALUE');
    expect(codeOf(() => compile({ limit: '1001' }))).toBe('QUERY_LIMIT_EXCEEDED');
    expect(codeOf(() => compile({ limit: '0' }))).toBe('QUERY_BAD_LIMIT');
    expect(codeOf(() => compile({ limit: ['1', '2'] }))).toBe('QUERY_BAD_VALUE');
    expect(codeOf(() => compile({ order: '-' }))).toBe('QUERY_BAD_ORDER');
    expect(codeOf(() => compile({ sort: '企业名称' }))).toBe('QUERY_UNKNOWN_PARAMETER');
    expect(codeOf(() => compile({ filter: { 企业名称: 'x' } }))).toBe('QUERY_BAD_FILTER');
    expect(codeOf(() => compile({ agg: 'sum:企业名称' }))).toBe('QUERY_BAD_AGGREGATE');
    expect(codeOf(() => compile({ agg: 'drop:企业名称' }))).toBe('QUERY_BAD_AGGREGATE');
    expect(codeOf(() => compile({ filter: Array.from({ length: 21 }, () => '员工数:eq:1') }))).toBe('QUERY_TOO_COMPLEX');
  });

  it('makes cursors that continue the ordering and are bound to the dataset version', () => {
    const first = compile({ order: '-注册资本', limit: '2' });
    const rows = [
      { 注册资本: '300', __cursor_k0: '300.0000', __cursor_row: '7' },
      { 注册资本: '200', __cursor_k0: '200.0000', __cursor_row: '3' },
      { 注册资本: '100', __cursor_k0: '100.0000', __cursor_row: '9' },
    ];
    const page = first.page(rows);
    expect(page.records).toHaveLength(2);
    expect(page.records[0]).toEqual({ 企业名称: undefined, 注册资本: '300', 成立日期: undefined, 员工数: undefined, 是否存续: undefined, '备注:其他': undefined });
    expect(page.nextCursor).toBeTruthy();
    const next = compile({ order: '-注册资本', limit: '2', cursor: page.nextCursor! });
    expect(next.sql).toContain('WHERE (("注册资本" < $1::numeric) OR ("注册资本" = $1::numeric AND "_row" < $2::bigint))');
    const asc = compile({ order: '企业名称', limit: '1' }).page([{ __cursor_k0: null, __cursor_row: '4' }, { __cursor_k0: null, __cursor_row: '5' }]);
    expect(compile({ order: '企业名称', cursor: asc.nextCursor! }).sql).toContain('WHERE (("企业名称" IS NULL AND "_row" > $1::bigint))');
    const desc = compile({ order: '-企业名称', limit: '1' }).page([{ __cursor_k0: null, __cursor_row: '4' }, { __cursor_k0: null, __cursor_row: '5' }]);
    expect(compile({ order: '-企业名称', cursor: desc.nextCursor! }).sql).toContain('WHERE (("企业名称" IS NOT NULL) OR ("企业名称" IS NULL AND "_row" < $1::bigint))');
    expect(next.params).toEqual(['200.0000', '3']);
    expect(first.page(rows.slice(0, 2)).nextCursor).toBeNull();

    expect(codeOf(() => compile({ order: '-注册资本', cursor: page.nextCursor! }, { ...target, binding: 'ds-2@1' }))).toBe('QUERY_CURSOR_MISMATCH');
    expect(codeOf(() => compile({ order: '企业名称', cursor: page.nextCursor! }))).toBe('QUERY_CURSOR_MISMATCH');
    expect(codeOf(() => compile({ order: '-注册资本', cursor: page.nextCursor!.slice(0, -2) + 'xx' }))).toBe('QUERY_BAD_CURSOR');
    expect(codeOf(() => compile({ cursor: encodeCursor({ b: 'ds-1@1', o: 'x', k: ['1'] }, 'other-secret') }))).toBe('QUERY_BAD_CURSOR');
    expect(codeOf(() => compile({ cursor: '!!!' }))).toBe('QUERY_BAD_CURSOR');
  });

  it('only ever throws RecordQueryError on thousands of generated inputs', () => {
    const pieces = ['企业名称', '注册资本', '成立日期', '员工数', '是否存续', 'x', "'", '"', ';', '--', '\\', ',', ':', '%', '_', '1', '-1', '1e999', 'NaN', '2020-13-01', 'eq', 'in', 'between', 'null', 'search', 'gt', '\u0000', '中', ' ', 'OR 1=1'];
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const str = () => Array.from({ length: rnd(6) }, () => pieces[rnd(pieces.length)]).join(rnd(2) ? ':' : '');
    const names = ['fields', 'filter', 'q', 'order', 'limit', 'cursor', 'count', 'groupBy', 'agg', 'bogus'];
    for (let i = 0; i < 5000; i++) {
      const params: Record<string, unknown> = {};
      for (let j = rnd(4); j >= 0; j--) params[names[rnd(names.length)]] = rnd(5) === 0 ? [str(), str()] : str();
      try {
        const c = compile(params);
        // Whatever compiles names only known columns: the SQL is built from quoted known names and $n.
        expect(c.sql).not.toContain('OR 1=1');
      } catch (err) {
        if (!(err instanceof RecordQueryError)) throw new Error(`${JSON.stringify(params)} threw ${String(err)}`);
        expect(err.status).toBe(400);
      }
    }
  });
});

describe('normalizeValue', () => {
  it('takes what PostgreSQL writes for the values it stores, so a cursor made from any row is valid', () => {
    expect(normalizeValue('numeric', 'NaN')).toBe('NaN');
    expect(normalizeValue('numeric', '-Infinity')).toBe('-Infinity');
    expect(normalizeValue('float', 'Infinity')).toBe('Infinity');
    expect(normalizeValue('float', '1e+300')).toBe('1e+300');
    expect(normalizeValue('integer', '9223372036854775807')).toBe('9223372036854775807');
    expect(normalizeValue('integer', '-9223372036854775808')).toBe('-9223372036854775808');
  });

  it('still refuses what PostgreSQL would reject', () => {
    expect(normalizeValue('integer', '9223372036854775808')).toBeUndefined();
    expect(normalizeValue('integer', 'NaN')).toBeUndefined();
    expect(normalizeValue('numeric', 'nan; DROP TABLE x')).toBeUndefined();
    expect(normalizeValue('float', '1e400')).toBeUndefined();
  });

  it('compares single-precision columns at their own precision', () => {
    const c = compileRecordQuery(parseRecordQuery({ filter: '系数:eq:0.1' }), { table: 't', columns: [{ name: '系数', type: 'real' }], binding: 't@1' });
    expect(c.sql).toContain('"系数" = $1::real');
  });
});
