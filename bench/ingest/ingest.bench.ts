/**
 * Ingest benchmark (issue: "Generate a 1,000,000-row CSV (about 10 columns, with USCC and ID
 * numbers to validate) in UTF-8 and in GBK; report rows/s for the full path (upload, decode,
 * validate, COPY, quality report) next to a plain COPY of the same file into PostgreSQL in the same
 * run, and peak RSS. Targets: at least half the plain COPY rate, peak RSS under 300 MB whatever the
 * file size. Also load every file in ../shared/data/real/ and print its outcome.").
 *
 *   npm run bench:ingest [-- --rows 1000000 --encodings utf8,gbk --no-real --profile --keep-files --digest --parse-modes worker,thread --no-key]
 *
 * Prints figures and ratios against a baseline run in the same process; asserts nothing and is not
 * a test. See README.md.
 */
import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BENCH_ITEMS, GeneratedFile, generateInChild, KEY_ITEM } from './generate';
import { MemoryPeaks, MemorySampler, mb } from './memory';
import { Api, BenchPlatform, benchDatabase, ParseMode, publishEntry, startBenchPlatform, uploadFileStreamed, waitForJob } from './platform';
import { runStages } from './stages';
import { CpuProfiler, hotSpots } from './profile';
import { outputDigest } from './digest';
import { settle } from './settle';
import { CpuSpent, describeCpu, startCpuMeter } from './cpu-meter';
import { loadRealFile, RealOutcome, realFiles } from './real-files';

// ---------------------------------------------------------------------------------------------
// Options

function arg(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const at = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  const a = argv[at];
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[at + 1] && !argv[at + 1].startsWith('--') ? argv[at + 1] : 'true';
}
const flag = (name: string) => arg(name) !== undefined;

const ROOT = resolve(__dirname, '../..');
const ROWS = Number((arg('rows') ?? process.env.BENCH_ROWS ?? '1000000').replace(/[_,]/g, ''));
const ENCODINGS = (arg('encodings') ?? 'utf8,gbk').split(',').map((e) => e.trim().toLowerCase()) as ('utf8' | 'gbk')[];
const REAL_DIR = resolve(ROOT, arg('real-dir') ?? process.env.REAL_DATA_DIR ?? '../shared/data/real');
const RUN_REAL = !flag('no-real');
const RUN_SYNTHETIC = !flag('only-real');
const PROFILE = flag('profile');
const KEEP_FILES = flag('keep-files');
const STAGES_RUN = flag('stages');
const DIGEST = flag('digest');
/** Load without a key column: no uniqueness check, so no key table (to see what it costs in memory). */
const NO_KEY = flag('no-key');
/** Where ingest parses the upload, one full path each per encoding, between the same two plain COPYs. */
const PARSE_MODES = (arg('parse-modes') ?? (process.env.INGEST_PARSE_WORKER && /^(0|false|no|off)$/i.test(process.env.INGEST_PARSE_WORKER) ? 'thread' : 'worker')).split(',').map((m) => m.trim()) as ParseMode[];
const RSS_TARGET_MB = 300;
const RATIO_TARGET = 0.5;

if (!Number.isSafeInteger(ROWS) || ROWS < 1) throw new Error(`--rows must be a positive integer, got ${arg('rows')}`);
for (const e of ENCODINGS) if (e !== 'utf8' && e !== 'gbk') throw new Error(`--encodings takes utf8 and/or gbk, got ${e}`);
for (const m of PARSE_MODES) if (m !== 'worker' && m !== 'thread') throw new Error(`--parse-modes takes worker and/or thread, got ${m}`);

// ---------------------------------------------------------------------------------------------
// Printing

