import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../../test/test-database';
import { checkKAnonymity, combinations, quasiIdentifiers } from './k-anonymity';

let db: TestDatabase;
let client: Client;
const run = async (text: string, params?: unknown[]) => (await client.query(text, params)).rows;

beforeAll(async () => {
  db = await createTestDatabase('kanon');
  client = new Client({ connectionString: db.url });
  await client.connect();
  await client.query(`CREATE TABLE people (_row bigint, "出生日期" text, "区县" text, "性别" text, "诊断" text)`);
  // 40 people in 4 districts × 2 genders × 5 birth years: district + gender alone leaves groups of 5;
  // with the exact birth date, one person in 区县 B is alone.
  const rows: string[] = [];
  for (let i = 0; i < 40; i++) {
    const district = 'ABCD'[i % 4];
    const gender = i % 8 < 4 ? '男' : '女';
    const birth = i === 13 ? '1990-02-14' : `198${i % 5}-01-01`;
    rows.push(`(${i}, '${birth}', '${district}', '${gender}', '感冒')`);
  }
  await client.query(`INSERT INTO people VALUES ${rows.join(', ')}`);
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

it('recognises quasi-identifiers by name', () => {
  expect(quasiIdentifiers(['姓名脱敏', '出生日期', '区县', '性别', '诊断', '年龄段'])).toEqual(['出生日期', '区县', '性别', '年龄段']);
});

it('passes a release whose every group has at least k people', async () => {
  const r = await checkKAnonymity(run, 'people', ['区县', '性别', '诊断'], 5);
  expect(r).toMatchObject({ quasiIdentifiers: ['区县', '性别'], k: 5, rowsAtRisk: 0, offending: null });
});

it('refuses below k and names the smallest column combination that causes it', async () => {
  const r = await checkKAnonymity(run, 'people', ['出生日期', '区县', '性别', '诊断'], 5);
  expect(r.k).toBe(1);
  expect(r.rowsAtRisk).toBeGreaterThan(0);
  expect(r.offending).toEqual(['出生日期']);
  // The exact birth date alone already singles someone out; a coarser release does not.
  const coarse = await checkKAnonymity(run, 'people', ['区县', '性别'], 6);
  expect(coarse.offending).toEqual(['区县', '性别']);
});

it('has nothing to check without quasi-identifiers', async () => {
  expect(await checkKAnonymity(run, 'people', ['诊断'], 5)).toMatchObject({ k: Infinity, offending: null });
});

it('enumerates combinations in size order', () => {
  expect([...combinations(['a', 'b', 'c'], 2)]).toEqual([['a', 'b'], ['a', 'c'], ['b', 'c']]);
});
