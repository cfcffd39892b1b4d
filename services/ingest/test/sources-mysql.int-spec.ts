import { randomBytes } from 'node:crypto';
import { createConnection, Connection } from 'mysql2/promise';
import { SourceError, SourceRecord } from '../src/pipeline/contracts';
import { DbPullConfig, parseAllowedHosts, pullDatabase } from '../src/sources';

/**
 * Database pull from MySQL/MariaDB. Runs only when MYSQL_URL points at a reachable server whose
 * user may create and drop a database, e.g.
 *
 *   docker run -d --rm --name govdata-test-mariadb -p 127.0.0.1:3306:3306 \
 *     -e MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1 mariadb:10.11
 *   MYSQL_URL=mysql://root@127.0.0.1:3306 npx jest services/ingest/test/sources --selectProjects integration
 *
 * or a Debian/Ubuntu package: `apt-get install -y mariadb-server && service mariadb start`, then
 * `MYSQL_URL=mysql://root@127.0.0.1:3306` (root over TCP from 127.0.0.1 has no password there).
 * Without MYSQL_URL the tests are skipped with the reason printed.
 */

const MYSQL_URL = process.env.MYSQL_URL;
const NOT_SET = MYSQL_URL ? undefined : 'MYSQL_URL is not set (see the comment at the top of sources-mysql.int-spec.ts)';
if (NOT_SET) process.stdout.write(`[sources-mysql] skipping MySQL/MariaDB database pull: ${NOT_SET}\n`);

const maybe = NOT_SET ? it.skip : it;
const POLICY = parseAllowedHosts('127.0.0.1,localhost,::1');

let admin: Connection | undefined;
let unreachable: string | undefined;
let conn: Pick<DbPullConfig, 'kind' | 'host' | 'port' | 'database' | 'user' | 'password'>;
const dbName = `govdata_src_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  if (NOT_SET) return;
  const url = new URL(MYSQL_URL!);
  try {
    admin = await createConnection({ uri: MYSQL_URL, connectTimeout: 3000, multipleStatements: true });
  } catch (err) {
    unreachable = `MYSQL_URL=${url.protocol}//${url.host} is unreachable (${(err as Error).message})`;
    process.stdout.write(`[sources-mysql] skipping: ${unreachable}\n`);
    return;
  }
  conn = {
    kind: 'mysql',
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || 3306),
    database: dbName,
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
  };
  await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4`);
  await admin.query(`USE \`${dbName}\``);
  await admin.query(`
    CREATE TABLE \`企业 名录\` (
      id BIGINT PRIMARY KEY,
      name VARCHAR(100) NOT NULL,
      capital DECIMAL(30, 2),
      active BIT(1),
      founded DATE,
      updated_at DATETIME(6) NOT NULL,
      stamp TIMESTAMP NULL,
      extra JSON,
      logo VARBINARY(16),
      note TEXT
    );
    INSERT INTO \`企业 名录\` VALUES
      (9007199254740993, '甲公司', 12345678901234567890.12, b'1', '2001-02-03', '2025-01-01 08:00:00.123456', '2025-01-01 00:00:00', '{"a": 1}', x'0102ff', 'it''s'),
      (2, '乙公司', NULL, b'0', NULL, '2025-01-02 00:00:00', NULL, NULL, NULL, NULL),
      (3, '丙公司', 0.50, NULL, '1999-12-31', '2025-01-03 00:00:00', NULL, '[]', NULL, '');
    CREATE TABLE probe (n INT);
  `);
  await admin.query(`CREATE FUNCTION sneaky_write() RETURNS INT MODIFIES SQL DATA BEGIN INSERT INTO probe VALUES (1); RETURN 1; END`);
});

afterAll(async () => {
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.end();
  }
});

/** True (and says why) when the server was given but could not be reached. */
function skipped(): boolean {
  if (unreachable) process.stdout.write(`[sources-mysql] test skipped: ${unreachable}\n`);
  return !!unreachable;
}

async function rowsOf(table: { records: AsyncIterable<SourceRecord> }): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of table.records) out.push(r);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    return err as SourceError;
  }
  throw new Error('did not fail');
}

const TABLE = '企业 名录';

