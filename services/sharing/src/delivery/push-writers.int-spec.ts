import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../../test/test-database';
import { pushRows } from './push-writers';

/** A push into the requester's PostgreSQL whose server goes away midway fails the push, not the process. */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('push_writers');
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

it('fails the push, and only the push, when the server ends its connection midway', async () => {
  const url = new URL(db.url);
  const conn = { kind: 'postgres' as const, host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) || undefined, database: url.pathname.slice(1) };
  const admin = new Client({ connectionString: db.url });
  await admin.connect();
  try {
    async function* batches(): AsyncGenerator<Record<string, unknown>[]> {
      yield [{ 名称: '甲' }, { 名称: '乙' }];
      // The push's own session, inside its transaction, ended from outside as a restart would.
      const { rows } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'`);
      expect(rows).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 100));
      yield [{ 名称: '丙' }];
    }
    await expect(pushRows(conn, 't_push', ['名称'], 1, batches())).rejects.toThrow();
    // Nothing half-written: the transaction never committed.
    expect((await admin.query(`SELECT to_regclass('t_push') AS t`)).rows[0].t).toBeNull();
    // And a push after it works.
    async function* again(): AsyncGenerator<Record<string, unknown>[]> {
      yield [{ 名称: '丁' }];
    }
    await expect(pushRows(conn, 't_push', ['名称'], 2, again())).resolves.toBe(1);
  } finally {
    await admin.end();
  }
});
