/**
 * Catalog benchmark (issue: "100,000 entries across 60 departments; p50/p95 of 20 Chinese keyword
 * queries with facets; time to import a 5,000-row confirmation table. Targets: search p95 under
 * 50 ms, import under 10 s, on this machine").
 *
 *   npm run bench:catalog
 *
 * Prints figures and ratios against baselines run in the same process; it asserts nothing and is
 * not a test. See README.md for the environment variables.
 */
import 'reflect-metadata';
import { DepartmentScope, migrateServiceSchema, queryTerms, serviceDataSourceOptions } from '@gov/shared';
import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DataSource, EntityManager } from 'typeorm';
import { CATALOG_ENTITIES, CATALOG_MIGRATIONS } from '../../services/catalog/src/catalog.module';
import { SearchEntriesQuery, SearchResult } from '../../services/catalog/src/search/dto/search.dto';
import { CatalogSearchIndex } from '../../services/catalog/src/search/search-index';
import { SearchService } from '../../services/catalog/src/search/search.service';
import { SqlSearch } from '../../services/catalog/src/search/sql-search';
import { BenchDatabase, createBenchDatabase, reuseBenchDatabase } from './database';
import { BenchDepartment, departments, entries, Rng } from './generate';
import { benchImport } from './import.bench';
import { insertDepartments, loadEntries, LoadStats } from './load';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const ENTRIES = env('BENCH_ENTRIES', 100_000);
const REPS = env('BENCH_REPS', 10);
const WARMUP = env('BENCH_WARMUP', 2);
const BASELINE_REPS = env('BENCH_BASELINE_REPS', 3);
/** The no-index baseline takes ~2 s a call: one run per query unless asked for more. */
const NOINDEX_REPS = env('BENCH_NOINDEX_REPS', Math.min(1, BASELINE_REPS));
const IMPORT_ROWS = env('BENCH_IMPORT_ROWS', 5_000);
const SEARCH_P95_TARGET_MS = 50;
const IMPORT_TARGET_MS = 10_000;

const log = (m = '') => process.stdout.write(`${m}\n`);
const ms = (x: number) => (!Number.isFinite(x) ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? (a / b).toFixed(1) : '-');
const secs = (x: number) => `${(x / 1000).toFixed(1)} s`;

/** Display width: CJK characters take two columns. */
const width = (s: string) => [...s].reduce((w, c) => w + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(c) ? 2 : 1), 0);
const padEnd = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));
const padStart = (s: string, n: number) => ' '.repeat(Math.max(0, n - width(s))) + s;

/** Nearest-rank percentile. */
function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

// ---------------------------------------------------------------------------------------------
// The 20 queries: what a department operator types, each with facets (SearchService always
// computes them); some with filters, sort orders or page 2.

interface BenchQuery {
  q: string;
  note?: string;
  filters?: (d: { byCode: (code: string) => BenchDepartment }) => Partial<SearchEntriesQuery>;
}

const QUERIES: readonly BenchQuery[] = [
  { q: '营业执照' },
  { q: '企业' },
  { q: '医疗机构 许可' },
  { q: '公交' },
  { q: '不动产登记' },
  { q: '社保' },
  { q: '监测' },
  { q: '学校 名录' },
  { q: '食品 经营' },
  { q: '统一社会信用代码' },
  { q: '证', note: '1 character' },
  { q: '古树名木', note: 'rare' },
  { q: '法定代表人', filters: () => ({ shareType: 'CONDITIONAL' }) },
  { q: '许可证编号', filters: () => ({ domain: '09' }) },
  { q: '经度 纬度', filters: () => ({ sort: 'published' }) },
  { q: '企业 登记', filters: () => ({ page: 2 }) },
  { q: '养老 服务', filters: () => ({ openType: 'NOT_OPEN', grade: 'L3' }) },
  { q: '空气质量 监测', filters: () => ({ updateCycle: 'REALTIME' }) },
  { q: '住房公积金', filters: ({ byCode }) => ({ deptId: byCode('zjj').id, sort: 'name' }) },
  { q: '道路 运输', filters: () => ({ format: '3', page: 2 }) },
];

