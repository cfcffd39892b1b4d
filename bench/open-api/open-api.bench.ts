/**
 * Open API benchmark (issue 7), on a dataset of ROWS rows (default 1,000,000) loaded through the
 * real path (catalog → ingest upload → snapshot → open-api load with masking):
 *  1. records API at CLIENTS concurrent keep-alive connections with a valid API key, rate limiting
 *     and access events on:
 *       Q1 filter + order + limit 100:  filter=所属区划:eq:<region>&order=-注册资本&limit=100
 *       Q2 key lookup:                  filter=统一社会信用代码:eq:<code>
 *     next to a minimal node:http + pg server answering the same SQL on the same table in the same
 *     run (pool of the same size as the service's): throughput, p50/p99 and the ratio;
 *  2. a full CSV download of the dataset: time, MB/s and the process's peak RSS while streaming.
 * Prints figures; asserts nothing.
 *
 *   npm run bench:open-api                         # 1,000,000 rows, 10 s per phase, 32 clients
 *   npm run bench:open-api -- --rows 200000 --seconds 5
 *   npm run bench:open-api -- --only q2            # one query, no download
 *   npm run bench:open-api -- --rounds 4           # service and reference alternate in 4 slices each (default)
 *   BENCH_OPEN_PROFILE=/tmp/prof npm run bench:open-api   # CPU profile of each open-api run (.cpuprofile + hot spots)
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createLogger, FileSystemObjectStorage, InProcessTransport, MemoryKeyValueStore, organizationCodeCheckChar, quoteIdent, ServiceRuntime, usccCheckChar } from '@gov/shared';
import { Pool } from 'pg';
import { startPlatformServer } from '../../apps/embedded/src/platform-server';
import { tempDir } from '../../test/pg-server';
import { Api, benchDatabase, poll, uploadFileStreamed, waitForJob } from '../ingest/platform';
import { CpuProfiler, hotSpots } from '../ingest/profile';
import { settle } from '../ingest/settle';
import { startCpuMeter } from '../ingest/cpu-meter';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 1_000_000);
const SECONDS = arg('seconds', 10);
const CLIENTS = arg('clients', 32);
const ROUNDS = Math.max(1, arg('rounds', 4));
/** `--only q1` or `--only q2`: one query only (and no download), for quicker comparisons while profiling. */
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? process.argv[i + 1].toLowerCase() : undefined;
})();
/**
 * BENCH_OPEN_MARKS=<file>: the slices' CLOCK_MONOTONIC windows (ns), written at the end, to split an
 * on-CPU profile taken from outside (`perf record -k CLOCK_MONOTONIC -p <pid>`) by server.
 */
const marks: { server: string; from: string; to: string }[] | undefined = process.env.BENCH_OPEN_MARKS ? [] : undefined;
const POOL = 5; // connections of open-api's read pool (OPEN_READ_POOL_SIZE) and of the minimal server
const REGIONS = ['420202', '420203', '420204', '420205', '420222'];
const log = (m: string) => process.stdout.write(`${m}\n`);
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

