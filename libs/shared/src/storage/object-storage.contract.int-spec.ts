import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FileSystemObjectStorage } from './filesystem.storage';
import { MinioObjectStorage } from './minio.storage';
import { InvalidObjectKeyError, ObjectStorage } from './object-storage';

/**
 * One contract, every reachable object storage:
 *  - filesystem  FileSystemObjectStorage in a temporary directory, always;
 *  - s3rver      MinioObjectStorage against an s3rver (S3-protocol test server) started here;
 *  - s3          MinioObjectStorage against a real server when S3_ENDPOINT (+ keys) is set.
 * Every case works under its own key prefix, so the real-server case never touches other data.
 */

/** The part of s3rver's (untyped) API this file uses. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  middleware: ((ctx: S3rverKoaContext, next: () => Promise<void>) => Promise<void>)[];
  httpServer?: Server;
}
interface S3rverKoaContext {
  method: string;
  path: string;
  query: Record<string, string>;
  type: string;
  body: unknown;
}
type S3rverOptions = { address: string; port: number; silent: boolean; directory: string; configureBuckets?: { name: string }[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (opts: S3rverOptions) => S3rverInstance;

type BackendName = 'filesystem' | 's3rver' | 's3';

interface Backend {
  storage: ObjectStorage;
  cleanup(): Promise<void>;
}

const RUN = `contract-${randomBytes(4).toString('hex')}`;
let seq = 0;
/** A fresh key prefix for one case. */
const prefix = () => `${RUN}/c${++seq}`;

function realS3SkipReason(): string | undefined {
  const { S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY } = process.env;
  if (!S3_ENDPOINT) return 'S3_ENDPOINT is not set (docker compose -f docker-compose.test.yml up -d minio)';
  if (!S3_ACCESS_KEY || !S3_SECRET_KEY) return 'S3_ENDPOINT is set but S3_ACCESS_KEY/S3_SECRET_KEY are not';
  return undefined;
}

/** Decided when the file is collected, so an unconfigured backend shows as skipped, with its reason. */
const SKIP: Record<BackendName, string | undefined> = {
  filesystem: undefined,
  s3rver: undefined,
  s3: realS3SkipReason(),
};
for (const [name, reason] of Object.entries(SKIP)) if (reason) process.stdout.write(`[object storage contract] skipping ${name}: ${reason}\n`);

/** Cases a test server gets wrong by itself; skipped there, with the reason printed. */
const QUIRKS: Partial<Record<BackendName, { firstByteRange?: string }>> = {
  s3rver: {
    firstByteRange: 's3rver 3.7.1 answers `Range: bytes=0-0` with the whole object (its FilesystemStore.getObject reads `options.end || Infinity`)',
  },
};
for (const [name, quirks] of Object.entries(QUIRKS))
  if (!SKIP[name as BackendName]) for (const reason of Object.values(quirks)) process.stdout.write(`[object storage contract] ${name}: skipping one case: ${reason}\n`);

const ran: BackendName[] = [];
afterAll(() => {
  const skipped = Object.entries(SKIP).filter(([, r]) => r).map(([n, r]) => `${n} (${r})`);
  process.stdout.write(`\n[object storage contract] ran: ${ran.join(', ') || 'none'}; skipped: ${skipped.join('; ') || 'none'}\n`);
});

async function startBackend(name: BackendName): Promise<Backend> {
  if (name === 'filesystem') {
    const root = await mkdtemp(join(tmpdir(), 'govdata-objects-'));
    return { storage: new FileSystemObjectStorage(root), cleanup: () => rm(root, { recursive: true, force: true }) };
  }
  if (name === 's3rver') {
    const dir = await mkdtemp(join(tmpdir(), 'govdata-s3rver-'));
    // No configureBuckets: the adapter must create its bucket itself.
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir });
    // s3rver 3.x does not implement ListMultipartUploads (GET /bucket?uploads), which the MinIO client
    // asks before every multipart upload (it uploads every stream of unknown length as multipart).
    // Answer it with "no incomplete uploads"; everything else is s3rver's own S3 implementation.
    server.middleware.unshift(async (ctx, next) => {
      const bucket = /^\/([^/]+)\/?$/.exec(ctx.path)?.[1];
      if (ctx.method === 'GET' && bucket && 'uploads' in ctx.query) {
        ctx.type = 'application/xml';
        ctx.body = `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>${bucket}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>`;
        return;
      }
      await next();
    });
    const { port } = await server.run();
    const storage = new MinioObjectStorage({
      endpoint: `http://127.0.0.1:${port}`,
      accessKey: 'S3RVER',
      secretKey: 'S3RVER',
      bucket: 'govdata-contract',
      region: 'us-east-1',
    });
    return {
      storage,
      cleanup: async () => {
        server.httpServer?.closeAllConnections?.();
        await server.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const storage = new MinioObjectStorage({
    endpoint: process.env.S3_ENDPOINT!,
    accessKey: process.env.S3_ACCESS_KEY!,
    secretKey: process.env.S3_SECRET_KEY!,
    bucket: process.env.S3_BUCKET || 'govdata-test',
    region: process.env.S3_REGION || 'us-east-1',
  });
  return {
    storage,
    cleanup: async () => {
      // Only this run's keys: the bucket may hold other data.
      for await (const key of storage.list(`${RUN}/`)) await storage.delete(key);
    },
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function listAll(storage: ObjectStorage, p: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of storage.list(p)) keys.push(key);
  return keys.sort();
}

/** Dates from Node's fs come from another realm than jest's global Date, so `toBeInstanceOf(Date)` cannot tell. */
const isDate = (d: unknown): d is Date => Object.prototype.toString.call(d) === '[object Date]' && !Number.isNaN((d as Date).getTime());

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A stream of unknown length, in uneven chunks, as an upload from a request would be. */
function chunked(data: Buffer, chunk = 64 * 1024 + 7): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
    })(),
  );
}

