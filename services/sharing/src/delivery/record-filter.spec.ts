import { DomainException } from '@gov/shared';
import { filterSql, parseFilters } from './record-filter';

const COLS = ['企业名称', '所属区划', '注册资本'];

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as DomainException).code;
  }
  return undefined;
}

describe('record filters', () => {
  it('turns structured filters into parameterised SQL', () => {
    const f = parseFilters('[{"column":"所属区划","op":"in","values":["420702","420703"]},{"column":"注册资本","op":"range","from":100,"to":500},{"column":"企业名称","op":"prefix","value":"示范"}]', COLS);
    const params: unknown[] = [];
    const sql = filterSql(f, params, new Map([['注册资本', 'numeric']]));
    expect(sql).toEqual(['"所属区划"::text = ANY($1::text[])', '("注册资本" >= $2::numeric AND "注册资本" <= $3::numeric)', 'starts_with("企业名称"::text, $4)']);
    expect(params).toEqual([['420702', '420703'], '100', '500', '示范']);
  });

  it('never lets SQL through a column, an op or a value', () => {
    expect(code(() => parseFilters('[{"column":"1=1; DROP TABLE x","op":"eq","value":"1"}]', COLS))).toBe('FILTER_INVALID');
    expect(code(() => parseFilters('[{"column":"企业名称","op":"like","value":"%"}]', COLS))).toBe('FILTER_INVALID');
    expect(code(() => parseFilters('[{"column":"企业名称","op":"eq","value":{"$gt":1}}]', COLS))).toBe('FILTER_INVALID');
    expect(code(() => parseFilters('[{"column":"企业名称","op":"eq","value":"x","sql":"1=1"}]', COLS))).toBe('FILTER_INVALID');
    expect(code(() => parseFilters("企业名称 = 'x' OR 1=1", COLS))).toBe('FILTER_INVALID');
    const params: unknown[] = [];
    const sql = filterSql(parseFilters([{ column: '企业名称', op: 'eq', value: "x' OR '1'='1" }], COLS), params, new Map());
    expect(sql[0]).toBe('"企业名称"::text = $1');
    expect(params).toEqual(["x' OR '1'='1"]);
    expect(code(() => filterSql(parseFilters([{ column: '注册资本', op: 'range', from: 'abc' }], COLS), [], new Map([['注册资本', 'numeric']])))).toBe('FILTER_INVALID');
  });
});