/** A checksum-valid 统一社会信用代码 for every index up to 10^8 (企业 91, 黄石 420200). */
function creditCode(i: number): string {
  const org = String(i).padStart(8, '0');
  const first17 = `91420200${org}${organizationCodeCheckChar(org)}`;
  return first17 + usccCheckChar(first17);
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
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

async function json(base: string, method: string, path: string, o: { token?: string; body?: unknown } = {}): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

interface LoadRun {
  lat: number[];
  elapsed: number;
  /** CPU time of this whole process (platform, both servers and the bench client) during the run, µs. */
  cpuUs: number;
  /** Of cpuUs, the kernel's share (socket writes and reads on loopback are charged to the writer), µs. */
  sysUs: number;
  /** CPU time of the local PostgreSQL server's processes during the run, µs (absent without /proc). */
  pgUs?: number;
  /** How long the event loop was held up: p99 and max of its delay, ms (what every request in flight waits). */
  loopDelay: { p99: number; max: number };
}

async function load(clients: number, seconds: number, fn: (i: number) => Promise<void>): Promise<LoadRun> {
  const until = Date.now() + seconds * 1000;
  const lat: number[] = [];
  let i = 0;
  const cpu = process.cpuUsage();
  const meter = startCpuMeter();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const t = process.hrtime.bigint();
        await fn(i++);
        lat.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const { postgres } = meter();
  delay.disable();
  return { lat, elapsed, cpuUs: used.user + used.system, sysUs: used.system, ...(postgres !== undefined ? { pgUs: postgres * 1e6 } : {}), loopDelay: { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 } };
}

function summarize(runs: LoadRun[]) {
  const lat = runs.flatMap((r) => r.lat).sort((x, y) => x - y);
  const elapsed = runs.reduce((a, r) => a + r.elapsed, 0);
  const cpuUs = runs.reduce((a, r) => a + r.cpuUs, 0);
  const sysUs = runs.reduce((a, r) => a + r.sysUs, 0);
  const pgUs = runs.every((r) => r.pgUs !== undefined) ? runs.reduce((a, r) => a + r.pgUs!, 0) : undefined;
  const per = (us: number) => us / 1000 / Math.max(1, lat.length);
  return { rate: lat.length / elapsed, p50: pct(lat, 50), p99: pct(lat, 99), n: lat.length, cpuMsPerRequest: per(cpuUs), sysMsPerRequest: per(sysUs), pgMsPerRequest: pgUs === undefined ? undefined : per(pgUs), busyCores: (cpuUs + (pgUs ?? 0)) / 1e6 / elapsed, loopP99: Math.max(...runs.map((r) => r.loopDelay.p99)), loopMax: Math.max(...runs.map((r) => r.loopDelay.max)) };
}

/**
 * The service and the reference in alternating slices (ROUNDS of each, SECONDS split between
 * them), so that load from other processes on a shared machine falls on both alike. Each slice
 * starts once the platform is idle: the audit service consumes the access events of a service
 * slice after it, and that work must not fall on the reference's slice (nor its CPU on its count).
 */
async function compare(dbUrl: string, svc: (i: number) => Promise<void>, ref: (i: number) => Promise<void>, onServiceRun?: { before(): Promise<void>; after(): Promise<void> }) {
  const s: LoadRun[] = [];
  const r: LoadRun[] = [];
  const slice = SECONDS / ROUNDS;
  for (let k = 0; k < ROUNDS; k++) {
    await settle(dbUrl, { checkpoint: false });
    // Profiled slice by slice: the sampler's own thread would keep the process from ever looking idle.
    await onServiceRun?.before();
    const t0 = process.hrtime.bigint();
    s.push(await load(CLIENTS, slice, svc));
    marks?.push({ server: 'service', from: String(t0), to: String(process.hrtime.bigint()) });
    await onServiceRun?.after();
    await settle(dbUrl, { checkpoint: false });
    const t1 = process.hrtime.bigint();
    r.push(await load(CLIENTS, slice, ref));
    marks?.push({ server: 'minimal', from: String(t1), to: String(process.hrtime.bigint()) });
  }
  return { s: summarize(s), r: summarize(r) };
}

/** The reference: node:http + pg, the same SQL the compiler emits for Q1 and Q2, JSON out. */
function minimalServer(pool: Pool, table: string): Promise<{ url: string; close: () => Promise<void> }> {
  const cols = ['统一社会信用代码', '企业名称', '法定代表人', '所属区划', '注册资本', '成立日期'];
  const select = cols.map((c) => (c === '成立日期' ? `to_char(${quoteIdent(c)}, 'YYYY-MM-DD') AS ${quoteIdent(c)}` : quoteIdent(c))).join(', ');
  const q1 = `SELECT ${select} FROM ${table} WHERE "所属区划" = $1::text ORDER BY "注册资本" DESC NULLS FIRST, _row DESC LIMIT 100`;
  const q2 = `SELECT ${select} FROM ${table} WHERE "统一社会信用代码" = $1::text ORDER BY _row ASC LIMIT 100`;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      const r = await pool.query(url.pathname === '/q1' ? q1 : q2, [url.searchParams.get('v')]);
      const body = JSON.stringify({ records: r.rows });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch (err) {
      res.writeHead(500);
      res.end(String(err));
    }
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) }),
    ),
  );
}