for (const name of Object.keys(SKIP) as BackendName[]) {
  (SKIP[name] ? describe.skip : describe)(`object storage contract: ${name}`, () => {
    let backend: Backend;
    let storage: ObjectStorage;

    beforeAll(async () => {
      backend = await startBackend(name);
      storage = backend.storage;
      ran.push(name);
    }, 30_000);

    afterAll(async () => {
      await backend?.cleanup();
    }, 30_000);

    it('is healthy', async () => {
      await expect(storage.healthy()).resolves.toBe(true);
    });

    it('puts a Buffer and gets back the same bytes, with size and MD5 etag', async () => {
      const key = `${prefix()}/数据/report.csv`;
      const body = Buffer.from('id,名称\n1,杭州市\n', 'utf8');
      const put = await storage.put(key, body, { contentType: 'text/csv' });
      expect(put).toMatchObject({ key, size: body.length, etag: md5(body) });
      expect(isDate(put.lastModified)).toBe(true);
      expect((await readAll(await storage.get(key))).equals(body)).toBe(true);
    });

    it('puts a stream and gets back the same bytes', async () => {
      const key = `${prefix()}/upload.bin`;
      const body = randomBytes(300 * 1024 + 13);
      const put = await storage.put(key, chunked(body));
      expect(put.key).toBe(key);
      expect(put.size).toBe(body.length);
      expect(put.etag).toEqual(expect.any(String));
      expect(put.etag.length).toBeGreaterThan(0);
      expect((await readAll(await storage.get(key))).equals(body)).toBe(true);
    });

    it('stores an empty object', async () => {
      const key = `${prefix()}/empty`;
      expect((await storage.put(key, Buffer.alloc(0))).size).toBe(0);
      expect(await readAll(await storage.get(key))).toHaveLength(0);
    });

    it('stats size, etag and content type, and gives undefined for a missing key', async () => {
      const p = prefix();
      const body = Buffer.from('{"a":1}');
      const put = await storage.put(`${p}/a.json`, body, { contentType: 'application/json' });
      const s = await storage.stat(`${p}/a.json`);
      expect(s).toMatchObject({ key: `${p}/a.json`, size: body.length, etag: md5(body), contentType: 'application/json' });
      expect(s!.etag).toBe(put.etag);
      expect(isDate(s!.lastModified)).toBe(true);
      expect(Math.abs(s!.lastModified.getTime() - Date.now())).toBeLessThan(60_000);
      await expect(storage.stat(`${p}/missing.json`)).resolves.toBeUndefined();
      await expect(storage.stat(`${p}/a.json/nested`)).resolves.toBeUndefined();
    });

    it('refuses to get a missing key', async () => {
      await expect(storage.get(`${prefix()}/missing`).then(readAll)).rejects.toThrow();
    });

    it('replaces an object put again under the same key', async () => {
      const key = `${prefix()}/v`;
      await storage.put(key, Buffer.from('first version, longer'));
      await storage.put(key, Buffer.from('second'));
      expect((await readAll(await storage.get(key))).toString()).toBe('second');
      expect((await storage.stat(key))?.size).toBe(6);
    });

    it('gets byte ranges, end inclusive, open-ended to the end', async () => {
      const key = `${prefix()}/range`;
      const body = Buffer.from('0123456789abcdef');
      await storage.put(key, body);
      expect((await readAll(await storage.get(key, { start: 2, end: 5 }))).toString()).toBe('2345');
      expect((await readAll(await storage.get(key, { start: 10 }))).toString()).toBe('abcdef');
      expect((await readAll(await storage.get(key, { start: 15, end: 15 }))).toString()).toBe('f');
      expect((await readAll(await storage.get(key, { start: 0, end: 3 }))).toString()).toBe('0123');
      expect((await readAll(await storage.get(key, { start: 0 }))).toString()).toBe('0123456789abcdef');
    });

    (QUIRKS[name]?.firstByteRange ? it.skip : it)('gets the first byte alone (bytes=0-0)', async () => {
      const key = `${prefix()}/first-byte`;
      await storage.put(key, Buffer.from('0123456789'));
      expect((await readAll(await storage.get(key, { start: 0, end: 0 }))).toString()).toBe('0');
    });

    it('lists every key under a prefix, at any depth, and nothing else', async () => {
      const p = prefix();
      const keys = [`${p}/a/1.csv`, `${p}/a/2.csv`, `${p}/a/deep/er/3.csv`, `${p}/ab/4.csv`, `${p}/b/5.csv`];
      for (const k of keys) await storage.put(k, Buffer.from(k));
      expect(await listAll(storage, `${p}/a/`)).toEqual([`${p}/a/1.csv`, `${p}/a/2.csv`, `${p}/a/deep/er/3.csv`]);
      expect(await listAll(storage, `${p}/a`)).toEqual([`${p}/a/1.csv`, `${p}/a/2.csv`, `${p}/a/deep/er/3.csv`, `${p}/ab/4.csv`]);
      expect(await listAll(storage, `${p}/`)).toEqual([...keys].sort());
      expect(await listAll(storage, `${p}/nothing/`)).toEqual([]);
    });

    it('deletes an object, and deleting a missing key is no error', async () => {
      const p = prefix();
      await storage.put(`${p}/keep`, Buffer.from('k'));
      await storage.put(`${p}/gone`, Buffer.from('g'));
      await storage.delete(`${p}/gone`);
      await expect(storage.stat(`${p}/gone`)).resolves.toBeUndefined();
      await expect(storage.get(`${p}/gone`).then(readAll)).rejects.toThrow();
      expect(await listAll(storage, `${p}/`)).toEqual([`${p}/keep`]);
      await expect(storage.delete(`${p}/gone`)).resolves.toBeUndefined();
      await expect(storage.delete(`${p}/never-existed`)).resolves.toBeUndefined();
    });

    it('refuses unsafe keys with InvalidObjectKeyError and writes nothing', async () => {
      const p = prefix();
      await storage.put(`${p}/existing`, Buffer.from('x'));
      const escape = `escape-${randomBytes(4).toString('hex')}`;
      // each unsafe key, and the safe key a lax implementation would have written instead
      const unsafe: [string, string][] = [
        [`${p}/a/../landed`, `${p}/landed`],
        [`../${escape}`, escape],
        [`${p}/../../${escape}`, escape],
        [`/${p}/abs`, `${p}/abs`],
        [`${p}//double`, `${p}/double`],
        [`${p}/trailing/`, `${p}/trailing`],
        [`${p}/./dot`, `${p}/dot`],
        [`${p}\\back`, `${p}/back`],
        [`${p}/nul\0byte`, `${p}/nul`],
        ['', `${p}/x`],
      ];
      for (const [key, landing] of unsafe) {
        await expect(storage.put(key, Buffer.from('evil'))).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.put(key, chunked(Buffer.from('evil')))).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.get(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.stat(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.delete(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.stat(landing)).resolves.toBeUndefined();
      }
      expect(await listAll(storage, `${p}/`)).toEqual([`${p}/existing`]);
      expect(await listAll(storage, escape)).toEqual([]);
      // the refused delete did not remove anything either
      expect((await readAll(await storage.get(`${p}/existing`))).toString()).toBe('x');
    });

    it('round-trips a 5 MB stream byte for byte', async () => {
      const key = `${prefix()}/big.bin`;
      const body = randomBytes(5 * 1024 * 1024);
      const put = await storage.put(key, chunked(body), { contentType: 'application/octet-stream' });
      expect(put.size).toBe(body.length);
      expect((await storage.stat(key))?.size).toBe(body.length);
      const back = await readAll(await storage.get(key));
      expect(back.length).toBe(body.length);
      expect(sha256(back)).toBe(sha256(body));
      const tail = await readAll(await storage.get(key, { start: body.length - 1000 }));
      expect(tail.equals(body.subarray(body.length - 1000))).toBe(true);
    }, 60_000);
  });
}

describe('FileSystemObjectStorage specifics', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'govdata-objects-fs-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('never writes outside its directory for a traversal key', async () => {
    const storage = new FileSystemObjectStorage(join(root, 'store'));
    await storage.put('ok/file', Buffer.from('x'));
    for (const key of ['../outside', '../../outside', 'ok/../../outside', '/tmp/outside'])
      await expect(storage.put(key, Buffer.from('evil'))).rejects.toBeInstanceOf(InvalidObjectKeyError);
    expect(existsSync(join(root, 'outside'))).toBe(false);
    expect(existsSync(join(root, 'store', 'outside'))).toBe(false);
    expect((await readdir(root)).sort()).toEqual(['store']);
  });

  it('leaves no object and no temporary file behind when the upload stream fails', async () => {
    const storage = new FileSystemObjectStorage(join(root, 'failing'));
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from('partial data');
        throw new Error('client went away');
      })(),
    );
    await expect(storage.put('upload/broken.bin', failing)).rejects.toThrow('client went away');
    await expect(storage.stat('upload/broken.bin')).resolves.toBeUndefined();
    expect(await readdir(join(root, 'failing', 'tmp'))).toEqual([]);
  });
});