describe('database pull (pullDatabase, MySQL/MariaDB)', () => {
  maybe('pulls a whole table as a stream, values as text', async () => {
    if (skipped()) return;
    const table = await pullDatabase({ ...conn, table: TABLE, batchSize: 1 }, { hostPolicy: POLICY });
    expect(table.sourceKind).toBe('mysql');
    expect(table.header).toEqual(['id', 'name', 'capital', 'active', 'founded', 'updated_at', 'stamp', 'extra', 'logo', 'note']);
    const rows = await rowsOf(table);
    const byId = Object.fromEntries(rows.map((r) => [r.values[0], r.values]));
    expect(byId['9007199254740993']).toEqual([
      '9007199254740993',
      '甲公司',
      '12345678901234567890.12',
      '1',
      '2001-02-03',
      '2025-01-01T08:00:00.123456',
      '2025-01-01T00:00:00',
      expect.stringMatching(/^\{"a":\s?1\}$/),
      '\\x0102ff',
      "it's",
    ]);
    expect(byId['2']).toEqual(['2', '乙公司', null, '0', null, '2025-01-02T00:00:00.000000', null, null, null, null]);
    expect(byId['3'][9]).toBe('');
    expect(table.rowCount()).toBe(3);
  });

  maybe('pulls incrementally and moves the watermark', async () => {
    if (skipped()) return;
    const first = await pullDatabase({ ...conn, table: TABLE, incremental: { column: 'updated_at' } }, { hostPolicy: POLICY });
    expect((await rowsOf(first)).map((r) => r.values[1])).toEqual(['甲公司', '乙公司', '丙公司']);
    const wm = first.highWatermark();
    expect(wm).toBe('2025-01-03T00:00:00.000000');

    await admin!.query(`INSERT INTO \`${dbName}\`.\`企业 名录\` (id, name, updated_at) VALUES (4, '丁公司', '2025-01-03 00:00:00.5'), (5, '戊公司', '2025-02-01 00:00:00')`);
    const next = await pullDatabase({ ...conn, table: TABLE, incremental: { column: 'updated_at', lastValue: wm } }, { hostPolicy: POLICY });
    expect((await rowsOf(next)).map((r) => r.values[0])).toEqual(['4', '5']);
    expect(next.highWatermark()).toBe('2025-02-01T00:00:00.000000');

    const bySeq = await pullDatabase({ ...conn, query: 'SELECT id, name FROM `企业 名录` # all', incremental: { column: 'id', lastValue: '3' } }, { hostPolicy: POLICY });
    expect((await rowsOf(bySeq)).map((r) => r.values[0])).toEqual(['4', '5', '9007199254740993']);
    expect(bySeq.highWatermark()).toBe('9007199254740993');
  });

  maybe('refuses what is not a single SELECT and runs read-only', async () => {
    if (skipped()) return;
    for (const q of ['DELETE FROM probe', 'SELECT 1; DELETE FROM probe', 'SELECT 1 /*!50000 INTO OUTFILE "/tmp/x" */'])
      expect((await failure(pullDatabase({ ...conn, query: q }, { hostPolicy: POLICY }))).code).toBe('DB_QUERY_NOT_ALLOWED');
    const err = await failure(pullDatabase({ ...conn, query: 'SELECT sneaky_write()' }, { hostPolicy: POLICY }).then(rowsOf));
    expect(err.code).toBe('DB_QUERY_FAILED');
    expect(err.en).toMatch(/READ ONLY/i);
    const [rows] = await admin!.query(`SELECT COUNT(*) AS n FROM \`${dbName}\`.probe`);
    expect((rows as { n: number }[])[0].n).toBe(0);
  });

  maybe('reports a missing incremental column, a wrong password and a wrong database clearly', async () => {
    if (skipped()) return;
    expect((await failure(pullDatabase({ ...conn, query: 'SELECT name FROM `企业 名录`', incremental: { column: 'id' } }, { hostPolicy: POLICY }))).code).toBe(
      'DB_INCREMENTAL_COLUMN_MISSING',
    );
    expect((await failure(pullDatabase({ ...conn, database: 'no_such_db_x', table: TABLE }, { hostPolicy: POLICY }))).code).toMatch(/DB_CONNECT_FAILED|DB_AUTH_FAILED/);
    const wrong = await failure(pullDatabase({ ...conn, user: 'govdata_nobody', password: 'pw-SECRET-pw', table: TABLE }, { hostPolicy: POLICY }));
    expect(wrong.code).toBe('DB_AUTH_FAILED');
    expect(`${wrong.en}${wrong.zh}${wrong.stack}`).not.toContain('pw-SECRET-pw');
  });

  maybe('ends its connection when the consumer stops early', async () => {
    if (skipped()) return;
    const [before] = await admin!.query(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?`, [dbName]);
    const table = await pullDatabase({ ...conn, table: TABLE, batchSize: 1 }, { hostPolicy: POLICY });
    for await (const _ of table.records) break;
    const until = Date.now() + 5000;
    for (;;) {
      const [now] = await admin!.query(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?`, [dbName]);
      if (Number((now as { n: number }[])[0].n) <= Number((before as { n: number }[])[0].n)) break;
      if (Date.now() > until) throw new Error('the connection stayed open');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
