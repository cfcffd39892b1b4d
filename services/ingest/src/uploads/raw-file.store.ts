import { createHash, randomUUID } from 'node:crypto';
import { FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { OBJECT_STORAGE, ObjectStorage } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { CHUNK_BYTES } from '../parsing/byte-source';
import { SourceError } from '../pipeline/contracts';

/** Bytes per spool write and per read of the spool. */
const IO_BATCH_BYTES = 16 * CHUNK_BYTES;

export interface StoredRawFile {
  objectKey: string;
  sha256: string;
  size: number;
}

/**
 * An upload on its way into the store: spooled to a temporary file while SHA-256 and MD5 are
 * computed, then given to the object store under `raw/<sha256>` (moved, not copied, where the
 * store can). `bytes()` reads the spool as it grows, so the load can start with the first chunk
 * instead of after the last.
 */
export class ArrivingRawFile {
  /** Settles once the whole body is stored: the key, hash and size. */
  readonly stored: Promise<StoredRawFile>;
  /** True once the first byte is spooled, false for an empty body. */
  readonly started: Promise<boolean>;
  private written = 0;
  private finished = false;
  private failure?: unknown;
  private wake?: () => void;
  /** The read handle of a followed upload (undefined when not followed, or when the spool could not be made). */
  private readonly reader: Promise<FileHandle | undefined>;
  private taken = false;
  private markStarted!: (started: boolean) => void;

  constructor(
    body: Readable | AsyncIterable<Buffer>,
    private readonly path: string,
    store: (sha256: string, md5: string, size: number) => Promise<StoredRawFile>,
    private readonly followed: boolean,
  ) {
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    const out = mkdir(dirname(path), { recursive: true }).then(() => open(path, 'w'));
    // Opened before the file can be moved into the store, which keeps it readable under this handle.
    this.reader = followed ? out.then(() => open(path, 'r')).catch(() => undefined) : Promise.resolve(undefined);
    this.stored = this.spool(body, out, store);
    this.stored.catch(() => undefined); // observed by the uploader; a reader gets it through bytes()
  }

  private async spool(body: Readable | AsyncIterable<Buffer>, opened: Promise<FileHandle>, store: (sha256: string, md5: string, size: number) => Promise<StoredRawFile>): Promise<StoredRawFile> {
    const sha256 = createHash('sha256');
    const md5 = createHash('md5');
    let out: FileHandle | undefined;
    try {
      out = await opened;
      if (this.followed && !(await this.reader)) throw new Error('the upload spool cannot be read');
      // Written in batches: each file write is a round trip to the thread pool.
      const pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async (file: FileHandle) => {
        const data = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
        for (let at = 0; at < data.length; ) at += (await file.write(data, at, data.length - at)).bytesWritten;
        this.written += data.length;
        pending.length = 0;
        pendingBytes = 0;
        this.notify();
      };
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (chunk.length === 0) continue;
        sha256.update(chunk);
        md5.update(chunk);
        this.markStarted(true);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= IO_BATCH_BYTES) await flush(out);
      }
      if (pendingBytes > 0) await flush(out);
      await out.close();
      out = undefined;
    } catch (err) {
      await out?.close().catch(() => undefined);
      this.failure = err;
      this.markStarted(false);
      this.notify();
      // A reader still holding the spool removes it when done (see close()).
      if (!(await this.reader)) await rm(this.path, { force: true });
      throw err;
    }
    this.finished = true;
    this.markStarted(this.written > 0);
    this.notify();
    return store(sha256.digest('hex'), md5.digest('hex'), this.written);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * The body as it arrives, in the 64 KB chunks a file stream gives (the parsers sniff the first
   * chunk), for one reader. Fails when the upload does not complete.
   */
  async *bytes(): AsyncGenerator<Buffer> {
    if (!this.followed || this.taken) throw new Error('this upload is not followed, or is read already');
    this.taken = true;
    const handle = await this.reader;
    if (!handle) {
      await this.stored; // fails with the reason the spool could not be made
      throw new Error('the upload spool cannot be read');
    }
    let at = 0;
    try {
      for (;;) {
        const ready = this.written - at;
        if (ready >= CHUNK_BYTES || (this.finished && ready > 0)) {
          // Up to IO_BATCH_BYTES in one read, handed out in whole chunks (the last may be short at the end).
          const length = Math.min(IO_BATCH_BYTES, this.finished ? ready : ready - (ready % CHUNK_BYTES));
          const batch = Buffer.allocUnsafe(length);
          let got = 0;
          while (got < length) {
            const { bytesRead } = await handle.read(batch, got, length - got, at + got);
            if (bytesRead === 0) throw new Error('the upload spool is shorter than what was written to it');
            got += bytesRead;
          }
          at += length;
          for (let from = 0; from < length; from += CHUNK_BYTES) yield batch.subarray(from, Math.min(from + CHUNK_BYTES, length));
          continue;
        }
        if (this.failure) throw new SourceError('UPLOAD_INCOMPLETE', '文件没有完整上传（连接中断），请重新上传', 'The upload did not complete');
        if (this.finished) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      await this.close(handle);
    }
  }

  /** Lets go of the spool when `bytes()` will not be read (the load stopped before it began). */
  async release(): Promise<void> {
    if (this.followed && !this.taken) {
      this.taken = true;
      const handle = await this.reader;
      if (handle) await this.close(handle);
    }
  }

  private async close(handle: FileHandle): Promise<void> {
    await handle.close().catch(() => undefined);
    // the spool, when the upload failed; else the store has taken it
    await this.stored.then(
      () => undefined,
      () => rm(this.path, { force: true }),
    );
  }
}

/**
 * Raw files as received, immutable and named by their SHA-256 (`raw/<sha256>`): the same bytes
 * uploaded twice are stored once. Memory stays flat for files of any size.
 */
@Injectable()
export class RawFileStore {
  private readonly spoolDir = join(tmpdir(), 'govdata-ingest');

  constructor(@Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage) {}

  /** Takes in an upload; with `follow`, its bytes can be read (once) while they arrive. */
  receive(body: Readable | AsyncIterable<Buffer>, opts: { follow: boolean }): ArrivingRawFile {
    const spool = join(this.spoolDir, randomUUID());
    const store = async (sha256: string, md5: string, size: number): Promise<StoredRawFile> => {
      const objectKey = `raw/${sha256}`;
      try {
        if (size > 0 && !(await this.storage.stat(objectKey))) await this.storage.putFile(objectKey, spool, { md5 });
      } finally {
        await rm(spool, { force: true }); // a no-op once the store has taken the file
      }
      return { objectKey, sha256, size };
    };
    return new ArrivingRawFile(body, spool, store, opts.follow);
  }

  /** Stores an upload once it has fully arrived. */
  store(body: Readable | AsyncIterable<Buffer>): Promise<StoredRawFile> {
    return this.receive(body, { follow: false }).stored;
  }

  open(objectKey: string): Promise<Readable> {
    return this.storage.get(objectKey);
  }

  async size(objectKey: string): Promise<number | undefined> {
    return (await this.storage.stat(objectKey))?.size;
  }
}
