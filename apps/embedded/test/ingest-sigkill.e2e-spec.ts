import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, tempDir } from '../../../test/pg-server';
import { login, poll, Proc, REPO, requireBuilt, startNode, stop, waitHealthy } from '../../../test/processes';
import { createTestDatabase, TestDatabase } from '../../../test/test-database';

/**
 * 归集 crash safety, on the built embedded process: a SIGKILL in the middle of a load leaves no
 * partial version visible (the previous current version stays current, the new version's table
 * never committed), and after a restart the job is found by its stale heartbeat, requeued and
 * finished: a new current version with every row.
 *
 * The process runs on a fresh database of the test PostgreSQL server (DATABASE_URL), so the
 * checks after the kill read it directly. INGEST_E2E_PG=embedded runs the process on its own
 * embedded PostgreSQL instead; the checks then go to the postmaster the killed process left
 * running (the next start shuts it down, as in crash-recovery.e2e-spec.ts).
 */
const SERVICES = ['catalog', 'ingest', 'sharing', 'open', 'audit'];
const ROWS = Number(process.env.INGEST_E2E_ROWS ?? 600_000);
const STALE_AFTER_MS = 3000;
const CHUNK = 8 * 1024 * 1024;
const embeddedPg = process.env.INGEST_E2E_PG === 'embedded';

let dataDir: string;
let env: Record<string, string>;
let base: string;
let proc: Proc | undefined;
let testDb: TestDatabase | undefined;
let small: Buffer;
let big: Buffer;

async function boot(): Promise<Proc> {
  const p = startNode('dist/apps/embedded/main.js', env);
  for (const s of SERVICES) await waitHealthy(`${base}/api/${s}/health`, p, 120_000);
  return p;
}

/** A connection to the database the process uses (after a SIGKILL too). */
async function platformDb(): Promise<Client> {
  let url = testDb?.url;
  if (!url) {
    const { pgPassword } = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as { pgPassword: string };
    url = `postgres://postgres:${encodeURIComponent(pgPassword)}@127.0.0.1:${env.PG_PORT}/platform`;
  }
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
}

const log = (m: string) => process.stdout.write(`[ingest sigkill e2e] ${m}\n`);