const describe = (query: SearchEntriesQuery, depts: readonly BenchDepartment[]) =>
  Object.entries(query)
    .filter(([k]) => k !== 'q')
    .map(([k, v]) => (k === 'deptId' ? `dept=${depts.find((d) => d.id === v)?.code}` : `${k}=${v}`))
    .join(' ');

interface Timed {
  query: SearchEntriesQuery;
  label: string;
  note?: string;
  samples: number[];
  total: number;
  hits: number;
  /** Entry ids of the page, in order. */
  ids: string[];
}

type Runner = (q: SearchEntriesQuery) => Promise<{ total: number; hits: number; ids: string[] }>;

/**
 * Runs every query `reps` times with every runner: round-robin over the queries (so no query gets
 * a warmer cache than the others) and interleaving the runners, in alternating order, so that
 * they compare under the same load. Returns the timings per runner.
 */
async function timeQueries(queries: readonly { query: SearchEntriesQuery; label: string; note?: string }[], reps: number, warmup: number, runners: readonly Runner[]): Promise<Timed[][]> {
  const timed: Timed[][] = runners.map(() => queries.map((q) => ({ ...q, samples: [], total: -1, hits: -1, ids: [] })));
  if (reps === 0) return timed;
  for (let r = 0; r < warmup; r++) for (const q of queries) for (const run of runners) await run(q.query);
  for (let r = 0; r < reps; r++)
    for (const i of queries.keys()) {
      const order = runners.map((_, k) => k);
      if (r % 2 === 1) order.reverse();
      for (const k of order) {
        const t = timed[k][i];
        const started = performance.now();
        const result = await runners[k](t.query);
        t.samples.push(performance.now() - started);
        t.total = result.total;
        t.hits = result.hits;
        t.ids = result.ids;
      }
    }
  return timed;
}

// ---------------------------------------------------------------------------------------------
// Baselines, in the same process on the same table

const FILTER_COLUMNS: Partial<Record<keyof SearchEntriesQuery, string>> = {
  domain: 'domain_code',
  deptId: 'dept_id::text',
  classCode: 'class_code',
  shareType: 'share_type',
  openType: 'open_type',
  format: 'format_class',
  updateCycle: 'update_cycle',
  grade: 'security_grade',
};

