import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../../test/test-database';
import { seededRandom } from '../security/labelled-columns';
import { compileRecordQuery, parseRecordQuery } from './record-query';

/**
 * The compiled SQL on real PostgreSQL: paging with the cursor through ties and nulls, in every
 * direction, returns exactly the rows of one full ordered query, each once.
 */
let db: TestDatabase;
let pool: Pool;
const columns = [
  { name: '区县', type: 'text' },
  { name: '金额', type: 'numeric' },
  { name: '日期', type: 'date' },
];

beforeAll(async () => {
  db = await createTestDatabase('records');
  pool = new Pool({ connectionString: db.url, max: 2 });
  await pool.query(`CREATE TABLE t (_row bigint PRIMARY KEY, "区县" text, "金额" numeric, "日期" date)`);
  const values: string[] = [];
  for (let i = 1; i <= 97; i++)
    values.push(`(${i}, ${i % 7 === 0 ? 'NULL' : `'区${i % 4}'`}, ${i % 5 === 0 ? 'NULL' : String((i * 37) % 11)}, ${i % 6 === 0 ? 'NULL' : `DATE '2020-01-01' + ${(i * 13) % 9}`})`);
  await pool.query(`INSERT INTO t VALUES ${values.join(',')}`);
  await pool.query(`CREATE INDEX t_amount ON t ("金额", _row)`);
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

async function pageAll(params: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 200; n++) {
    const c = compileRecordQuery(parseRecordQuery({ ...params, limit: '4', ...(cursor ? { cursor } : {}) }), { table: 't', columns, binding: 't@1' });
    const { rows } = await pool.query(c.sql, c.params);
    const page = c.page(rows);
    for (const r of rows.slice(0, 4)) out.push(String(r.__cursor_row));
    cursor = page.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('did not finish');
}

it.each([
  ['金额', '"金额" ASC NULLS LAST, _row ASC'],
  ['-金额', '"金额" DESC NULLS FIRST, _row DESC'],
  ['区县,-金额', '"区县" ASC NULLS LAST, "金额" DESC NULLS FIRST, _row DESC'],
  ['-日期,区县', '"日期" DESC NULLS FIRST, "区县" ASC NULLS LAST, _row ASC'],
  ['', '_row ASC'],
])('pages order=%s through ties and nulls exactly once', async (order, sqlOrder) => {
  const expected = (await pool.query(`SELECT _row FROM t WHERE "金额" IS DISTINCT FROM 3 ORDER BY ${sqlOrder}`)).rows.map((r) => String(r._row));
  const got = await pageAll({ ...(order ? { order } : {}), filter: '金额:ne:3' });
  expect(got).toEqual(expected);
  expect(new Set(got).size).toBe(got.length);
});

it('uses the (field, _row) index for a descending page', async () => {
  const c = compileRecordQuery(parseRecordQuery({ order: '-金额', limit: '10' }), { table: 't', columns, binding: 't@1' });
  await pool.query('SET enable_seqscan = off');
  const plan = (await pool.query(`EXPLAIN ${c.sql}`, c.params)).rows.map((r) => r['QUERY PLAN']).join('\n');
  await pool.query('RESET enable_seqscan');
  expect(plan).toMatch(/Index Scan Backward using t_amount/);
  expect(plan).not.toMatch(/Sort/);
});

describe('paging over every column kind', () => {
  // Every column kind with the values a cursor must carry: nulls, NaN and infinities, -0,
  // numbers beyond 15 integer digits, the bigint extremes, single-precision floats, quotes,
  // backslashes, control characters, non-BMP characters, integer-like and quoted column names.
  const kinds = [
    { name: '名称', type: 'text' },
    { name: '金额', type: 'numeric' },
    { name: '人数', type: 'bigint' },
    { name: '序号', type: 'integer' },
    { name: '比率', type: 'double precision' },
    { name: '系数', type: 'real' },
    { name: '日期', type: 'date' },
    { name: '时间', type: 'timestamp' },
    { name: '有效', type: 'boolean' },
    { name: '2024', type: 'numeric' },
    { name: 'a"b', type: 'text' },
  ];
  const texts = ['区"1"', 'a\\b', 'line\nbreak\ttab', '\u0001\u001f', '😀𠀀', '', ' ', '</script>', '区2'];
  const numerics = ['0', '-0.5', '1.10', '999999999999999.5', '1000000000000000', '-12345678901234567890.123', '3.14159265358979323846', 'NaN', '100'];
  const bigints = ['0', '-9223372036854775808', '9223372036854775807', '999999999999999', '1000000000000000', '-42'];
  const floats = ['0', '-0', 'NaN', 'Infinity', '-Infinity', '1e300', '5e-324', '0.1', '-2.5'];

  beforeAll(async () => {
    const random = seededRandom(20261124);
    const pick = <T>(xs: T[]): T | null => (random() < 0.15 ? null : xs[Math.floor(random() * xs.length)]);
    const lit = (v: string | null) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);
    await pool.query(`CREATE TABLE k (_row bigint PRIMARY KEY, ${kinds.map((c) => `${JSON.stringify(c.name).replace(/\\"/g, '""')} ${c.type}`).join(', ')})`);
    const rows: string[] = [];
    for (let i = 1; i <= 300; i++) {
      const day = pick(['2020-02-29', '1999-12-31', '0001-01-01', '2024-06-01']);
      const cells = [
        lit(pick(texts)),
        lit(pick(numerics)),
        lit(pick(bigints)),
        lit(pick(['0', '-2147483648', '2147483647', '7'])),
        lit(pick(floats)),
        lit(pick(floats.filter((f) => f !== '1e300' && f !== '5e-324'))),
        lit(day),
        lit(pick(['2020-02-29 23:59:59.999', '2024-01-01 00:00:00'])),
        lit(pick(['true', 'false'])),
        lit(pick(numerics)),
        lit(pick(texts)),
      ];
      rows.push(`(${i}, ${cells.join(', ')})`);
    }
    await pool.query(`INSERT INTO k VALUES ${rows.join(', ')}`);
  });

  const compileK = (params: Record<string, string>) => compileRecordQuery(parseRecordQuery(params), { table: 'k', columns: kinds, binding: 'k@1' }, { cursorSecret: 's' });

  it('returns every matching row once, in order, for random orderings, filters and page sizes', async () => {
    const random = seededRandom(7);
    const orderable = kinds.filter((c) => c.type !== 'boolean');
    let pages = 0;
    for (let q = 0; q < 40; q++) {
      const params: Record<string, string> = {};
      if (random() < 0.8) {
        const n = 1 + Math.floor(random() * 2);
        params.order = Array.from({ length: n }, () => `${random() < 0.5 ? '-' : ''}${orderable[Math.floor(random() * orderable.length)].name}`)
          .filter((o, i, all) => all.findIndex((x) => x.replace(/^-/, '') === o.replace(/^-/, '')) === i)
          .join(',');
      }
      if (random() < 0.5) params.filter = ['有效:eq:true', '人数:notnull', '金额:gte:0', '名称:null', '序号:lt:100'][Math.floor(random() * 5)];
      // The whole ordered answer in one page, against which the pages are checked.
      const whole = compileK({ ...params, limit: '1000' });
      const expected = (await pool.query(whole.sql, whole.params)).rows.map((r) => String(r.__cursor_row));
      const limit = String(1 + Math.floor(random() * 40));
      const got: string[] = [];
      let cursor: string | null = null;
      for (let n = 0; n < 400; n++) {
        const c = compileK({ ...params, limit, ...(cursor ? { cursor } : {}) });
        const { rows } = await pool.query(c.sql, c.params);
        for (const r of rows.slice(0, c.limit)) got.push(String(r.__cursor_row));
        pages++;
        cursor = c.page(rows).nextCursor;
        if (!cursor) break;
      }
      expect(cursor).toBeNull();
      expect(got).toEqual(expected);
    }
    expect(pages).toBeGreaterThan(100);
  }, 120_000);

  it('filters a single-precision column at its own precision', async () => {
    const c = compileK({ filter: '系数:eq:0.1', count: 'true' });
    const stored = Number((await pool.query(`SELECT count(*) FROM k WHERE "系数" = '0.1'::real`)).rows[0].count);
    expect(stored).toBeGreaterThan(0);
    expect(Number((await pool.query(c.countSql!, c.countParams)).rows[0].total)).toBe(stored);
  });
});