async function call<T = any>(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const raw = body instanceof Buffer;
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : raw ? (body as never) : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

async function expectStatus<T = any>(status: number, method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const res = await call<T>(method, path, token, body, headers);
  if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const ITEMS = [
  { name: '统一社会信用代码', dataType: 'C', length: 18 },
  { name: '企业名称', dataType: 'C', length: 100 },
  { name: '法定代表人', dataType: 'C', length: 50 },
  { name: '成立日期', dataType: 'D' },
  { name: '注册资本', dataType: 'Y', length: 20 },
];

/** Publishes an entry as scjg_op, approved by admin, and waits for its dataset in ingest. */
async function publishDataset(op: string, admin: string, name: string): Promise<{ id: string }> {
  const systems = await expectStatus<{ id: string }[]>(200, 'GET', '/api/catalog/systems', op);
  const systemId = systems[0]?.id ?? (await expectStatus(201, 'POST', '/api/catalog/systems', op, { name: '归集测试业务系统' })).id;
  const draft = await expectStatus(201, 'POST', '/api/catalog/entries', op, {
    metadata: {
      classification: { classCode: '2', itemCode: '01', categoryCode: '001' },
      name,
      abstract: `${name}（归集崩溃测试）`,
      format: { classCode: '3', type: 'PostgreSQL' },
      items: ITEMS,
      share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' },
      open: { type: 'UNCONDITIONAL' },
      updateCycle: 'MONTHLY',
      securityGrade: 'L1',
      domainCode: '01',
      systemId,
    },
  });
  await expectStatus(200, 'POST', `/api/catalog/entries/${draft.id}/submit`, op);
  await expectStatus(200, 'POST', `/api/catalog/entries/${draft.id}/approve`, admin, {});
  return poll(async () => (await expectStatus<{ id: string; entryId: string }[]>(200, 'GET', '/api/ingest/datasets', op)).find((d) => d.entryId === draft.id), 30_000);
}

/**
 * `count` enterprise rows with valid, distinct 统一社会信用代码 (demoCreditCode covers ~70,000 per
 * region), written by a plain node process from the built code: the same loop under jest's module
 * sandbox is several times slower.
 */
function enterpriseCsv(count: number, path: string): void {
  const script = `
    const { demoCreditCode } = require(${JSON.stringify(join(REPO, 'dist/services/catalog/demo/demo-city.seeder.js'))});
    const lines = ['统一社会信用代码,企业名称,法定代表人,成立日期,注册资本'];
    for (let i = 0; i < ${count}; i++) {
      const region = String(350100 + Math.floor(i / 70000) * 100);
      lines.push(demoCreditCode(region, i % 70000) + ',示范企业' + i + '有限公司,法人' + (i % 977) + ',2021-03-' + String((i % 28) + 1).padStart(2, '0') + ',' + (i % 1000) * 100);
    }
    require('node:fs').writeFileSync(${JSON.stringify(path)}, lines.join('\\r\\n') + '\\r\\n');
  `;
  execFileSync(process.execPath, ['-e', script], { cwd: REPO, stdio: 'inherit' });
}

/** Uploads through a resumable session, in chunks; returns the job id. */
async function uploadInChunks(op: string, datasetId: string, fileName: string, body: Buffer): Promise<string> {
  const session = await expectStatus(201, 'POST', `/api/ingest/datasets/${datasetId}/upload-sessions`, op, { fileName, size: body.length });
  let done: { status: string; jobId: string | null } = session;
  for (let offset = 0; offset < body.length; offset += CHUNK) {
    done = await expectStatus(200, 'PATCH', `/api/ingest/upload-sessions/${session.id}`, op, body.subarray(offset, offset + CHUNK), {
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
    });
  }
  expect(done.status).toBe('complete');
  return done.jobId!;
}

interface VersionRow {
  version: number;
  status: string;
  table_name: string;
  row_count: string;
  error: { code: string } | null;
}

async function versionsOf(db: Client, datasetId: string): Promise<VersionRow[]> {
  return (await db.query<VersionRow>(`SELECT version, status, table_name, row_count, error FROM ingest.dataset_version WHERE dataset_id = $1 ORDER BY version`, [datasetId])).rows;
}

/** ingest's table of a dataset version (services/ingest/src/loading/version-table.ts). */
const versionTable = (datasetId: string, version: number) => `dv_${datasetId.replace(/-/g, '')}_${version}`;
/** A backend's statement that is the COPY into the table named by $1 (position(): '_' is a LIKE wildcard). */
const copyInto = `query ILIKE 'COPY ingest.%' AND position($1 in query) > 0`;

async function tableExists(db: Client, table: string): Promise<boolean> {
  return (await db.query(`SELECT to_regclass($1) AS t`, [`ingest."${table}"`])).rows[0].t !== null;
}

beforeAll(async () => {
  // Made before any connection is open: a long synchronous pause would race the server's keep-alive timeout.
  const dir = await tempDir('govdata-e2e-ingest-');
  const generating = Date.now();
  requireBuilt('dist/services/catalog/demo/demo-city.seeder.js');
  enterpriseCsv(100, join(dir, 'v1.csv'));
  enterpriseCsv(ROWS, join(dir, 'big.csv'));
  [small, big] = [await readFile(join(dir, 'v1.csv')), await readFile(join(dir, 'big.csv'))];
  log(`generated ${ROWS} rows (${(big.length / 1024 / 1024).toFixed(1)} MB) in ${Date.now() - generating} ms`);
  dataDir = join(dir, 'data');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  if (!embeddedPg) testDb = await createTestDatabase('ingest_sigkill');
  env = {
    PORT: String(port),
    PG_PORT: String(await freePort()),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DATABASE_URL: testDb?.url ?? '',
    SEED_DEMO: 'true',
    INGEST_STALE_AFTER_MS: String(STALE_AFTER_MS),
  };
  log(`PostgreSQL: ${embeddedPg ? `embedded, port ${env.PG_PORT}` : 'the test server (DATABASE_URL of a fresh database)'}; ${ROWS} rows`);
}, 60_000);

afterAll(async () => {
  if (proc && process.env.INGEST_E2E_VERBOSE) log(`process output:\n${proc.output().slice(-5000)}`);
  const started = Date.now();
  if (proc) await stop(proc, 'SIGTERM');
  log(`stopped in ${Date.now() - started} ms`);
  await testDb?.drop().catch(() => undefined);
}, 30_000);

it('SIGKILL during a load: no partial version visible, the previous one stays current, the job is recovered after restart', async () => {
  let started = Date.now();
  proc = await boot();
  log(`first start ready in ${Date.now() - started} ms`);
  const [op, admin] = [await login(base, 'scjg_op'), await login(base, 'admin')];
  const dataset = await publishDataset(op, admin, '企业登记信息（崩溃恢复）');

  // v1: a small load that becomes current.
  const v1Job = await uploadInChunks(op, dataset.id, '企业登记-v1.csv', small);
  const v1 = await poll(async () => {
    const j = await expectStatus(200, 'GET', `/api/ingest/jobs/${v1Job}`, op);
    return j.state === 'succeeded' || j.state === 'failed' ? j : undefined;
  }, 30_000);
  expect(v1).toMatchObject({ state: 'succeeded', version: 1, rowsRead: 100, rowsRejected: 0 });

  // v2: a large load, killed while it runs.
  started = Date.now();
  const jobId = await uploadInChunks(op, dataset.id, '企业登记-全量.csv', big);
  log(`uploaded ${(big.length / 1024 / 1024).toFixed(1)} MB in ${Date.now() - started} ms`);
  // Killed while its COPY runs, as PostgreSQL sees it. Watched from the database, not the API: the
  // job's progress is written about once a second, and a busy load can finish between two writes.
  // The COPY into this job's own version table: the demo data's loads (SEED_DEMO) may be running
  // too on a slow start, with this job still queued behind them.
  const watcher = await platformDb();
  try {
    await poll(async () => {
      const [job] = (await watcher.query(`SELECT state, version FROM ingest.job WHERE id = $1`, [jobId])).rows;
      if (job.state === 'succeeded' || job.state === 'failed') throw new Error(`the load ended before it could be killed: ${job.state} (raise INGEST_E2E_ROWS)`);
      // Meanwhile the previous version is what readers get.
      expect((await watcher.query(`SELECT current_version FROM ingest.dataset WHERE id = $1`, [dataset.id])).rows[0].current_version).toBe(1);
      if (job.version === null) return undefined;
      const { rows } = await watcher.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND ${copyInto}`, [versionTable(dataset.id, job.version)]);
      return rows[0].n > 0 ? true : undefined;
    }, 60_000);
    proc.child.kill('SIGKILL');
    await proc.exited;
  } finally {
    await watcher.end();
  }
  log(`killed during the COPY of version 2 (${ROWS} rows)`);

  const db = await platformDb();
  try {
    // The killed connection's transaction ends once its backend sees the socket closed.
    await poll(async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' AND ${copyInto}`, [versionTable(dataset.id, 2)]);
      return rows[0].n === 0 ? true : undefined;
    }, 20_000);
    const versions = await versionsOf(db, dataset.id);
    expect(versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'current'],
      [2, 'loading'],
    ]);
    expect(versions.filter((v) => v.status === 'current').map((v) => v.version)).toEqual([1]);
    expect(await tableExists(db, versions[1].table_name)).toBe(false);
    const { rows: tables } = await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'ingest' AND tablename LIKE $1 ORDER BY tablename`, [`${versions[0].table_name.replace(/_1$/, '')}_%`]);
    expect(tables.map((t) => t.tablename)).toEqual([versions[0].table_name]);
    expect((await db.query(`SELECT count(*)::int AS n FROM ingest."${versions[0].table_name}"`)).rows[0].n).toBe(100);
    expect((await db.query(`SELECT current_version FROM ingest.dataset WHERE id = $1`, [dataset.id])).rows[0].current_version).toBe(1);
    const [job] = (await db.query(`SELECT state, attempts FROM ingest.job WHERE id = $1`, [jobId])).rows;
    expect(job).toEqual({ state: 'running', attempts: 1 });
  } finally {
    await db.end();
  }

  // Restart: the stale job is requeued, its loading version discarded, and the load runs again.
  started = Date.now();
  proc = await boot();
  log(`restart after SIGKILL ready in ${Date.now() - started} ms`);
  const op2 = await login(base, 'scjg_op');
  const finished = await poll(async () => {
    // The dataset is read before the job: the switch to the new version and the job's success commit together.
    const current = (await expectStatus(200, 'GET', `/api/ingest/datasets/${dataset.id}`, op2)).currentVersion;
    const j = await expectStatus(200, 'GET', `/api/ingest/jobs/${jobId}`, op2);
    if (j.state !== 'succeeded') expect(current).toBe(1);
    return j.state === 'succeeded' || j.state === 'failed' ? j : undefined;
  }, 180_000);
  log(`recovered job finished ${Date.now() - started} ms after the restart began`);
  expect(finished).toMatchObject({ state: 'succeeded', version: 3, rowsRead: ROWS, rowsRejected: 0, error: null });

  const versions = await expectStatus<any[]>(200, 'GET', `/api/ingest/datasets/${dataset.id}/versions`, op2);
  expect(versions.map((v) => [v.version, v.status])).toEqual([
    [3, 'current'],
    [2, 'failed'],
    [1, 'superseded'],
  ]);
  expect(versions[0].rowCount).toBe(ROWS);
  expect(versions[1].error.code).toBe('LOAD_INTERRUPTED');
  // The interrupted version is not readable, the new one is.
  expect((await call('GET', `/api/ingest/datasets/${dataset.id}/rows?version=2`, op2)).body.code).toBe('VERSION_NOT_FOUND');
  const rows = await expectStatus(200, 'GET', `/api/ingest/datasets/${dataset.id}/rows?pageSize=1`, op2);
  expect(rows).toMatchObject({ version: 3, total: ROWS });

  const after = await platformDb();
  try {
    const v = await versionsOf(after, dataset.id);
    expect(await tableExists(after, v[1].table_name)).toBe(false);
    expect((await after.query(`SELECT count(*)::int AS n FROM ingest."${v[2].table_name}"`)).rows[0].n).toBe(ROWS);
    expect((await after.query(`SELECT attempts FROM ingest.job WHERE id = $1`, [jobId])).rows[0].attempts).toBe(2);
  } finally {
    await after.end();
  }
}, 420_000);