/** Plain `haystack LIKE '%term%'` per term (no grams, so a sequential scan), page 1 by date, with the total; no facets. */
async function likeScan(ds: DataSource, query: SearchEntriesQuery): Promise<{ total: number; hits: number; ids: string[] }> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = [`status = 'published'`];
  for (const term of queryTerms(query.q)) where.push(`haystack LIKE ${p(`%${term.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  for (const [key, column] of Object.entries(FILTER_COLUMNS)) {
    const value = query[key as keyof SearchEntriesQuery];
    if (value) where.push(`${column} = ${p(value)}`);
  }
  const rows: { entry_id: string; total: string }[] = await ds.query(
    `SELECT entry_id, name, dept_name, published_at, count(*) OVER () AS total FROM catalog.entry_search WHERE ${where.join(' AND ')} ORDER BY published_at DESC NULLS LAST, entry_id LIMIT 20`,
    params,
  );
  return { total: rows.length > 0 ? Number(rows[0].total) : 0, hits: rows.length, ids: rows.map((r) => r.entry_id) };
}

// ---------------------------------------------------------------------------------------------

/** Anything searching like SearchService, built on a DataSource (SqlSearch, a variant). */
type SearchClass = new (ds: DataSource) => { search(scope: DepartmentScope, query: SearchEntriesQuery): Promise<SearchResult> };

/** A variant of the SQL search to compare with the service (BENCH_SEARCH_SERVICE, see PROPOSED.md: a file exporting SearchService(ds)). */
function variantServiceClass(): SearchClass | undefined {
  const variant = process.env.BENCH_SEARCH_SERVICE;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return variant ? (require(resolve(variant)) as { SearchService: SearchClass }).SearchService : undefined;
}

/** gc() without --expose-gc, to measure the index's memory. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}
const heapBytes = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

function dataSource(url: string, options?: string): DataSource {
  const o = serviceDataSourceOptions({ url, schema: 'catalog', entities: CATALOG_ENTITIES, migrations: CATALOG_MIGRATIONS, poolSize: 4 });
  return new DataSource({ ...o, extra: { ...(o.extra as object), ...(options ? { options } : {}), application_name: 'govdata-bench-catalog' } } as typeof o);
}

/**
 * EXPLAIN ANALYZE of the statements SearchService issues for one query, in the same setting: a
 * statement it ran in a transaction is explained in a transaction after the same SET LOCALs.
 */
async function explain(ds: DataSource, service: SearchClass, scope: DepartmentScope, query: SearchEntriesQuery): Promise<string[]> {
  type Call = { sql: string; params: unknown[]; tx?: number };
  const calls: Call[] = [];
  let transactions = 0;
  const recording = <T extends { query: DataSource['query'] }>(target: T, tx?: number): T =>
    new Proxy(target, {
      get(t, prop, receiver) {
        if (prop === 'query')
          return (sql: string, params?: unknown[]) => {
            calls.push({ sql, params: params ?? [], tx });
            return t.query(sql, params);
          };
        if (prop === 'transaction' && tx === undefined)
          return (...args: unknown[]) => {
            const id = ++transactions;
            const work = args[args.length - 1] as (m: EntityManager) => Promise<unknown>;
            return ds.transaction((m) => work(recording(m, id)));
          };
        return Reflect.get(t, prop, receiver);
      },
    });
  await new service(recording(ds) as DataSource).search(scope, query);
  const out: string[] = [];
  const explainIn = async (m: Pick<DataSource, 'query'>, call: Call) => {
    const plan: { 'QUERY PLAN': string }[] = await m.query(`EXPLAIN (ANALYZE, BUFFERS) ${call.sql}`, call.params);
    out.push(`  -- ${call.sql.replace(/\s+/g, ' ').slice(0, 140)}…`, ...plan.map((r) => `  ${r['QUERY PLAN']}`), '');
  };
  const isSearch = (c: Call) => c.sql.trimStart().startsWith('WITH');
  for (const call of calls.filter((c) => c.tx === undefined && isSearch(c))) await explainIn(ds, call);
  for (let tx = 1; tx <= transactions; tx++)
    await ds.transaction(async (m) => {
      for (const call of calls.filter((c) => c.tx === tx)) {
        if (isSearch(call)) await explainIn(m, call);
        else if (/^\s*SET\s+LOCAL\b/i.test(call.sql)) await m.query(call.sql, call.params);
      }
    });
  return out;
}

async function main(): Promise<void> {
  const started = performance.now();
  const phases: [string, number][] = [];
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await fn();
    phases.push([name, performance.now() - t]);
    return result;
  };

  log(`catalog bench: ${ENTRIES} entries, ${REPS} timed runs per query (after ${WARMUP} warm-up runs), Node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const reuse = process.env.BENCH_REUSE_DATABASE;
  const db: BenchDatabase = reuse ? reuseBenchDatabase(reuse) : await phase('database', () => createBenchDatabase(log));
  log(`PostgreSQL ${db.serverVersion}: ${db.server}`);
  const ds = dataSource(db.url);
  const noIndex = dataSource(db.url, '-c enable_bitmapscan=off -c enable_indexscan=off -c enable_indexonlyscan=off');
  let failed = false;
  try {
    await ds.initialize();
    const depts = departments();
    if (reuse) {
      // A database loaded by an earlier run (BENCH_KEEP_DB=1): take its departments' ids.
      const ids = new Map<string, string>((await ds.query(`SELECT code, id FROM catalog.department`)).map((r: { code: string; id: string }) => [r.code, r.id]));
      const systems: { dept_id: string; name: string; id: string }[] = await ds.query(`SELECT dept_id, name, id FROM catalog.information_system`);
      for (const d of depts) {
        d.id = ids.get(d.code) ?? d.id;
        for (const s of d.systems) s.id = systems.find((x) => x.dept_id === d.id && x.name === s.name)?.id ?? s.id;
      }
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM catalog.entry_search`);
      log(`reusing ${n} entries already loaded`);
    } else {
      const migrations = await phase('migrations', () => migrateServiceSchema(ds, 'catalog'));
      log(`migrations: ${migrations.join(', ')}`);
      await insertDepartments(ds, depts);
      const all = await phase('generate', async () => {
        const list = [...entries(depts, ENTRIES)];
        // Entries arrive interleaved across departments in real life: shuffle the insertion order.
        const rng = new Rng(7);
        for (let i = list.length - 1; i > 0; i--) {
          const j = Math.floor(rng.next() * (i + 1));
          [list[i], list[j]] = [list[j], list[i]];
        }
        return list;
      });
      const stats: LoadStats = await phase('load', () => loadEntries(ds, all, { batch: 2000, sample: Math.min(500, ENTRIES), log }));
      log(
        `loaded ${stats.entries} published entries of ${stats.departments} departments: insert ${secs(stats.insertMs)}, index build ${secs(stats.indexMs)}, VACUUM ANALYZE ${secs(stats.analyzeMs)}; ` +
          `entry_search ${stats.tableSize} (grams GIN ${stats.gramsIndexSize}), ${stats.avgGrams.toFixed(0)} grams per entry`,
      );
      log(`entry_search rows written by SearchIndexWriter: ${stats.viaUpsert} through upsert, ${stats.entries - stats.viaUpsert} through upsertMany`);
    }
    if (process.env.BENCH_SETUP_SQL) {
      for (const statement of readFileSync(process.env.BENCH_SETUP_SQL, 'utf8').split(/;\s*$/m).filter((s) => s.trim())) await ds.query(statement);
      log(`applied ${process.env.BENCH_SETUP_SQL}`);
    }

    // The service as deployed: the catalog service loads its in-memory index at bootstrap and
    // searches go through SearchService, which catches the index up with entry_search first.
    Logger.overrideLogger(['error', 'warn']);
    let index: CatalogSearchIndex | undefined = new CatalogSearchIndex(ds);
    const load = await phase('index load', () => index!.load());
    const st = index.stats()!;
    log(
      `\nindex: ${load.entries} entries loaded in ${secs(load.ms)}; estimated ${mb(st.totalBytes)}: postings ${mb(st.postingBytes)} for ${st.postings} doc ids of ${st.grams} grams ` +
        `(${st.bitmapGrams} of them bitmaps), columns ${mb(st.columnBytes)}, texts ${mb(st.stringBytes)}; measured after the searches`,
    );
    let service: SearchService | undefined = new SearchService(index, new SqlSearch(ds));

    const Variant = variantServiceClass();
    await noIndex.initialize();
    const byCode = (code: string) => depts.find((d) => d.code === code)!;
    const operator = byCode('scjg');
    const scope: DepartmentScope = { all: false, deptIds: [operator.id] };
    const queries = QUERIES.map((b) => {
      const query: SearchEntriesQuery = { q: b.q, ...(b.filters?.({ byCode }) ?? {}) };
      return { query, label: b.q, note: [b.note, describe(query, depts)].filter(Boolean).join('; ') };
    });
    const viaService =
      (svc: { search(scope: DepartmentScope, query: SearchEntriesQuery): Promise<SearchResult> }): Runner =>
      async (q) => {
        const r: SearchResult = await svc.search(scope, q);
        return { total: r.total, hits: r.hits.length, ids: r.hits.map((h) => h.entryId) };
      };

    log(
      `\nsearch: SearchService.search (in-memory index) as a department operator of ${operator.name}, interleaved with the SQL search (SqlSearch: the service before the index, and its fallback while the index loads)` +
        (Variant ? ` and the variant ${process.env.BENCH_SEARCH_SERVICE}` : ''),
    );
    const caughtUpBefore = index.caughtUp;
    const [search, sqlPath, variant] = await phase('search', () =>
      timeQueries(queries, REPS, WARMUP, [viaService(service!), viaService(new SqlSearch(ds)), ...(Variant ? [viaService(new Variant(ds))] : [])]),
    );
    log(`catch-ups before the searches applied ${index.caughtUp - caughtUpBefore} changed rows`);
    // The index's memory: the heap (and array buffers) it keeps alive, after full collections.
    const gc = collectGarbage();
    gc();
    const withIndex = heapBytes();
    index = service = undefined;
    gc();
    log(`index memory: ${mb(withIndex - heapBytes())} of heap and array buffers released when it is dropped (process heap + array buffers with it: ${mb(withIndex)})`);
    log(`baselines: (a) a plain haystack LIKE scan (page 1, total, no facets), ${BASELINE_REPS} runs per query; (b) the SQL search with index scans disabled, ${NOINDEX_REPS} run(s) per query`);
    const [like] = await phase('baseline LIKE', () => timeQueries(queries, BASELINE_REPS, 1, [(q) => likeScan(ds, q)]));
    const [unindexed] = await phase('baseline no index', () => timeQueries(queries, NOINDEX_REPS, 0, [viaService(new SqlSearch(noIndex))]));

    log('');
    const variantHeader = variant ? `${padStart('var p50', 9)}${padStart('var p95', 9)}${padStart('×p95', 7)}` : '';
    const header = `${padEnd('#', 3)}${padEnd('query', 18)}${padEnd('options', 36)}${padStart('total', 7)}${padStart('p50 ms', 9)}${padStart('p95 ms', 9)}${padStart('max', 8)}${padStart('SQL p50', 9)}${padStart('SQL p95', 9)}${padStart('×p95', 7)}${padStart('LIKE p50', 10)}${padStart('×', 7)}${padStart('no-idx p50', 12)}${padStart('×', 7)}${variantHeader}`;
    log(header);
    log('-'.repeat(width(header)));
    const mismatches: string[] = [];
    let samePage = search.length;
    let sameAsSql = 0;
    const flag = (x: number) => ms(x) + (x >= SEARCH_P95_TARGET_MS ? '!' : '');
    for (const [i, t] of search.entries()) {
      const p50 = percentile(t.samples, 0.5);
      const l50 = percentile(like[i].samples, 0.5);
      const u50 = percentile(unindexed[i].samples, 0.5);
      const p95 = percentile(t.samples, 0.95);
      const v = variant?.[i];
      const s = sqlPath[i];
      const s95 = percentile(s.samples, 0.95);
      log(
        `${padEnd(String(i + 1), 3)}${padEnd(t.label, 18)}${padEnd(t.note ?? '', 36)}${padStart(String(t.total), 7)}${padStart(ms(p50), 9)}${padStart(flag(p95), 9)}${padStart(ms(Math.max(...t.samples)), 8)}` +
          `${padStart(ms(percentile(s.samples, 0.5)), 9)}${padStart(flag(s95), 9)}${padStart(ratio(s95, p95), 7)}` +
          `${padStart(ms(l50), 10)}${padStart(ratio(l50, p50), 7)}${padStart(ms(u50), 12)}${padStart(ratio(u50, p50), 7)}` +
          (v ? `${padStart(ms(percentile(v.samples, 0.5)), 9)}${padStart(flag(percentile(v.samples, 0.95)), 9)}${padStart(ratio(p95, percentile(v.samples, 0.95)), 7)}` : ''),
      );
      // The index answers as the SQL search: same total, the very same page.
      if (s.total !== t.total || s.ids.join() !== t.ids.join()) mismatches.push(`${t.label}: index ${t.total} (${t.ids.length} on the page), SQL ${s.total} (${s.ids.length}), same page: ${s.ids.join() === t.ids.join()}`);
      else sameAsSql++;
      // Same matching rule: the totals must agree (sort and page do not change the total).
      if (unindexed[i].samples.length > 0 && unindexed[i].total !== t.total) mismatches.push(`${t.label}: SearchService total ${t.total}, without indexes ${unindexed[i].total}`);
      if (like[i].samples.length > 0 && like[i].total !== t.total) mismatches.push(`${t.label}: SearchService total ${t.total}, LIKE scan ${like[i].total}`);
      if (v && (v.total !== t.total || v.hits !== t.hits)) mismatches.push(`${t.label}: SearchService ${t.total} (${t.hits} on the page), variant ${v.total} (${v.hits})`);
      if (v && v.ids.join() !== t.ids.join()) samePage--;
    }
    const overall = (timed: readonly Timed[]) => {
      const samples = timed.flatMap((t) => t.samples);
      return { n: samples.length, p50: percentile(samples, 0.5), p95: percentile(samples, 0.95), max: Math.max(...samples) };
    };
    const all = overall(search);
    const sqlAll = overall(sqlPath);
    const likeAll = overall(like);
    const unindexedAll = overall(unindexed);
    const variantAll = variant && overall(variant);
    log('-'.repeat(width(header)));
    log(
      `${padEnd('', 3)}${padEnd(`overall (${all.n} calls)`, 54)}${padStart('', 7)}${padStart(ms(all.p50), 9)}${padStart(ms(all.p95), 9)}${padStart(ms(all.max), 8)}` +
        `${padStart(ms(sqlAll.p50), 9)}${padStart(ms(sqlAll.p95), 9)}${padStart(ratio(sqlAll.p95, all.p95), 7)}` +
        `${padStart(ms(likeAll.p50), 10)}${padStart(ratio(likeAll.p50, all.p50), 7)}${padStart(ms(unindexedAll.p50), 12)}${padStart(ratio(unindexedAll.p50, all.p50), 7)}` +
        (variantAll ? `${padStart(ms(variantAll.p50), 9)}${padStart(ms(variantAll.p95), 9)}${padStart(ratio(all.p95, variantAll.p95), 7)}` : ''),
    );
    log(`baseline p95: LIKE scan ${ms(likeAll.p95)} ms (×${ratio(likeAll.p95, all.p95)} of search p95), SQL search without indexes ${ms(unindexedAll.p95)} ms (×${ratio(unindexedAll.p95, all.p95)})`);
    for (const m of mismatches) log(`WARNING result mismatch: ${m}`);
    log(`index vs SQL search: same total and the very same page (ids and order) on ${sameAsSql} of ${search.length} queries`);
    if (variant) log(`variant: same totals and page sizes on ${search.length - mismatches.filter((m) => m.includes('variant')).length} of ${search.length} queries, the very same page (ids and order) on ${samePage}`);
    const verdict = (name: string, o: { p50: number; p95: number }, timed: readonly Timed[]) =>
      `${name} ${o.p95 < SEARCH_P95_TARGET_MS ? 'PASS' : 'FAIL'}: p95 ${ms(o.p95)} ms vs target < ${SEARCH_P95_TARGET_MS} ms (p50 ${ms(o.p50)} ms); queries over target at p95: ${timed.filter((t) => percentile(t.samples, 0.95) >= SEARCH_P95_TARGET_MS).length} of ${timed.length}`;
    log(`\n${verdict('SEARCH', all, search)}`);
    log(verdict('SQL search (before the index)', sqlAll, sqlPath));
    if (variant && variantAll) log(verdict('SEARCH (variant)', variantAll, variant));

    if (process.env.BENCH_EXPLAIN) {
      const slowest = [...sqlPath].sort((a, b) => percentile(b.samples, 0.95) - percentile(a.samples, 0.95)).slice(0, Number(process.env.BENCH_EXPLAIN) || 2);
      log(`\nEXPLAIN ANALYZE of the SQL search's slowest queries (${slowest.map((t) => t.label).join(', ')}):`);
      for (const t of slowest) {
        log(`» ${t.label} ${t.note ?? ''}`);
        for (const line of await explain(ds, SqlSearch, scope, t.query)) log(line);
        if (Variant && process.env.BENCH_EXPLAIN) {
          log(`» ${t.label} ${t.note ?? ''} (variant)`);
          for (const line of await explain(ds, Variant, scope, t.query)) log(line);
        }
      }
    }

    log('');
    const imported = IMPORT_ROWS > 0 ? await phase('import', () => benchImport(ds, db.url, depts, IMPORT_ROWS)) : { lines: ['import: skipped (BENCH_IMPORT_ROWS=0)'] };
    for (const line of imported.lines) log(line);
    if (imported.importMs !== undefined) log(`IMPORT ${imported.importMs < IMPORT_TARGET_MS ? 'PASS' : 'FAIL'}: ${secs(imported.importMs)} vs target < ${secs(IMPORT_TARGET_MS)}`);
    else log(`IMPORT: not measured (target < ${secs(IMPORT_TARGET_MS)})`);
  } catch (err) {
    failed = true;
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
  } finally {
    if (noIndex.isInitialized) await noIndex.destroy();
    if (ds.isInitialized) await ds.destroy();
    await phase('cleanup', () => db.close(!!process.env.BENCH_KEEP_DB));
  }
  log(`\nbench runtime ${secs(performance.now() - started)}: ${phases.map(([n, t]) => `${n} ${secs(t)}`).join(', ')}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  if (failed) process.exitCode = 1;
}

void main();