const log = (m = '') => process.stdout.write(`${m}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000));
const int = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const width = (s: string) => [...s].reduce((w, c) => w + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(c) ? 2 : 1), 0);
const padEnd = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));
const padStart = (s: string, n: number) => ' '.repeat(Math.max(0, n - width(s))) + s;
const label = (e: 'utf8' | 'gbk') => (e === 'utf8' ? 'UTF-8' : 'GBK');

function table(head: string[], rows: string[][], right: boolean[]): string[] {
  const w = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (r: string[]) => '  ' + r.map((c, i) => (right[i] ? padStart(c, w[i]) : padEnd(c, w[i]))).join('  ').trimEnd();
  return [line(head), '  ' + w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)];
}

/** Whether the TypeScript compiler sits in this process (a cold transpile cache): its RSS is the bench's, not the platform's. */
function compilerNote(): string {
  const loaded = Object.keys(require.cache).some((k) => k.includes(`${sep}node_modules${sep}typescript${sep}`));
  return loaded ? '; NOTE: the TypeScript compiler was loaded (cold transpile cache, ~46 MB of this RSS): run again for the reference figure' : '';
}

// ---------------------------------------------------------------------------------------------
// The baseline: a plain COPY of the same file into an untyped table, in one transaction as the loader does

async function plainCopy(url: string, file: GeneratedFile, n: number): Promise<{ ms: number; rows: number; cpu: CpuSpent }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const name = `bench_plain_${file.encoding}_${n}`;
  try {
    const meter = startCpuMeter();
    const started = performance.now();
    await client.query('BEGIN');
    await client.query(`CREATE TABLE public.${name} (${BENCH_ITEMS.map((_, i) => `c${i + 1} text`).join(', ')})`);
    const copy = client.query(copyFrom(`COPY public.${name} FROM STDIN (FORMAT csv, HEADER, ENCODING '${file.encoding === 'gbk' ? 'GBK' : 'UTF8'}')`));
    await pipeline(createReadStream(file.path), copy);
    await client.query('COMMIT');
    const ms = performance.now() - started;
    return { ms, rows: Number(copy.rowCount ?? 0), cpu: meter() };
  } finally {
    await client.query(`DROP TABLE IF EXISTS public.${name}`).catch(() => undefined);
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The full path: upload over HTTP → spool + hash → object storage → job → decode, parse, validate → COPY → quality → current

interface FullPath {
  encoding: 'utf8' | 'gbk';
  mode: ParseMode;
  ms: number;
  uploadMs: number;
  queueMs: number;
  loadMs: number;
  job: any;
  version?: any;
  memory: MemoryPeaks;
  cpu: CpuSpent;
  hot?: string[];
  digest?: string;
}

async function fullPath(p: BenchPlatform, api: { catalogOp: Api; catalogAdmin: Api; ingest: Api }, file: GeneratedFile, mode: ParseMode, profileDir: string): Promise<FullPath> {
  p.setParseMode(mode);
  const dataset = await publishEntry({ op: api.catalogOp, admin: api.catalogAdmin }, api.ingest, `企业登记信息归集基准（${label(file.encoding)}，${mode}）`, BENCH_ITEMS);
  if (!NO_KEY) await api.ingest.expect(200, 'PUT', `/datasets/${dataset.id}/settings`, { keys: [KEY_ITEM] });
  const profiler = PROFILE ? new CpuProfiler() : undefined;
  const sampler = new MemorySampler();
  sampler.start(100);
  await profiler?.start();
  const meter = startCpuMeter();
  const t0 = performance.now();
  sampler.mark('upload');
  const upload = await uploadFileStreamed(api.ingest, dataset.id, file.path, `企业登记信息-${file.encoding}.csv`);
  const uploadMs = performance.now() - t0;
  sampler.mark('load');
  if (upload.status !== 202) throw new Error(`upload failed: ${upload.status} ${JSON.stringify(upload.body)}`);
  const job = await waitForJob(api.ingest, upload.body.id);
  const ms = performance.now() - t0;
  const cpu = meter();
  let hot: string[] | undefined;
  if (profiler) {
    const path = join(profileDir, `ingest-${file.encoding}-${mode}.cpuprofile`);
    hot = [`  CPU profile: ${path}`, ...hotSpots(await profiler.stop(path))];
  }
  const memory = sampler.stop();
  const versions = await api.ingest.expect<any[]>(200, 'GET', `/datasets/${dataset.id}/versions`);
  const version = versions.find((v) => v.version === job.version);
  const digest = DIGEST ? await outputDigest(p, api.ingest, dataset.id, job.version) : undefined;
  const at = (s: string | null) => (s ? Date.parse(s) : NaN);
  return {
    encoding: file.encoding,
    mode,
    ms,
    uploadMs,
    queueMs: at(job.startedAt) - at(job.createdAt),
    loadMs: at(job.finishedAt) - at(job.startedAt),
    job,
    version,
    memory,
    cpu,
    hot,
    digest,
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const benchStart = performance.now();
  log('# Ingest benchmark (bench/ingest)');
  log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}`);
  log(`rows: ${int(ROWS)}; encodings: ${ENCODINGS.map(label).join(', ')}; uploads parsed in: ${PARSE_MODES.map((m) => (m === 'worker' ? 'a worker thread' : 'the job\'s thread')).join(', then ')}; real files: ${RUN_REAL ? REAL_DIR : 'skipped (--no-real)'}${PROFILE ? '; CPU profiling ON (slower: figures are not the reference)' : ''}`);
  const variant = process.env.BENCH_INGEST_SRC;
  if (variant) log(`VARIANT: services/ingest/src is loaded from ${resolve(variant)} (BENCH_INGEST_SRC)`);
  if (!(globalThis as { gc?: unknown }).gc) log('note: run with --expose-gc (npm run bench:ingest does) so each phase starts after a full GC');
  log();

  const work = join(tmpdir(), `govdata-bench-ingest-${process.pid}`);
  await mkdir(work, { recursive: true });
  // The generated files go whatever happens (a platform that fails to start included), unless asked to keep them.
  if (!KEEP_FILES && !PROFILE) process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  const files: GeneratedFile[] = [];
  if (RUN_SYNTHETIC) {
    log('## 1. Generating the CSV files (streamed to disk, one child process per encoding, in parallel)');
    files.push(...(await Promise.all(ENCODINGS.map((e) => generateInChild(join(work, `enterprises-${e}.csv`), ROWS, e)))));
    for (const f of files) {
      const e = f.encoding;
      log(`  ${padEnd(label(e), 6)} ${f.path}: ${int(f.rows)} rows × ${BENCH_ITEMS.length} columns, ${(f.bytes / 2 ** 20).toFixed(1)} MiB, ${int(f.expectedRejects)} rows with a bad value, written in ${secs(f.ms)}`);
    }
    log();
  }

  const db = await benchDatabase(log);
  if (STAGES_RUN && files.length) {
    log('## 1b. Stage breakdown of the load (the service\'s own classes, no HTTP, before the platform starts)');
    for (const file of files) {
      const stages = await runStages(file, db.url, work);
      const rowsOf = table(
        ['stage', 'seconds', 'rows/s', 'own cost s', 'peak RSS MB', 'peak heap MB'],
        stages.map((r, i) => [r.stage, (r.ms / 1000).toFixed(1), int(rate(ROWS, r.ms)), i === 0 ? '-' : ((r.ms - stages[i - 1].ms) / 1000).toFixed(1), mb(r.peakRss), mb(r.peakHeap)]),
        [false, true, true, true, true, true],
      );
      log(`  ${label(file.encoding)} (RSS before: ${mb(stages[0].rssAtStart)} MB):`);
      for (const l of rowsOf) log(`  ${l}`);
    }
    log();
  }

  log('## 2. Starting the platform (five services in this process, fresh database)');
  const t = performance.now();
  const p = await startBenchPlatform(db).catch(async (err) => {
    await db.close(false).catch(() => undefined);
    throw err;
  });
  (globalThis as { gc?: () => void }).gc?.();
  const idle = process.memoryUsage();
  log(`  ${p.db.server}, PostgreSQL ${p.db.serverVersion}; up in ${secs(performance.now() - t)}`);
  log(`  idle process after a full GC: RSS ${mb(idle.rss)} MB (heapUsed ${mb(idle.heapUsed)} MB, external ${mb(idle.external)} MB)${compilerNote()}`);
  log();
  const results: { file: GeneratedFile; full: FullPath; plain: { ms: number; rows: number }[] }[] = [];
  let real: RealOutcome[] = [];
  let realSkip: string | undefined;
  try {
    const [op, admin] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
    const api = { catalogOp: new Api(p.baseUrl, 'catalog', op), catalogAdmin: new Api(p.baseUrl, 'catalog', admin), ingest: new Api(p.baseUrl, 'ingest', op) };

    if (RUN_SYNTHETIC) {
      log('## 3. Full path vs plain COPY, per encoding');
      let n = 0;
      for (const file of files) {
        // The baseline before and after the full path, so both see the same server state on average;
        // each measurement starts once PostgreSQL has settled from the one before.
        const settled = [await settle(p.db.url)];
        const before = await plainCopy(p.db.url, file, n++);
        const fulls: FullPath[] = [];
        for (const mode of PARSE_MODES) {
          settled.push(await settle(p.db.url));
          fulls.push(await fullPath(p, api, file, mode, work));
        }
        settled.push(await settle(p.db.url));
        const after = await plainCopy(p.db.url, file, n++);
        for (const full of fulls) results.push({ file, full, plain: [before, after] });
        const plainMs = (before.ms + after.ms) / 2;
        log(`  (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
        log(`  ${label(file.encoding)}:`);
        log(`    settling     ${settled.join('; ')}`);
        log(`    plain COPY   ${secs(before.ms)} / ${secs(after.ms)} (before / after) → ${int(rate(ROWS, plainMs))} rows/s (${int(before.rows)} rows)`);
        log(`      CPU        ${describeCpu(before.cpu, cpus().length)} (before)`);
        for (const full of fulls) {
          const j = full.job;
          if (PARSE_MODES.length > 1) log(`    -- parsed in ${full.mode === 'worker' ? 'a worker thread' : 'the job\'s thread'}`);
          log(
            `    full path    ${secs(full.ms)} → ${int(rate(ROWS, full.ms))} rows/s  [upload ${secs(full.uploadMs)}, queue ${secs(full.queueMs)}, load ${secs(full.loadMs)}]  job ${j.state}` +
              (j.state === 'succeeded' ? `, version ${j.version}` : `: ${j.error?.code} ${j.error?.zh}`),
          );
          log(
            `    rows         read ${int(j.rowsRead)}, loaded ${int(full.version?.rowCount)}, rejected ${int(j.rowsRejected)} (generated with a bad value: ${int(file.expectedRejects)}${j.rowsRejected === file.expectedRejects ? ', all caught' : ', MISMATCH'}); quality score ${full.version?.quality?.score ?? '-'} (${full.version?.quality?.grade ?? '-'}), encoding read as ${full.version?.source?.encoding ?? '-'}`,
          );
          log(
            `    memory       peak RSS ${mb(full.memory.rss)} MB sampled / ${mb(full.memory.hwm)} MB kernel high-water mark${full.memory.hwmReset ? '' : ' (since process start)'} (RSS at start ${mb(full.memory.rssAtStart)} MB, of it V8 heap ${mb(full.memory.heapTotalAtStart ?? 0)} MB and external ${mb(full.memory.externalAtStart ?? 0)} MB); peak heapUsed ${mb(full.memory.heapUsed)} MB; ${full.memory.samples} samples; by part: ${full.memory.parts.map((x) => `${x.name} ${mb(x.rss)} MB RSS / ${mb(x.heapUsed)} MB heap`).join(', ')}`,
          );
          log(
            `    CPU          ${describeCpu(full.cpu, cpus().length)}; the target (${RATIO_TARGET} of the plain COPY's rate) needs ${secs(plainMs / RATIO_TARGET)}`,
          );
          if (full.digest) log(`    ${full.digest}`);
          if (full.hot) for (const l of full.hot) log(l);
        }
      }
      log();
    }

    if (RUN_REAL) {
      log(`## 4. Real files (${REAL_DIR})`);
      const { files: names, skip } = realFiles(REAL_DIR);
      if (skip) {
        realSkip = skip;
        log(`  skipped: ${skip}`);
      } else {
        let seq = 0;
        for (const name of names) {
          const digest = DIGEST ? (datasetId: string, version: number | null) => outputDigest(p, api.ingest, datasetId, version) : undefined;
          const o = await loadRealFile(REAL_DIR, name, api, ++seq, digest).catch(
            (err): RealOutcome => ({ file: name, bytes: 0, header: '', errorCode: 'BENCH_ERROR', errorZh: (err as Error).message }),
          );
          real.push(o);
          log(`  ${name}: ${o.header}; ${o.version ? `version ${o.version}` : `${o.errorCode}`}${o.topRejects?.length ? `; commonest rejects: ${o.topRejects.join('，')}` : ''}`);
          if (o.digest) log(`    ${o.digest}`);
        }
      }
      log();
    }
  } finally {
    await p.close().catch((err) => log(`closing the platform: ${(err as Error).message}`));
    if (!KEEP_FILES) for (const f of files) await rm(f.path, { force: true });
  }

  // -------------------------------------------------------------------------------------------
  log('## Summary');
  if (results.length) {
    const rows = results.map(({ file, full, plain }) => {
      const plainMs = (plain[0].ms + plain[1].ms) / 2;
      const fullRate = rate(ROWS, full.ms);
      const plainRate = rate(ROWS, plainMs);
      const ratio = fullRate / plainRate;
      const peak = Math.max(full.memory.rss, full.memory.hwm ?? 0);
      return [
        PARSE_MODES.length > 1 ? `${label(file.encoding)} ${full.mode}` : label(file.encoding),
        int(ROWS),
        `${(file.bytes / 2 ** 20).toFixed(0)} MiB`,
        int(fullRate),
        int(plainRate),
        `${ratio.toFixed(2)} ${ratio >= RATIO_TARGET ? 'PASS' : 'FAIL'}`,
        `${mb(peak)} ${peak / 2 ** 20 < RSS_TARGET_MB ? 'PASS' : 'FAIL'}`,
        full.job.state === 'succeeded' ? `v${full.job.version}, ${int(full.version?.rowCount)} rows, ${int(full.job.rowsRejected)} rejected, score ${full.version?.quality?.score ?? '-'}` : `${full.job.error?.code}`,
      ];
    });
    for (const l of table(
      ['encoding', 'rows', 'file', 'full path rows/s', 'plain COPY rows/s', `full/plain (≥ ${RATIO_TARGET})`, `peak RSS MB (< ${RSS_TARGET_MB})`, 'outcome'],
      rows,
      [false, true, true, true, true, true, true, false],
    ))
      log(l);
    log(`  peak RSS: the larger of the 100 ms samples and the kernel's high-water mark over the full path, for the whole process (five services, the HTTP client and the sampler)`);
    log();
  }
  if (RUN_REAL) {
    if (realSkip) log(`Real files: skipped, ${realSkip}`);
    else
      for (const l of table(
        ['file', 'rows read', 'loaded', 'rejects', 'outcome', 'score', 'seconds'],
        real.map((o) => [
          o.file,
          int(o.rowsRead),
          int(o.rowsLoaded),
          int(o.rejects),
          o.version ? `version ${o.version}` : `${o.errorCode}：${o.errorZh ?? ''}`,
          o.score === undefined ? '-' : String(o.score),
          o.seconds === undefined ? '-' : o.seconds.toFixed(2),
        ]),
        [false, true, true, true, false, true, true],
      ))
        log(l);
    log();
  }
  log(`total bench runtime: ${secs(performance.now() - benchStart)}`);
  if (KEEP_FILES || PROFILE) log(`kept: ${work}`);
  else await rm(work, { recursive: true, force: true }).catch(() => undefined);
}

if (require.main === module)
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
