import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as Minio from 'minio';
import { assertSafeKey, ObjectStorage, StoredObject } from './object-storage';

export interface MinioSettings {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

/** Production object storage through the MinIO client (any S3-compatible server). */
export class MinioObjectStorage implements ObjectStorage {
  readonly kind = 's3' as const;
  private readonly client: Minio.Client;
  private bucketReady?: Promise<void>;

  constructor(private readonly settings: MinioSettings) {
    const url = new URL(settings.endpoint);
    this.client = new Minio.Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      useSSL: url.protocol === 'https:',
      accessKey: settings.accessKey,
      secretKey: settings.secretKey,
      region: settings.region,
      pathStyle: true,
    });
  }

  private ensureBucket(): Promise<void> {
    this.bucketReady ??= (async () => {
      if (!(await this.client.bucketExists(this.settings.bucket))) await this.client.makeBucket(this.settings.bucket, this.settings.region);
    })().catch((err) => {
      this.bucketReady = undefined;
      throw err;
    });
    return this.bucketReady;
  }

  async put(key: string, body: Readable | Buffer, opts: { contentType?: string } = {}): Promise<StoredObject> {
    assertSafeKey(key);
    await this.ensureBucket();
    const meta: Record<string, string> = opts.contentType ? { 'Content-Type': opts.contentType } : {};
    if (Buffer.isBuffer(body)) await this.client.putObject(this.settings.bucket, key, body, undefined, meta);
    else await this.putStream(key, body, meta);
    const s = await this.stat(key);
    if (!s) throw new Error(`object ${key} missing right after upload`);
    return s;
  }

  /**
   * The MinIO client pipes the stream it is given into its part splitter without listening for the
   * stream's errors: a failing source would leave its upload pending forever. So the client gets a
   * PassThrough fed by stream.pipeline: a failure of the source is passed on to whatever the client
   * piped it into, which settles the upload, and the multipart upload begun is aborted. A failure
   * of the upload in turn stops the source.
   */
  private async putStream(key: string, source: Readable, meta: Record<string, string>): Promise<void> {
    const relay = new FailurePropagatingPassThrough();
    const fed = pipeline(source, relay);
    const uploaded = this.client.putObject(this.settings.bucket, key, relay, undefined, meta);
    const failed = (err: unknown) => Promise.reject(relay.fail(err));
    const [feed, upload] = await Promise.allSettled([fed.catch(failed), uploaded.catch(failed)]);
    if (feed.status === 'fulfilled' && upload.status === 'fulfilled') return;
    // Best effort: the client does not tell its upload id, so this aborts the incomplete upload of
    // the key it would itself resume next time; a source failing after the upload completed (which
    // the client should not allow) must not leave the object either.
    await this.client.removeIncompleteUpload(this.settings.bucket, key).catch(() => undefined);
    if (upload.status === 'fulfilled') await this.client.removeObject(this.settings.bucket, key).catch(() => undefined);
    throw feed.status === 'rejected' ? feed.reason : (upload as PromiseRejectedResult).reason;
  }

  async putFile(key: string, path: string, opts: { contentType?: string; md5?: string } = {}): Promise<StoredObject> {
    const stored = await this.put(key, createReadStream(path), { contentType: opts.contentType });
    await rm(path, { force: true });
    return stored;
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    assertSafeKey(key);
    await this.ensureBucket();
    if (!range) return this.client.getObject(this.settings.bucket, key);
    const length = range.end === undefined ? 0 : range.end - range.start + 1;
    return this.client.getPartialObject(this.settings.bucket, key, range.start, length || undefined);
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    assertSafeKey(key);
    await this.ensureBucket();
    try {
      const s = await this.client.statObject(this.settings.bucket, key);
      return { key, size: s.size, etag: s.etag, lastModified: s.lastModified, contentType: s.metaData?.['content-type'] };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'NotFound' || code === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await this.ensureBucket();
    await this.client.removeObject(this.settings.bucket, key);
  }

  async *list(prefix: string): AsyncIterable<string> {
    await this.ensureBucket();
    const stream = this.client.listObjectsV2(this.settings.bucket, prefix, true);
    for await (const item of stream as AsyncIterable<{ name?: string }>) if (item.name) yield item.name;
  }

  async healthy(): Promise<boolean> {
    try {
      await this.ensureBucket();
      return true;
    } catch {
      return false;
    }
  }
}

/** Anything a stream can be piped into and that can be destroyed (the client's own stream classes too). */
type Destroyable = { destroy(error?: Error): unknown };

/** A PassThrough that, once failed, destroys with the same error every stream it is piped into. */
class FailurePropagatingPassThrough extends PassThrough {
  private readonly destinations: Destroyable[] = [];
  private failure?: { error: unknown };

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    const d = destination as unknown as Partial<Destroyable>;
    if (typeof d.destroy === 'function') {
      const target = d as Destroyable;
      this.destinations.push(target);
      if (this.failure) {
        const { error } = this.failure;
        process.nextTick(() => target.destroy(error as Error));
      }
    }
    return super.pipe(destination, options);
  }

  /** Records the first failure, passes it on, and answers it. */
  fail(error: unknown): unknown {
    if (this.failure) return this.failure.error;
    this.failure = { error };
    this.destroy(error as Error);
    for (const d of this.destinations) d.destroy(error as Error);
    return error;
  }
}
