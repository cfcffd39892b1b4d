import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
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
 *  - s3          MinioObjectStorage against a real server when S3_ENDPOINT is set (S3_ACCESS_KEY,
 *                S3_SECRET_KEY and S3_BUCKET default as in docker-compose.test.yml); unreachable fails.
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
  if (!process.env.S3_ENDPOINT)
    return 'S3_ENDPOINT is not set (docker compose -f docker-compose.test.yml up -d test-minio, then S3_ENDPOINT=http://localhost:9000)';
  return undefined;
}

/** As docker-compose.test.yml: MinIO's stock credentials unless S3_ACCESS_KEY/S3_SECRET_KEY say otherwise. */
const realS3Credentials = () => ({
  accessKey: process.env.S3_ACCESS_KEY || 'minioadmin',
  secretKey: process.env.S3_SECRET_KEY || 'minioadmin',
});

/** Decided when the file is collected, so an unconfigured backend shows as skipped, with its reason. */
const SKIP: Record<BackendName, string | undefined> = {
  filesystem: undefined,
  s3rver: undefined,
  s3: realS3SkipReason(),
};
for (const [name, reason] of Object.entries(SKIP)) if (reason) process.stdout.write(`[object storage contract] skipping ${name}: ${reason}\n`);

/** Cases a test server gets wrong by itself; skipped there, with the reason printed. */
const QUIRKS: Partial<Record<BackendName, { firstByteRange?: string; listOrder?: string }>> = {
  s3rver: {
    firstByteRange: 's3rver 3.7.1 answers `Range: bytes=0-0` with the whole object (its FilesystemStore.getObject reads `options.end || Infinity`)',
    listOrder: 's3rver 3.7.1 lists keys in the walk order of its own directory tree (`x/…` before `x-1` and `x`), not in the byte order S3 promises',
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
    ...realS3Credentials(),
    bucket: process.env.S3_BUCKET || 'govdata',
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

    it('answers a key below an existing object as missing', async () => {
      const p = prefix();
      await storage.put(`${p}/a.json`, Buffer.from('{}'));
      await expect(storage.stat(`${p}/a.json/nested`)).resolves.toBeUndefined();
    });

    it('does not answer a mere prefix as an object', async () => {
      const p = prefix();
      await storage.put(`${p}/dir/child`, Buffer.from('c'));
      await expect(storage.stat(`${p}/dir`)).resolves.toBeUndefined();
    });

    it('holds an object whose key is also the prefix of other keys, in either order', async () => {
      const p = prefix();
      await storage.put(`${p}/x`, Buffer.from('x'));
      await storage.put(`${p}/x/y`, Buffer.from('xy'));
      await storage.put(`${p}/z/w`, Buffer.from('zw'));
      await storage.put(`${p}/z`, Buffer.from('z'));
      for (const [key, body] of [[`${p}/x`, 'x'], [`${p}/x/y`, 'xy'], [`${p}/z/w`, 'zw'], [`${p}/z`, 'z']])
        expect((await readAll(await storage.get(key))).toString()).toBe(body);
      expect(await listAll(storage, `${p}/`)).toEqual([`${p}/x`, `${p}/x/y`, `${p}/z`, `${p}/z/w`]);
    });

    it('treats a key ending in .meta.json like any other key', async () => {
      const p = prefix();
      await storage.put(`${p}/report.meta.json`, Buffer.from('USER DATA'));
      await storage.put(`${p}/report`, Buffer.from('r'));
      expect(await listAll(storage, `${p}/`)).toEqual([`${p}/report`, `${p}/report.meta.json`]);
      expect((await readAll(await storage.get(`${p}/report.meta.json`))).toString()).toBe('USER DATA');
    });

    it('rejects a put whose stream fails, leaving no object under the key', async () => {
      const key = `${prefix()}/broken.bin`;
      const failing = Readable.from(
        (async function* () {
          yield Buffer.from('partial data');
          throw new Error('client went away');
        })(),
      );
      // Observed, so that a client library that forgets to listen cannot crash the test process;
      // the adapter must still reject the put.
      failing.on('error', () => undefined);
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        storage.put(key, failing).then(
          () => 'resolved',
          (err: Error) => err.message,
        ),
        new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still pending after 3 s'), 3000))),
      ]);
      clearTimeout(timer);
      expect(outcome).toBe('client went away');
      await expect(storage.stat(key)).resolves.toBeUndefined();
    }, 10_000);

    it('rejects a put whose stream fails before its first byte, with nobody else listening for the error', async () => {
      const key = `${prefix()}/refused.bin`;
      const failing = new Readable({
        read() {
          this.destroy(new Error('disk unreadable'));
        },
      });
      await expect(storage.put(key, failing)).rejects.toThrow('disk unreadable');
      await expect(storage.stat(key)).resolves.toBeUndefined();
      // the key stays usable
      await storage.put(key, Buffer.from('ok'));
      expect((await readAll(await storage.get(key))).toString()).toBe('ok');
    }, 10_000);

    (QUIRKS[name]?.listOrder ? it.skip : it)('lists keys in the byte order of their UTF-8, as S3 does', async () => {
      const p = prefix();
      // '-' < '/' < '0' < 'z' < 'é' (C3 A9) < '数' (E6 95 B0)
      const keys = [`${p}/x0`, `${p}/x/y`, `${p}/x`, `${p}/x-1`, `${p}/xz`, `${p}/x/数`, `${p}/x/é`, `${p}/x/a/b`];
      for (const k of keys) await storage.put(k, Buffer.from(k));
      const listed: string[] = [];
      for await (const key of storage.list(`${p}/`)) listed.push(key);
      expect(listed).toEqual([`${p}/x`, `${p}/x-1`, `${p}/x/a/b`, `${p}/x/y`, `${p}/x/é`, `${p}/x/数`, `${p}/x0`, `${p}/xz`]);
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

    it('stores a local file with putFile and takes the file away', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'govdata-putfile-'));
      try {
        const key = `${prefix()}/raw/file.csv`;
        const body = randomBytes(200 * 1024 + 5);
        const file = join(dir, 'spool');
        await writeFile(file, body);
        const put = await storage.putFile(key, file, { contentType: 'text/csv' });
        expect(put).toMatchObject({ key, size: body.length, etag: md5(body) });
        expect(await storage.stat(key)).toMatchObject({ size: body.length, etag: md5(body), contentType: 'text/csv' });
        expect(sha256(await readAll(await storage.get(key)))).toBe(sha256(body));
        expect(existsSync(file)).toBe(false);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('leaves the file in place when putFile refuses the key', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'govdata-putfile-'));
      try {
        const file = join(dir, 'spool');
        await writeFile(file, 'kept');
        await expect(storage.putFile('../outside', file)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        expect(existsSync(file)).toBe(true);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
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

  it('moves a file given to putFile into place (same file, no copy) and takes the MD5 it is given', async () => {
    const storage = new FileSystemObjectStorage(join(root, 'moved'));
    const file = join(root, 'spool-moved');
    await writeFile(file, 'id,名称\n1,杭州市\n');
    const { ino } = await stat(file);
    const put = await storage.putFile('raw/abc', file, { md5: md5(Buffer.from('id,名称\n1,杭州市\n')) });
    expect(put.etag).toBe(md5(Buffer.from('id,名称\n1,杭州市\n')));
    expect((await stat(join(root, 'moved', 'tree', 'd.raw', 'o.abc'))).ino).toBe(ino);
    expect(await readdir(join(root, 'moved', 'tmp'))).toEqual([]);
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
    expect(existsSync(join(root, 'failing', 'tree', 'd.upload'))).toBe(false);
  });

  it('keeps data and metadata apart from the keys: no key can collide with another or with metadata', async () => {
    const storage = new FileSystemObjectStorage(join(root, 'layout'));
    const keys = ['a', 'a/b', 'a.meta.json', 'm.a', 'o.a', 'd.a', 'a/m.b', 'tmp', 'tree', 'data/x'];
    for (const k of keys) await storage.put(k, Buffer.from(`body of ${k}`), { contentType: `text/x-${keys.indexOf(k)}` });
    for (const k of keys) {
      expect((await readAll(await storage.get(k))).toString()).toBe(`body of ${k}`);
      expect((await storage.stat(k))?.contentType).toBe(`text/x-${keys.indexOf(k)}`);
    }
    expect(await listAll(storage, '')).toEqual([...keys].sort());
    await storage.delete('a');
    expect(await listAll(storage, '')).toEqual(keys.filter((k) => k !== 'a').sort());
    expect((await readAll(await storage.get('a/b'))).toString()).toBe('body of a/b');
  });

  it('does not trust metadata that describes other bytes than those in place', async () => {
    const dir = join(root, 'torn');
    const storage = new FileSystemObjectStorage(dir);
    await storage.put('k/v', Buffer.from('old bytes'), { contentType: 'text/plain' });
    // As if a put had died between renaming its metadata and its bytes into place:
    // the bytes change under the old metadata.
    await writeFile(join(dir, 'tree', 'd.k', 'o.v'), 'new bytes, longer');
    const s = await storage.stat('k/v');
    expect(s).toMatchObject({ size: 17, etag: md5(Buffer.from('new bytes, longer')) });
    expect(s?.contentType).toBeUndefined();
    await expect(storage.stat('k/v')).resolves.toMatchObject({ etag: md5(Buffer.from('new bytes, longer')) });
  });

  it('moves objects of the former layout (data/<key> with <key>.meta.json beside) into the tree on first use', async () => {
    const dir = join(root, 'legacy');
    await mkdir(join(dir, 'data', 'ds', '2024'), { recursive: true });
    await writeFile(join(dir, 'data', 'ds', '2024', 'report.csv'), 'id,name\n');
    await writeFile(join(dir, 'data', 'ds', '2024', 'report.csv.meta.json'), JSON.stringify({ etag: md5(Buffer.from('id,name\n')), contentType: 'text/csv' }));
    await writeFile(join(dir, 'data', 'ds', 'no-meta.bin'), 'raw');
    // a user object whose key ends in .meta.json, with no object it could belong to
    await writeFile(join(dir, 'data', 'ds', 'notes.meta.json'), '{"mine":true}');
    // a sidecar left alone by a put that failed (the object could not be renamed over a directory)
    await writeFile(join(dir, 'data', 'ds', '2024.meta.json'), JSON.stringify({ etag: md5(Buffer.from('x')) }));

    const storage = new FileSystemObjectStorage(dir);
    expect(await listAll(storage, '')).toEqual(['ds/2024/report.csv', 'ds/no-meta.bin', 'ds/notes.meta.json']);
    await expect(storage.stat('ds/2024/report.csv')).resolves.toMatchObject({ size: 8, etag: md5(Buffer.from('id,name\n')), contentType: 'text/csv' });
    await expect(storage.stat('ds/no-meta.bin')).resolves.toMatchObject({ size: 3, etag: md5(Buffer.from('raw')) });
    expect((await readAll(await storage.get('ds/notes.meta.json'))).toString()).toBe('{"mine":true}');
    expect(existsSync(join(dir, 'data'))).toBe(false);

    // a second instance (a restart) finds nothing left to do
    expect(await listAll(new FileSystemObjectStorage(dir), 'ds/')).toEqual(['ds/2024/report.csv', 'ds/no-meta.bin', 'ds/notes.meta.json']);
  });
});
