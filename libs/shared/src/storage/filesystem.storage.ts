import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, ObjectStorage, StoredObject } from './object-storage';

/** What is kept beside an object's bytes. `size` and `mtimeMs` tie it to one version of the data file. */
interface ObjectMeta {
  etag?: string;
  contentType?: string;
  size?: number;
  mtimeMs?: number;
}

/**
 * On-disk names. Every entry of the tree carries a kind prefix, so no key can make two entries
 * collide, whatever its segments are (`a` and `a/b`, `x` and `x.meta.json`, `..`):
 *   d.<segment>  directory holding the keys `<…>/<segment>/…`
 *   o.<segment>  the bytes of the object `<…>/<segment>`
 *   m.<segment>  its metadata (JSON: etag, content type, and the size and mtime of the bytes it describes)
 */
const DIR = 'd.';
const OBJECT = 'o.';
const META = 'm.';
const TREE = 'tree';
/** Before the tree: `data/<key as path>` with a `<key>.meta.json` sidecar, migrated on first use. */
const LEGACY = 'data';
const LEGACY_META_SUFFIX = '.meta.json';

const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

/** Byte order of the keys' UTF-8, as S3 lists them. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

async function md5Of(path: string): Promise<string> {
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(path)) md5.update(chunk as Buffer);
  return md5.digest('hex');
}

/**
 * Embedded-mode object storage under one directory (layout: see the name prefixes above).
 * Writes go to a temporary file and are renamed into place, so a crash never leaves a half-written
 * object under its key; metadata that does not describe the bytes in place (a crash or a concurrent
 * put between the two renames) is not trusted: the etag is then computed from the bytes.
 */
export class FileSystemObjectStorage implements ObjectStorage {
  readonly kind = 'filesystem' as const;
  private ready?: Promise<void>;

  constructor(private readonly root: string) {}

  private locate(key: string): { dir: string; data: string; meta: string } {
    assertSafeKey(key);
    const segments = key.split('/');
    const last = segments.pop()!;
    const dir = join(this.root, TREE, ...segments.map((s) => DIR + s));
    return { dir, data: join(dir, OBJECT + last), meta: join(dir, META + last) };
  }