async function main(): Promise<void> {
  const db = await benchDatabase(log);
  const pool = new Pool({ connectionString: db.url, max: 12 });
  const transport = new InProcessTransport(pool, { pollMs: 1000 }); // as the embedded runtime polls
  const runtime: ServiceRuntime = {
    mode: 'embedded',
    databaseUrl: db.url,
    transport,
    objectStorage: new FileSystemObjectStorage(join(await tempDir('govdata-bench-open-'), 'objects')),
    keyValue: new MemoryKeyValueStore(),
    logger: createLogger('bench', 'silent'),
    settings: {
      jwtSecret: `bench-${randomBytes(24).toString('hex')}`,
      apiKeyPepper: 'bench-pepper-0123456789',
      bodyLimit: '1mb',
      dbPoolSize: POOL,
      // The 'registered' tier (大规模利用登记 approved below) is high enough not to refuse the bench, but it is counted.
      extra: { SEED_DEMO: 'true', OPEN_READ_POOL_SIZE: String(POOL), ...(process.env.BENCH_OPEN_FLUSH_MS ? { OPEN_ACCESS_FLUSH_MS: process.env.BENCH_OPEN_FLUSH_MS, OPEN_ACCESS_BATCH: '100000000' } : {}), OPEN_TIERS: JSON.stringify({ registered: { perSecond: 1_000_000, perDay: 1_000_000_000, maxDownloadRows: 100_000_000 } }) },
    },
  };
  const server = await startPlatformServer(runtime, { port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(server.http.address() as AddressInfo).port}`;
  const raw = new Pool({ connectionString: db.url, max: POOL });
  let minimal: { url: string; close: () => Promise<void> } | undefined;
  try {
    const login = async (u: string) => (await json(base, 'POST', '/api/catalog/auth/login', { body: { username: u, password: 'Demo@2026' } })).accessToken as string;
    const [op, admin] = await Promise.all(['scjg_op', 'admin'].map(login));
    const items = [
      { name: '统一社会信用代码', dataType: 'C', length: 18 },
      { name: '企业名称', dataType: 'C', length: 100 },
      { name: '法定代表人', dataType: 'C', length: 50, personal: true, masking: 'chineseName' },
      { name: '所属区划', dataType: 'C', length: 6 },
      { name: '注册资本', dataType: 'Y', length: 20 },
      { name: '成立日期', dataType: 'D' },
    ];
    const system = await json(base, 'POST', '/api/catalog/systems', { token: op, body: { name: '市场主体登记系统' } });
    const draft = await json(base, 'POST', '/api/catalog/entries', {
      token: op,
      body: {
        metadata: {
          classification: { classCode: '2', itemCode: '01', categoryCode: '001' },
          name: '市场主体登记信息（开放基准）',
          abstract: '开放接口基准测试数据',
          format: { classCode: '3', type: 'PostgreSQL' },
          items,
          share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' },
          open: { type: 'UNCONDITIONAL' },
          updateCycle: 'MONTHLY',
          securityGrade: 'L1',
          domainCode: '01',
          systemId: system.id,
        },
      },
    });
    await json(base, 'POST', `/api/catalog/entries/${draft.id}/submit`, { token: op });
    await json(base, 'POST', `/api/catalog/entries/${draft.id}/approve`, { token: admin, body: {} });
    const ingest = new Api(base, 'ingest', op);
    const ds = await poll(async () => (await ingest.expect<any[]>(200, 'GET', '/datasets')).find((d) => d.entryId === draft.id), 30_000);

    const file = join(await tempDir('govdata-bench-open-csv-'), 'bench.csv');
    const lines: string[] = [items.map((i) => i.name).join(',')];
    for (let i = 0; i < ROWS; i++)
      lines.push(`${creditCode(i)},企业${i},${'张王李赵刘'[i % 5]}${'伟芳娜敏静'[(i >> 3) % 5]}${i % 97},${REGIONS[i % 5]},${((i * 7919) % 1_000_000) * 10},20${String(10 + (i % 15))}-0${1 + (i % 9)}-1${i % 10}`);
    await writeFile(file, lines.join('\n') + '\n');
    lines.length = 0;
    const t0 = Date.now();
    const up = await uploadFileStreamed(ingest, ds.id, file, 'bench.csv');
    if (up.status >= 300) throw new Error(`upload: ${up.status} ${JSON.stringify(up.body)}`);
    const job = await waitForJob(ingest, up.body.id);
    if (job.state !== 'succeeded') throw new Error(`load failed: ${JSON.stringify(job)}`);
    const tIngest = Date.now();
    const row = await poll(async () => (await pool.query(`SELECT table_name, row_count FROM openapi.open_dataset WHERE entry_id = $1 AND table_name IS NOT NULL`, [draft.id])).rows[0], 30 * 60_000, 200);
    log(`dataset: ${Number(row.row_count).toLocaleString('en')} rows; ingest ${((tIngest - t0) / 1000).toFixed(1)} s, open-api load (masking, indexes) ${((Date.now() - tIngest) / 1000).toFixed(1)} s`);
    const table = `openapi.${quoteIdent(row.table_name)}`;

    const dev = await json(base, 'POST', '/api/open/v1/developers', { body: { email: 'bench@example.com', password: 'Bench#2026', name: '基准' } });
    const app = await json(base, 'POST', '/api/open/v1/developers/me/apps', { token: dev.accessToken, body: { name: '基准应用' } });
    const reg = await json(base, 'POST', `/api/open/v1/developers/me/apps/${app.id}/large-volume`, { token: dev.accessToken, body: { purpose: '开放接口基准测试，持续大量调用', expectedDailyCalls: 10_000_000 } });
    await json(base, 'POST', `/api/open/v1/admin/large-volume/${reg.id}/decide`, { token: admin, body: { approve: true } });
    const key = app.key.apiKey as string;
    const recordsUrl = `${base}/api/open/v1/datasets/${draft.id}/records`;
    const q1 = (i: number) => `${recordsUrl}?filter=${encodeURIComponent(`所属区划:eq:${REGIONS[i % 5]}`)}&order=${encodeURIComponent('-注册资本')}&limit=100`;
    const q2 = (i: number) => `${recordsUrl}?filter=${encodeURIComponent(`统一社会信用代码:eq:${creditCode((i * 7727) % ROWS)}`)}`;
    minimal = await minimalServer(raw, table);
    const m1 = (i: number) => `${minimal!.url}/q1?v=${REGIONS[i % 5]}`;
    const m2 = (i: number) => `${minimal!.url}/q2?v=${creditCode((i * 7727) % ROWS)}`;
    const check = (expectRows: number) => (res: { status: number; text: string }) => {
      if (res.status !== 200) throw new Error(`${res.status} ${res.text.slice(0, 300)}`);
      const n = (JSON.parse(res.text) as { records: unknown[] }).records.length;
      if (n !== expectRows) throw new Error(`expected ${expectRows} rows, got ${n}`);
    };
    const headers = { 'x-api-key': key };
    for (let i = 0; i < 300; i++) {
      check(100)(await get(q1(i), headers));
      check(1)(await get(q2(i), headers));
      check(100)(await get(m1(i)));
      check(1)(await get(m2(i)));
    }
    const before = Number((await pool.query(`SELECT count(*) FROM openapi.outbox WHERE event_name = 'open.data.accessed'`)).rows[0].count);

    log(`\n1. records API, ${CLIENTS} concurrent connections, ${SECONDS} s per server in ${ROUNDS} alternating slices; open-api's read pool and the minimal server's pool: ${POOL} connections each`);
    const results: [string, ReturnType<typeof summarize>, ReturnType<typeof summarize>][] = [];
    for (const [name, svc, ref, rows] of [
      ['Q1 filter + order + limit 100', q1, m1, 100],
      ['Q2 key lookup', q2, m2, 1],
    ] as const) {
      if (ONLY && !name.toLowerCase().startsWith(ONLY)) continue;
      // One profile per service slice, summed up together.
      const profiler = process.env.BENCH_OPEN_PROFILE ? new CpuProfiler() : undefined;
      const path = (k: number) => join(process.env.BENCH_OPEN_PROFILE ?? '.', `open-api-${name.slice(0, 2)}-${k}.cpuprofile`);
      const profiles: Parameters<typeof hotSpots>[0] & unknown[] = [];
      const { s, r } = await compare(
        db.url,
        async (i) => check(rows)(await get(svc(i), headers)),
        async (i) => check(rows)(await get(ref(i))),
        profiler && { before: () => profiler.start(), after: async () => void profiles.push(await profiler.stop(path(profiles.length + 1))) },
      );
      if (profiles.length) {
        for (const l of hotSpots(profiles, 40)) log(l);
        log(`  profiles: ${path(1)} … ${path(profiles.length)} (the service's slices)`);
      }
      results.push([name, s, r]);
      log(`   ${name}`);
      log(`     open-api (key, rate limit, masking, access events): ${fmt(s.rate)} req/s  p50 ${fmt(s.p50)} ms  p99 ${fmt(s.p99)} ms  (${s.n} requests, ${s.cpuMsPerRequest.toFixed(2)} ms CPU each, ${s.sysMsPerRequest.toFixed(2)} of it in the kernel)`);
      log(`     minimal node:http + pg:                             ${fmt(r.rate)} req/s  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms  (${r.n} requests, ${r.cpuMsPerRequest.toFixed(2)} ms CPU each, ${r.sysMsPerRequest.toFixed(2)} of it in the kernel)`);
      log(`     ratio ${(s.rate / r.rate).toFixed(2)} (target ≥ 0.60), p99 ${s.p99 < 50 ? 'under' : 'OVER'} 50 ms; CPU per request ${(s.cpuMsPerRequest / r.cpuMsPerRequest).toFixed(2)}× the minimal server's; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
      if (s.pgMsPerRequest !== undefined && r.pgMsPerRequest !== undefined) {
        // Both sides of the machine: when the cores are saturated, throughput is what the whole request costs them.
        const total = (x: typeof s) => x.cpuMsPerRequest + x.pgMsPerRequest!;
        log(
          `     CPU per request, this process + PostgreSQL: open-api ${s.cpuMsPerRequest.toFixed(2)} + ${s.pgMsPerRequest.toFixed(2)} = ${total(s).toFixed(2)} ms, minimal ${r.cpuMsPerRequest.toFixed(2)} + ${r.pgMsPerRequest.toFixed(2)} = ${total(r).toFixed(2)} ms (${(total(s) / total(r)).toFixed(2)}×); cores busy: ${s.busyCores.toFixed(2)} and ${r.busyCores.toFixed(2)} of ${cpus().length}; event loop held up (p99 / max of its slices): ${fmt(s.loopP99)} / ${fmt(s.loopMax)} ms and ${fmt(r.loopP99)} / ${fmt(r.loopMax)} ms`,
        );
      }
    }
    if (marks) await writeFile(process.env.BENCH_OPEN_MARKS!, JSON.stringify({ pid: process.pid, marks }));
    await new Promise((r) => setTimeout(r, 600));
    const after = Number((await pool.query(`SELECT count(*) FROM openapi.outbox WHERE event_name = 'open.data.accessed'`)).rows[0].count);
    const served = results.reduce((a, [, s]) => a + s.n, 0);
    log(`   access events written during the runs: ${after - before} for ${served} requests (batched through the outbox)`);
    if (ONLY) return;

    log(`\n2. CSV download of all ${ROWS.toLocaleString('en')} rows (streamed: COPY → rows → CSV → response)`);
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    await new Promise((r) => setTimeout(r, 200));
    const baseRss = process.memoryUsage().rss;
    let peak = baseRss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t = process.hrtime.bigint();
    const { bytes, status } = await new Promise<{ bytes: number; status: number }>((resolve, reject) => {
      // A fresh connection and a reader that consumes as fast as it can, as a download client would.
      const req = request(`${base}/api/open/v1/datasets/${draft.id}/download?format=csv`, { headers }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve({ bytes: n, status: res.statusCode ?? 0 }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    const secs = Number(process.hrtime.bigint() - t) / 1e9;
    clearInterval(sampler);
    log(`   status ${status}, ${mb(bytes)} MB in ${secs.toFixed(1)} s (${(bytes / 1024 / 1024 / secs).toFixed(0)} MB/s, ${fmt(ROWS / secs)} rows/s)`);
    log(`   RSS of the whole process (platform and bench client): before ${mb(baseRss)} MB, peak while streaming ${mb(peak)} MB (+${mb(peak - baseRss)} MB)`);
    log(`\nmachine: ${cpus().length} cores; PostgreSQL ${db.url.replace(/\/\/[^@]*@/, '//')}`);
  } finally {
    await minimal?.close();
    await raw.end();
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
