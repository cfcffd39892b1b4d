import { Readable } from 'node:stream';
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
    const meta = opts.contentType ? { 'Content-Type': opts.contentType } : {};
    await this.client.putObject(this.settings.bucket, key, body, undefined, meta);
    const s = await this.stat(key);
    if (!s) throw new Error(`object ${key} missing right after upload`);
    return s;
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
