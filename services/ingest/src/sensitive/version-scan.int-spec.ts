import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../../test/test-database';
import { LoadScanner, SAMPLE_ROWS, scanVersionTable } from './version-scan';

const COLUMNS = [
  { name: '姓名', type: 'text' },
  { name: '公民身份号码', type: 'text' },
  { name: '备注', type: 'text' },
  { name: '联系电话', type: 'text' },
  { name: '人数', type: 'bigint' },
];

/** A valid 18-character ID number from a 17-digit body. */
function idNumber(body: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

/** Rows whose sensitive values show only past the sample: an ID number in 备注 and mobiles in 联系电话 late in the file. */
function rows(n: number): (string | null)[][] {
  const out: (string | null)[][] = [];
  for (let i = 1; i <= n; i++) {
    const id = idNumber(`110101${1960 + (i % 40)}0101${String(i % 1000).padStart(3, '0')}`);
    const late = i > SAMPLE_ROWS + 100;
    out.push([
      i % 7 === 0 ? null : `张${'伟芳娜敏静'[i % 5]}`,
      i % 11 === 0 ? '' : id,
      late && i % 50 === 0 ? `经办人 ${id} 已登记` : i % 3 === 0 ? null : `第 ${i} 批`,
      late ? `13${String(800000000 + i).padStart(9, '0')}` : i % 2 === 0 ? '0571-8888' : null,
      String(i),
    ]);
  }
  return out;
}

describe('LoadScanner: the scan of a version table, fed while loading', () => {
  let db: TestDatabase;
  let sql: Client;

  beforeAll(async () => {
    db = await createTestDatabase('version_scan');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  async function both(n: number, table: string) {
    const data = rows(n);
    await sql.query(`CREATE TABLE ${table} (_row bigint NOT NULL, ${COLUMNS.map((c) => `"${c.name}" ${c.type}`).join(', ')})`);
    const values = data.flatMap((r, i) => [i + 2, ...r]);
    for (let at = 0; at < data.length; at += 500) {
      const chunk = data.slice(at, at + 500);
      const params = chunk.map((_, j) => `(${Array.from({ length: 6 }, (_, k) => `$${j * 6 + k + 1}`).join(', ')})`).join(', ');
      await sql.query(`INSERT INTO ${table} VALUES ${params}`, values.slice(at * 6, (at + chunk.length) * 6));
    }
    const fromTable = await scanVersionTable(sql as never, table, COLUMNS);
    const scanner = new LoadScanner(COLUMNS);
    for (const r of data) scanner.observe(r);
    return { fromTable, whileLoading: scanner.finish() };
  }

  it('finds what the table scan finds past the sample, in the same order and with the same counts', async () => {
    const { fromTable, whileLoading } = await both(SAMPLE_ROWS + 1500, 'big');
    expect(fromTable.findings.map((f) => `${f.column}:${f.kind}:${f.embedded}`)).toEqual(
      expect.arrayContaining(['公民身份号码:idNumber:false', '备注:idNumber:true', '联系电话:mobile:false']),
    );
    expect(whileLoading).toEqual(fromTable);
  });

  it('classifies a table smaller than the sample from the sample alone', async () => {
    const { fromTable, whileLoading } = await both(300, 'small');
    expect(fromTable.findings.length).toBeGreaterThan(0);
    expect(whileLoading).toEqual(fromTable);
  });
});
