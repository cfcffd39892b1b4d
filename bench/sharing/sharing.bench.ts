/**
 * Sharing benchmark (issue 6):
 *  1. grant-scoped record reads (100 rows a page) at 32 concurrent clients through the records
 *     endpoint — credential check, scope, row filter, audit event per read — next to a minimal
 *     node:http + pg server answering the same page with the same statement, and the same
 *     statement on the raw table (pg, 32 and 10 connections), all in the same run: throughput,
 *     p50/p99, ratios. The load generator runs in a child process
 *     (load-client.ts), the minimal server in another (minimal-server.ts), so the client's CPU
 *     never shares the measured server's event loop;
 *  2. approval → usable grant in embedded mode: from the reviewer's approve call to the first
 *     successful grant-scoped read (credential issued in between), and the outbox → transport
 *     round-trip of `sharing.grant.created`; p50/p95.
 * Prints figures; asserts nothing.
 *
 *   npm run bench:sharing                      # 50,000 rows, 10 s per read phase, 50 approvals
 *   npm run bench:sharing -- --rows 200000 --seconds 20 --approvals 100 --clients 32
 */
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLogger, FileSystemObjectStorage, InProcessTransport, MemoryKeyValueStore, quoteIdent, ServiceRuntime } from '@gov/shared';
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { Client, Pool } from 'pg';
import { startPlatformServer } from '../../apps/embedded/src/platform-server';
import { tempDir } from '../../test/pg-server';
import { BenchDatabase } from '../catalog/database';
import { demoCreditCode } from '../../services/catalog/src/demo/demo-city.seeder';
import { benchDatabase } from '../ingest/platform';
import { LoadJob, LoadResult, LoadTarget, merge } from './load-client';
import type { MinimalServerConfig } from './minimal-server';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 50_000);
const SECONDS = arg('seconds', 10);
const CLIENTS = arg('clients', 32);
const APPROVALS = arg('approvals', 50);
/** Each read phase is run as this many interleaved slices of SECONDS / ROUNDS. */
const ROUNDS = arg('rounds', 4);
const PAGE = 100;
/** The records endpoint's read pool (SHARING_READ_POOL_SIZE default); the minimal server gets as many connections. */
const READ_POOL = 10;
const log = (m: string) => process.stdout.write(`${m}\n`);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));

async function json(baseUrl: string, token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

async function poll<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 5): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** GET over a keep-alive agent: status and body text (setup and the approval phase; the read phases use load-client.ts). */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The TypeScript require hook for the children; a --cpu-prof of this run profiles the platform only. */
const childExecArgv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof'));

/** Runs one read phase from a child process (load-client.ts). */
function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'load-client.ts'), [], { execArgv: childExecArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: LoadResult | undefined;
    child.once('message', (r: LoadResult) => (result = r));
    child.once('error', reject);
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`load client exited with ${code}`))));
    child.send(job);
  });
}

