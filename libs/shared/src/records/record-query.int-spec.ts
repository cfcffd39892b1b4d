import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../../test/test-database';
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
