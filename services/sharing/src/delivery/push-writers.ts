import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';

/** Where a push goes: the requester's own database (PostgreSQL or MySQL/MariaDB). */
export interface PushConnection {
  kind: 'postgres' | 'mysql';
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
}

export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const pgIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
const myIdent = (s: string) => `\`${s.replace(/`/g, '``')}\``;

/**
 * Replaces the content of `table` with the extract in one transaction (the requester never sees a
 * half-written version). Columns are text plus `_version`; the table is created when missing.
 */
export async function pushRows(conn: PushConnection, table: string, fields: string[], version: number, batches: AsyncIterable<Record<string, unknown>[]>): Promise<number> {
  if (!TABLE_NAME.test(table)) throw new Error(`invalid table name ${table}`);
  const cols = [...fields, '_version'];
  let rows = 0;
  if (conn.kind === 'postgres') {
    const client = new Client({ host: conn.host, port: conn.port, user: conn.user, password: conn.password, database: conn.database, connectionTimeoutMillis: 5000, statement_timeout: 60000 });
    // The requester's server going away mid-push rejects the query in flight, which fails the
    // push; pg also emits it on the client, and unheard that would end this whole process.
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`CREATE TABLE IF NOT EXISTS ${pgIdent(table)} (${fields.map((f) => `${pgIdent(f)} text`).join(', ')}, _version int)`);
      await client.query(`DELETE FROM ${pgIdent(table)}`);
      const perInsert = Math.max(1, Math.floor(30000 / cols.length));
      for await (const batch of batches)
        for (let i = 0; i < batch.length; i += perInsert) {
          const chunk = batch.slice(i, i + perInsert);
          const params: unknown[] = [];
          const tuples = chunk.map((r) => `(${cols.map((c) => `$${params.push(c === '_version' ? version : (r[c] ?? null))}`).join(',')})`);
          await client.query(`INSERT INTO ${pgIdent(table)} (${cols.map(pgIdent).join(',')}) VALUES ${tuples.join(',')}`, params);
          rows += chunk.length;
        }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await client.end().catch(() => undefined);
    }
    return rows;
  }
  const db = await createConnection({ host: conn.host, port: conn.port, user: conn.user, password: conn.password, database: conn.database, charset: 'utf8mb4', connectTimeout: 5000 });
  db.on('error', () => undefined); // as above: the statement in flight reports it
  try {
    await db.query(`CREATE TABLE IF NOT EXISTS ${myIdent(table)} (${fields.map((f) => `${myIdent(f)} TEXT`).join(', ')}, \`_version\` INT) DEFAULT CHARSET=utf8mb4`);
    await db.beginTransaction();
    await db.query(`DELETE FROM ${myIdent(table)}`);
    for await (const batch of batches)
      for (let i = 0; i < batch.length; i += 1000) {
        const chunk = batch.slice(i, i + 1000);
        await db.query(`INSERT INTO ${myIdent(table)} (${cols.map(myIdent).join(',')}) VALUES ?`, [chunk.map((r) => cols.map((c) => (c === '_version' ? version : (r[c] ?? null))))]);
        rows += chunk.length;
      }
    await db.commit();
  } catch (err) {
    await db.rollback().catch(() => undefined);
    throw err;
  } finally {
    await db.end().catch(() => undefined);
  }
  return rows;
}