/** The minimal node:http + pg server in a child process; its port and a way to read its CPU time. */
async function startMinimalServer(config: MinimalServerConfig): Promise<{ port: number; cpu(): Promise<number>; stop(): Promise<void> }> {
  const child = fork(join(__dirname, 'minimal-server.ts'), [], { execArgv: childExecArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`minimal server exited with ${code}`)));
    child.send(config);
  });
  return {
    port,
    cpu: () =>
      new Promise((resolve) => {
        child.once('message', (m: { cpuMs: number }) => resolve(m.cpuMs));
        child.send('cpu');
      }),
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * --count-queries: counts this process's pg queries by statement during the scoped phase (every
 * pool, TypeORM's included), to see what a read costs downstream (audit relay, consumers).
 */
const queryCounts = new Map<string, number>();
let countQueries = false;
if (process.argv.includes('--count-queries')) {
  const original = Client.prototype.query as (...args: unknown[]) => unknown;
  (Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: Client, ...args: unknown[]) {
    if (countQueries) {
      const q = args[0] as string | { text?: string; name?: string };
      const text = (typeof q === 'string' ? q : (q?.text ?? q?.name ?? '?')).replace(/\s+/g, ' ').trim().slice(0, 110);
      queryCounts.set(text, (queryCounts.get(text) ?? 0) + 1);
    }
    return original.apply(this, args);
  };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const db: BenchDatabase = await benchDatabase(log);
  const pool = new Pool({ connectionString: db.url, max: 12 });
  // Dropping the bench database at the end terminates connections pg-pool is still closing.
  pool.on('error', () => undefined);
  const transport = new InProcessTransport(pool, { pollMs: 1000 });
  const runtime: ServiceRuntime = {
    mode: 'embedded',
    databaseUrl: db.url,
    transport,
    objectStorage: new FileSystemObjectStorage(join(await tempDir('govdata-bench-sharing-'), 'objects')),
    keyValue: new MemoryKeyValueStore(),
    logger: createLogger('bench', 'silent'),
    // As apps/embedded/src/embedded-runtime.ts: 5 connections per service, default outbox polling.
    settings: { jwtSecret: `bench-${randomBytes(24).toString('hex')}`, apiKeyPepper: 'bench-pepper-0123456789', bodyLimit: '1mb', dbPoolSize: 5, extra: { SEED_DEMO: 'true' } },
  };
  const server = await startPlatformServer(runtime, { port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(server.http.address() as AddressInfo).port}`;
  try {
    const login = async (u: string) => (await json(base, undefined, 'POST', '/api/catalog/auth/login', { username: u, password: 'Demo@2026' })).accessToken as string;
    const [op, admin, rev, rsj] = await Promise.all(['scjg_op', 'admin', 'scjg_rev', 'rsj_op'].map(login));

    // A 有条件共享 entry of 市场监管局 with ROWS rows in two districts.
    const items = [
      { name: '统一社会信用代码', dataType: 'C', length: 18 },
      { name: '企业名称', dataType: 'C', length: 100 },
      { name: '法定代表人', dataType: 'C', length: 50 },
      { name: '所属区划', dataType: 'C', length: 6 },
      { name: '注册资本', dataType: 'Y', length: 20 },
    ];
    const system = await json(base, op, 'POST', '/api/catalog/systems', { name: '市场主体登记系统' });
    const draft = await json(base, op, 'POST', '/api/catalog/entries', {
      metadata: {
        classification: { classCode: '2', itemCode: '01', categoryCode: '001' },
        name: '市场主体登记信息（基准）',
        abstract: '共享基准测试数据',
        format: { classCode: '3', type: 'PostgreSQL' },
        items,
        share: { type: 'CONDITIONAL', condition: '仅向履职部门提供', methodClass: 'PLATFORM', methodType: 'API' },
        open: { type: 'NOT_OPEN', basis: '《中华人民共和国个人信息保护法》第十三条' },
        updateCycle: 'MONTHLY',
        securityGrade: 'L2',
        domainCode: '01',
        systemId: system.id,
      },
    });
    await json(base, op, 'POST', `/api/catalog/entries/${draft.id}/submit`);
    await json(base, admin, 'POST', `/api/catalog/entries/${draft.id}/approve`, {});
    const ds = await poll(async () => ((await json(base, op, 'GET', '/api/ingest/datasets')) as any[]).find((d) => d.entryId === draft.id), 30_000, 50);
    let csv = items.map((i) => i.name).join(',') + '\n';
    for (let i = 0; i < ROWS; i++) csv += `${demoCreditCode('420700', i)},企业${i},法人${i},${i % 2 ? '420703' : '420702'},${(i + 1) * 100}\n`;
    const form = new FormData();
    form.append('file', new Blob([csv]), 'bench.csv');
    const t0 = Date.now();
    const job = await json(base, op, 'POST', `/api/ingest/datasets/${ds.id}/files`, form);
    const done = await poll(async () => {
      const j = await json(base, op, 'GET', `/api/ingest/jobs/${job.id}`);
      return ['succeeded', 'failed'].includes(j.state) && j;
    }, 300_000, 100);
    if (done.state !== 'succeeded') throw new Error(`load failed: ${JSON.stringify(done)}`);
    const shared = await poll(async () => (await json(base, rsj, 'GET', `/api/sharing/entries/${draft.id}`)).dataset, 120_000, 50);
    log(`loaded ${shared.rowCount} rows into sharing (ingest + snapshot load: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    // A narrower grant: three of five items, one district.
    const ask = async () =>
      (
        await json(base, rsj, 'POST', '/api/sharing/requests', {
          entries: [{ entryId: draft.id, items: ['统一社会信用代码', '企业名称', '所属区划'] }],
          purpose: '基准测试：核验企业登记信息',
          legalBasis: '《社会保险法》第五十七条',
          scenario: '参保登记',
          periodFrom: '2026-01-01',
          periodTo: '2030-12-31',
          deliveryMethod: 'interface',
          systemName: '社会保险信息系统',
        })
      ).requests[0].id as string;
    const approveBody = { rowFilter: [{ column: '所属区划', op: 'eq', value: '420702' }] };
    const decided = await json(base, rev, 'POST', `/api/sharing/requests/${await ask()}/approve`, approveBody);
    const { key } = await json(base, rsj, 'POST', `/api/sharing/grants/${decided.grantId}/credentials`);
    const pages = Math.floor(ROWS / 2 / PAGE);
    const table = `sharing.${quoteIdent(`ds_${ds.id.replace(/-/g, '')}_${shared.version}`)}`;

    const sql = `SELECT _row, "统一社会信用代码", "企业名称", "所属区划" FROM ${table} WHERE "所属区划"::text = $1 ORDER BY _row LIMIT $2 OFFSET $3`;
    const minimal = await startMinimalServer({ databaseUrl: db.url, connections: READ_POOL, sql, filterValue: '420702', fields: ['统一社会信用代码', '企业名称', '所属区划'] });
    const recordsUrl = `${base}/api/sharing/records/${draft.id}`;
    const minimalUrl = `http://127.0.0.1:${minimal.port}/records`;
    const phase = (target: LoadTarget, seconds = SECONDS): LoadJob => ({ target, clients: CLIENTS, seconds, pages, page: PAGE });

    // Warm up every path (JIT, prepared statements, pool connections).
    await runLoad(phase({ kind: 'http', url: recordsUrl, headers: { 'x-grant-key': key } }, 2));
    await runLoad(phase({ kind: 'http', url: minimalUrl, headers: {} }, 1));
    await runLoad(phase({ kind: 'pg', databaseUrl: db.url, connections: CLIENTS, sql, filterValue: '420702' }, 1));

    log(`\n1. record reads, ${PAGE} rows a page, ${CLIENTS} concurrent clients, ${SECONDS} s each in ${ROUNDS} interleaved rounds (pages 1–${pages} at random); load generator in a child process`);
    const loadBefore = loadavg()[0];
    const { rows: auditedBefore } = await pool.query(`SELECT count(*)::int AS n FROM sharing.outbox WHERE event_name='sharing.data.accessed'`);
    // Interleaved rounds, so a change in the machine's load (other sessions) hits every line alike.
    const runs: Record<'scoped' | 'minimal' | 'raw' | 'rawPool', LoadResult[]> = { scoped: [], minimal: [], raw: [], rawPool: [] };
    let scopedCpu = 0;
    let minimalCpu = 0;
    const slice = SECONDS / ROUNDS;
    for (let round = 0; round < ROUNDS; round++) {
      let c0 = cpuMs();
      countQueries = true;
      runs.scoped.push(await runLoad(phase({ kind: 'http', url: recordsUrl, headers: { 'x-grant-key': key } }, slice)));
      countQueries = false;
      scopedCpu += cpuMs() - c0;
      c0 = await minimal.cpu();
      runs.minimal.push(await runLoad(phase({ kind: 'http', url: minimalUrl, headers: {} }, slice)));
      minimalCpu += (await minimal.cpu()) - c0;
      runs.raw.push(await runLoad(phase({ kind: 'pg', databaseUrl: db.url, connections: CLIENTS, sql, filterValue: '420702' }, slice)));
      runs.rawPool.push(await runLoad(phase({ kind: 'pg', databaseUrl: db.url, connections: READ_POOL, sql, filterValue: '420702' }, slice)));
    }
    const [scoped, minimalRun, rawRun, rawRunPool] = [runs.scoped, runs.minimal, runs.raw, runs.rawPool].map(merge);
    const { rows: auditedAfter } = await pool.query(`SELECT count(*)::int AS n FROM sharing.outbox WHERE event_name='sharing.data.accessed'`);
    const loadAfter = loadavg()[0];
    await minimal.stop();
    const line = (name: string, r: LoadResult, extra = '') =>
      log(`   ${name}: ${fmt(r.rate)} reads/s  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms  (${r.n} reads${r.errors.length ? `, errors: ${r.errors.join('; ')}` : ''})${extra}`);
    line('grant-scoped records endpoint (HTTP, credential, scope, audit event)', scoped, `  platform CPU ${fmt(scopedCpu / Math.max(1, scoped.n))} ms/read`);
    line(`minimal node:http + pg server (${READ_POOL} connections, same statement)`, minimalRun, `  server CPU ${fmt(minimalCpu / Math.max(1, minimalRun.n))} ms/read`);
    line(`raw table (same statement over pg, ${CLIENTS} connections)`, rawRun);
    line(`raw table, ${READ_POOL} connections (the records endpoint's read pool)`, rawRunPool);
    log(`   ratio scoped / raw: ${(scoped.rate / rawRun.rate).toFixed(2)} (${CLIENTS} connections), ${(scoped.rate / rawRunPool.rate).toFixed(2)} (${READ_POOL})  (target ≥ 0.60)`);
    log(`   where it goes: minimal HTTP / raw ${(minimalRun.rate / rawRun.rate).toFixed(2)} (HTTP and JSON), scoped / minimal HTTP ${(scoped.rate / minimalRun.rate).toFixed(2)} (the platform)`);
    if (queryCounts.size) {
      log(`   pg statements in this process during the scoped phase, per read:`);
      for (const [text, n] of [...queryCounts].sort((a, b) => b[1] - a[1]).slice(0, 15)) log(`     ${(n / Math.max(1, scoped.n)).toFixed(3)}  ${text}`);
    }
    log(`   scoped / raw by round: ${runs.scoped.map((r, i) => (r.rate / runs.raw[i].rate).toFixed(2)).join(', ')}`);
    log(`   access events written: ${auditedAfter[0].n - auditedBefore[0].n} (scoped reads incl. warm-up calls: ${scoped.n} + ${CLIENTS * ROUNDS}); load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`);

    if (APPROVALS > 0) {
    log(`\n2. approval → usable grant, embedded mode, ${APPROVALS} approvals`);
    const usable: number[] = [];
    const roundTrip: number[] = [];
    for (let i = 0; i < APPROVALS; i++) {
      const id = await ask();
      const t = process.hrtime.bigint();
      const d = await json(base, rev, 'POST', `/api/sharing/requests/${id}/approve`, approveBody);
      const cred = await json(base, rsj, 'POST', `/api/sharing/grants/${d.grantId}/credentials`);
      await poll(async () => (await get(`${base}/api/sharing/records/${draft.id}?pageSize=1`, { 'x-grant-key': cred.key })).status === 200, 10_000, 1);
      usable.push(Number(process.hrtime.bigint() - t) / 1e6);
      const published = await poll(async () => {
        const { rows } = await pool.query(
          `SELECT extract(epoch FROM (published_at - created_at)) * 1000 AS ms FROM sharing.outbox WHERE event_name='sharing.grant.created' AND envelope->'payload'->>'grantId' = $1 AND published_at IS NOT NULL`,
          [d.grantId],
        );
        return rows[0];
      }, 10_000, 2);
      roundTrip.push(Number(published.ms));
    }
    usable.sort((x, y) => x - y);
    roundTrip.sort((x, y) => x - y);
    log(`   approve call → credential → first successful read: p50 ${fmt(pct(usable, 50))} ms  p95 ${fmt(pct(usable, 95))} ms  max ${fmt(usable[usable.length - 1])} ms  (target p95 < 100 ms)`);
    log(`   sharing.grant.created outbox commit → published on the event log: p50 ${fmt(pct(roundTrip, 50))} ms  p95 ${fmt(pct(roundTrip, 95))} ms`);
    }
    log(`\nmachine: ${(await import('node:os')).cpus().length} cores; PostgreSQL ${db.url.replace(/\/\/[^@]*@/, '//')}`);
  } finally {
    await server.close();
    await transport.close();
    await pool.end();
    await db.close(process.env.BENCH_KEEP_DB === '1');
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
