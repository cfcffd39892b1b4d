/**
 * The sharing bench's load generator, run in a child process of its own so its CPU (HTTP client,
 * JSON parsing) never shares an event loop with the server it measures. The same loop drives
 * every line of the report: the records endpoint, the minimal node:http server, and the page
 * query straight over pg.
 *
 * The parent sends one `LoadJob` over IPC and gets one `LoadResult` back.
 */
import { Agent, request } from 'node:http';
import { Pool } from 'pg';

export type LoadTarget =
  /** GET `${url}?page=N&pageSize=${page}` with these headers; expects 200 and `rows` of `page` rows. */
  | { kind: 'http'; url: string; headers: Record<string, string> }
  /** The records endpoint's statement, prepared, over a pg pool of `connections`. */
  | { kind: 'pg'; databaseUrl: string; connections: number; sql: string; filterValue: string };

export interface LoadJob {
  target: LoadTarget;
  clients: number;
  seconds: number;
  pages: number;
  page: number;
}

export interface LoadResult {
  rate: number;
  p50: number;
  p99: number;
  n: number;
  errors: string[];
  /** Seconds measured, and every latency (ms, sorted): the parent merges rounds. */
  elapsed: number;
  latencies: number[];
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** Runs `fn` from `clients` loops for `seconds`; per-call latencies (ms) and the rate. */
export async function load(clients: number, seconds: number, fn: () => Promise<void>): Promise<LoadResult> {
  const until = Date.now() + seconds * 1000;
  const lat: number[] = [];
  const errors: string[] = [];
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const t = process.hrtime.bigint();
        try {
          await fn();
          lat.push(Number(process.hrtime.bigint() - t) / 1e6);
        } catch (err) {
          // A failed call is not a read: reported, not counted.
          if (errors.length < 5) errors.push((err as Error).message);
        }
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  lat.sort((x, y) => x - y);
  return { rate: lat.length / elapsed, p50: pct(lat, 50), p99: pct(lat, 99), n: lat.length, errors, elapsed, latencies: lat };
}

/** Several phases' results as one: reads over total time, percentiles over all latencies. */
export function merge(results: readonly LoadResult[]): LoadResult {
  const latencies = results.flatMap((r) => r.latencies).sort((x, y) => x - y);
  const elapsed = results.reduce((s, r) => s + r.elapsed, 0);
  return { rate: latencies.length / elapsed, p50: pct(latencies, 50), p99: pct(latencies, 99), n: latencies.length, errors: results.flatMap((r) => r.errors).slice(0, 5), elapsed, latencies };
}

/** One untimed call per client first, so connections and prepared statements exist before timing. */
async function warm(clients: number, fn: () => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: clients }, () => fn().catch(() => undefined)));
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

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

async function run(job: LoadJob): Promise<LoadResult> {
  const randomPage = () => 1 + Math.floor(Math.random() * job.pages);
  const t = job.target;
  if (t.kind === 'http') {
    const sep = t.url.includes('?') ? '&' : '?';
    const call = async () => {
      const res = await get(`${t.url}${sep}page=${randomPage()}&pageSize=${job.page}`, t.headers);
      if (res.status !== 200) throw new Error(`read: ${res.status} ${res.text.slice(0, 200)}`);
      if ((JSON.parse(res.text) as { rows: unknown[] }).rows.length !== job.page) throw new Error('short page');
    };
    await warm(job.clients, call);
    return load(job.clients, job.seconds, call);
  }
  const pool = new Pool({ connectionString: t.databaseUrl, max: t.connections });
  pool.on('error', () => undefined);
  try {
    const call = async () => {
      const page = randomPage();
      // Prepared (a generic plan after five runs), LIMIT/OFFSET as parameters, one row more for hasMore.
      const r = await pool.query({ name: 'bench_raw_page', text: t.sql, values: [t.filterValue, job.page + 1, (page - 1) * job.page] });
      if (r.rows.length < job.page) throw new Error('short page');
      JSON.stringify(r.rows);
    };
    await warm(job.clients, call);
    return await load(job.clients, job.seconds, call);
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  process.once('message', (job: LoadJob) => {
    run(job).then(
      (result) => process.send!(result, () => process.exit(0)),
      (err) => {
        process.stderr.write(`${(err as Error).stack}\n`);
        process.exit(1);
      },
    );
  });
}
