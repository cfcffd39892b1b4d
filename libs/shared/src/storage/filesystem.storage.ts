import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, ObjectStorage, StoredObject } from './object-storage';

/**
 * Embedded-mode object storage under one directory. Writes go to a temporary file and are
 * renamed into place, so a crash never leaves a half-written object under its key.
 */
export class FileSystemObjectStorage implements ObjectStorage {
  readonly kind = 'filesystem' as const;

  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertSafeKey(key);
    return join(this.root, 'data', ...key.split('/'));
  }

  async put(key: string, body: Readable | Buffer, opts: { contentType?: string } = {}): Promise<StoredObject> {
    const target = this.pathOf(key);
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    const md5 = createHash('md5');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        md5.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, meter, createWriteStream(tmp));
      const etag = md5.digest('hex');
      await writeFile(`${tmp}.meta`, JSON.stringify({ etag, contentType: opts.contentType }));
      await rename(`${tmp}.meta`, `${target}.meta.json`);
      await rename(tmp, target);
      return { key, size, etag, lastModified: new Date(), contentType: opts.contentType };
    } catch (err) {
      await rm(tmp, { force: true });
      await rm(`${tmp}.meta`, { force: true });
      throw err;
    }
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    const path = this.pathOf(key);
    await stat(path); // fail with ENOENT before handing out a stream
    return createReadStream(path, range ? { start: range.start, end: range.end } : undefined);
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const path = this.pathOf(key);
    try {
      const s = await stat(path);
      const meta = JSON.parse(await readFile(`${path}.meta.json`, 'utf8').catch(() => '{}')) as { etag?: string; contentType?: string };
      return { key, size: s.size, etag: meta.etag ?? '', lastModified: s.mtime, contentType: meta.contentType };
    } catch (err) {
      // ENOTDIR: a key below an existing object's path (`a.json/nested`) is simply absent.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    await rm(`${path}.meta.json`, { force: true });
  }

  async *list(prefix: string): AsyncIterable<string> {
    const base = join(this.root, 'data');
    const walk = async function* (dir: string): AsyncIterable<string> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const full = join(dir, e.name);
        if (e.isDirectory()) yield* walk(full);
        else if (!e.name.endsWith('.meta.json')) yield relative(base, full).split(sep).join('/');
      }
    };
    for await (const key of walk(base)) if (key.startsWith(prefix)) yield key;
  }

  async healthy(): Promise<boolean> {
    try {
      await mkdir(this.root, { recursive: true });
      return true;
    } catch {
      return false;
    }
  }
}