  /** Runs once before the first operation: moves objects of the legacy layout into the tree. */
  private whenReady(): Promise<void> {
    this.ready ??= this.migrateLegacy().catch((err) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  async put(key: string, body: Readable | Buffer, opts: { contentType?: string } = {}): Promise<StoredObject> {
    const target = this.locate(key);
    await this.whenReady();
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
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
      const written = await stat(tmp); // rename keeps the mtime, so the metadata can name this version
      await mkdir(target.dir, { recursive: true });
      const meta: ObjectMeta = { etag, contentType: opts.contentType, size, mtimeMs: written.mtimeMs };
      await writeFile(`${tmp}.meta`, JSON.stringify(meta));
      await rename(`${tmp}.meta`, target.meta);
      await rename(tmp, target.data);
      return { key, size, etag, lastModified: written.mtime, contentType: opts.contentType };
    } catch (err) {
      await rm(tmp, { force: true });
      await rm(`${tmp}.meta`, { force: true });
      throw err;
    }
  }

  /** A rename when the file is on the store's file system (no copy), else a streamed put. */
  async putFile(key: string, path: string, opts: { contentType?: string; md5?: string } = {}): Promise<StoredObject> {
    const target = this.locate(key);
    await this.whenReady();
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    try {
      await rename(path, tmp);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      const stored = await this.put(key, createReadStream(path), opts);
      await rm(path, { force: true });
      return stored;
    }
    try {
      const etag = opts.md5 ?? (await md5Of(tmp));
      const written = await stat(tmp);
      await mkdir(target.dir, { recursive: true });
      const meta: ObjectMeta = { etag, contentType: opts.contentType, size: written.size, mtimeMs: written.mtimeMs };
      await writeFile(`${tmp}.meta`, JSON.stringify(meta));
      await rename(`${tmp}.meta`, target.meta);
      await rename(tmp, target.data);
      return { key, size: written.size, etag, lastModified: written.mtime, contentType: opts.contentType };
    } catch (err) {
      // the file goes back where the caller left it
      await rename(tmp, path).catch(() => undefined);
      await rm(`${tmp}.meta`, { force: true });
      throw err;
    }
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    const { data } = this.locate(key);
    await this.whenReady();
    // Opened now: fails with ENOENT before handing out a stream, and a concurrent put or delete
    // cannot change the bytes under a reader.
    const handle = await open(data, 'r');
    try {
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const { data, meta: metaPath } = this.locate(key);
    await this.whenReady();
    let s;
    try {
      s = await stat(data);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    if (!s.isFile()) return undefined;
    const meta = await this.readMeta(metaPath);
    if (meta?.etag && meta.size === s.size && meta.mtimeMs === s.mtimeMs)
      return { key, size: s.size, etag: meta.etag, lastModified: s.mtime, contentType: meta.contentType };
    // The metadata belongs to another version of the bytes (or is missing): trust only the bytes.
    let etag: string;
    try {
      etag = await md5Of(data);
    } catch (err) {
      if (isMissing(err)) return undefined; // deleted meanwhile
      throw err;
    }
    await this.repairMeta(data, metaPath, { etag, size: s.size, mtimeMs: s.mtimeMs });
    return { key, size: s.size, etag, lastModified: s.mtime };
  }

  async delete(key: string): Promise<void> {
    const { data, meta } = this.locate(key);
    await this.whenReady();
    await rm(data, { force: true });
    await rm(meta, { force: true });
  }

  async *list(prefix: string): AsyncIterable<string> {
    await this.whenReady();
    if (prefix.includes('\0')) return; // no key has one, and the file system refuses it
    // Straight to the directory of the prefix's complete segments; the rest filters its entries.
    const cut = prefix.lastIndexOf('/');
    const dirSegments = cut < 0 ? [] : prefix.slice(0, cut).split('/');
    const partial = prefix.slice(cut + 1);
    const walk = async function* (dir: string, keyPrefix: string, startsWith: string): AsyncIterable<string> {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if (isMissing(err)) return;
        throw err;
      }
      // An object `x` sorts as `x`, a directory `x` as `x/`: the keys come out in order overall.
      const entries = names
        .filter((n) => (n.startsWith(OBJECT) || n.startsWith(DIR)) && n.slice(2).startsWith(startsWith))
        .map((n) => ({ name: n, segment: n.slice(2), isDir: n.startsWith(DIR), order: n.startsWith(DIR) ? `${n.slice(2)}/` : n.slice(2) }))
        .sort((a, b) => byUtf8(a.order, b.order));
      for (const e of entries) {
        if (e.isDir) yield* walk(join(dir, e.name), `${keyPrefix}${e.segment}/`, '');
        else yield keyPrefix + e.segment;
      }
    };
    yield* walk(
      join(this.root, TREE, ...dirSegments.map((s) => DIR + s)),
      dirSegments.length ? `${dirSegments.join('/')}/` : '',
      partial,
    );
  }

  async healthy(): Promise<boolean> {
    try {
      await mkdir(this.root, { recursive: true });
      return true;
    } catch {
      return false;
    }
  }

  private async readMeta(path: string): Promise<ObjectMeta | undefined> {
    try {
      const meta = JSON.parse(await readFile(path, 'utf8')) as unknown;
      return meta && typeof meta === 'object' ? (meta as ObjectMeta) : undefined;
    } catch {
      return undefined; // missing, or torn by hand: the bytes decide
    }
  }

  /** Best effort, so the next stat need not hash again; skipped when the bytes changed meanwhile. */
  private async repairMeta(data: string, metaPath: string, meta: ObjectMeta): Promise<void> {
    const tmp = join(this.root, 'tmp', `${randomUUID()}.meta`);
    try {
      const now = await stat(data);
      if (now.size !== meta.size || now.mtimeMs !== meta.mtimeMs) return;
      await mkdir(dirname(tmp), { recursive: true });
      await writeFile(tmp, JSON.stringify(meta));
      await rename(tmp, metaPath);
    } catch {
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  /**
   * Moves every object of the legacy layout (`data/<key>` + `data/<key>.meta.json`) into the tree.
   * Each step can be repeated after a crash, and another process migrating the same directory at
   * the same time only finds its work done; an object already in the tree is never overwritten.
   */
  private async migrateLegacy(): Promise<void> {
    const legacyRoot = join(this.root, LEGACY);
    const migrateDir = async (dir: string, segments: string[]): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return;
        throw err;
      }
      const files = new Set(entries.filter((e) => !e.isDirectory()).map((e) => e.name));
      for (const e of entries) {
        if (e.isDirectory()) {
          await migrateDir(join(dir, e.name), [...segments, e.name]);
          await rmdir(join(dir, e.name)).catch(() => undefined);
          continue;
        }
        // A sidecar goes with its object; a `.meta.json` file without one was an object itself.
        if (e.name.endsWith(LEGACY_META_SUFFIX)) {
          if (files.has(e.name.slice(0, -LEGACY_META_SUFFIX.length))) continue;
          // The legacy put renamed the sidecar first, so a failed one (EISDIR) left it alone.
          if (await this.isOrphanSidecar(join(dir, e.name))) {
            await rm(join(dir, e.name), { force: true });
            continue;
          }
        }
        await this.migrateLegacyObject(join(dir, e.name), [...segments, e.name].join('/'));
      }
    };
    await migrateDir(legacyRoot, []);
    await rmdir(legacyRoot).catch(() => undefined);
  }

  private async isOrphanSidecar(path: string): Promise<boolean> {
    try {
      if ((await stat(path)).size > 4096) return false;
      const value = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      const keys = Object.keys(value ?? {});
      return typeof value.etag === 'string' && /^[0-9a-f]{32}$/.test(value.etag) && keys.every((k) => k === 'etag' || k === 'contentType');
    } catch {
      return false;
    }
  }

  private async migrateLegacyObject(legacyData: string, key: string): Promise<void> {
    try {
      assertSafeKey(key);
    } catch {
      return; // not a key this store could have written: left where it is
    }
    const legacyMeta = `${legacyData}${LEGACY_META_SUFFIX}`;
    const target = this.locate(key);
    await mkdir(target.dir, { recursive: true });
    let moved = false;
    try {
      await link(legacyData, target.data); // never replaces: a newer object under the key wins
      moved = true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return; // another process moved it
      if (code === 'EEXIST') {
        // Our own link from an interrupted run, or a newer object put since.
        const [a, b] = await Promise.all([stat(legacyData), stat(target.data)]);
        moved = a.ino === b.ino && a.dev === b.dev;
      } else {
        // No hard links on this file system: rename, unless the key is taken.
        if (!(await stat(target.data).then(() => true, () => false))) {
          await rename(legacyData, target.data);
          moved = true;
        }
      }
    }
    if (moved) {
      const old = (await this.readMeta(legacyMeta)) ?? {};
      const s = await stat(target.data);
      const meta: ObjectMeta = { etag: old.etag, contentType: old.contentType, size: s.size, mtimeMs: s.mtimeMs };
      const tmp = join(this.root, 'tmp', `${randomUUID()}.meta`);
      await mkdir(dirname(tmp), { recursive: true });
      await writeFile(tmp, JSON.stringify(meta));
      await rename(tmp, target.meta);
    }
    await rm(legacyMeta, { force: true });
    await unlink(legacyData).catch((err) => {
      if (!isMissing(err)) throw err;
    });
  }
}
