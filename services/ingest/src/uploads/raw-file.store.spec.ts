import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FileSystemObjectStorage } from '@gov/shared';
import { CHUNK_BYTES } from '../parsing/byte-source';
import { RawFileStore } from './raw-file.store';

describe('RawFileStore', () => {
  let dir: string;
  let storage: FileSystemObjectStorage;
  let raw: RawFileStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'govdata-raw-'));
    storage = new FileSystemObjectStorage(join(dir, 'objects'));
    raw = new RawFileStore(storage);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('hands out the bytes while they arrive, in 64 KB chunks, and stores them under their SHA-256 at the end', async () => {
    const body = new PassThrough();
    const data = randomBytes(20 * CHUNK_BYTES + 1000);
    const arriving = raw.receive(body, { follow: true });
    const chunks: Buffer[] = [];
    const reading = (async () => {
      for await (const c of arriving.bytes()) chunks.push(c);
    })();
    // More than one batch of the spool's writes, so some of it is written before the end.
    body.write(data.subarray(0, 17 * CHUNK_BYTES + 10));
    await expect(arriving.started).resolves.toBe(true);
    for (let i = 0; i < 200 && chunks.length < 17; i++) await new Promise((r) => setTimeout(r, 5));
    // Read before the upload is complete.
    expect(chunks.map((c) => c.length)).toEqual(Array(17).fill(CHUNK_BYTES));
    body.end(data.subarray(17 * CHUNK_BYTES + 10));
    const sha256 = createHash('sha256').update(data).digest('hex');
    await expect(arriving.stored).resolves.toEqual({ objectKey: `raw/${sha256}`, sha256, size: data.length });
    await reading;
    expect(chunks.map((c) => c.length)).toEqual([...Array(20).fill(CHUNK_BYTES), 1000]);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    expect(await storage.stat(`raw/${sha256}`)).toMatchObject({ size: data.length, etag: createHash('md5').update(data).digest('hex') });
  });

  it('stores the same bytes once', async () => {
    const data = Buffer.from('统一社会信用代码,企业名称\n91350100M000100Y43,示范科技有限公司\n');
    const first = await raw.store(PassThrough.from([data]));
    const second = await raw.store(PassThrough.from([data]));
    expect(second).toEqual(first);
    const keys: string[] = [];
    for await (const k of storage.list('raw/')) keys.push(k);
    expect(keys).toEqual([first.objectKey]);
  });

  it('fails the reader of an upload that breaks off, and stores nothing', async () => {
    const body = new PassThrough();
    const arriving = raw.receive(body, { follow: true });
    body.write(Buffer.alloc(CHUNK_BYTES + 1, 'a'));
    const reading = (async () => {
      for await (const _ of arriving.bytes());
    })();
    await arriving.started;
    body.destroy(new Error('client went away'));
    await expect(reading).rejects.toMatchObject({ code: 'UPLOAD_INCOMPLETE' });
    await expect(arriving.stored).rejects.toThrow('client went away');
    const keys: string[] = [];
    for await (const k of storage.list('raw/')) keys.push(k);
    expect(keys).toEqual([]);
  });
});
