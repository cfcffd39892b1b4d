import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  contentType?: string;
}

/**
 * Object storage port: MinIO/S3 in production, a directory on disk in embedded mode.
 * Keys are `/`-separated relative paths; `..` and absolute keys are refused.
 */
export interface ObjectStorage {
  readonly kind: 'filesystem' | 's3';
  put(key: string, body: Readable | Buffer, opts?: { contentType?: string }): Promise<StoredObject>;
  /**
   * Stores a finished local file under `key` and takes the file away (moved into place when the
   * store can, else uploaded and deleted; left in place when this fails). `md5` is the file's MD5
   * (hex) when the caller computed it while writing the file: a store that needs it then need not
   * read the file again.
   */
  putFile(key: string, path: string, opts?: { contentType?: string; md5?: string }): Promise<StoredObject>;
  get(key: string, range?: { start: number; end?: number }): Promise<Readable>;
  stat(key: string): Promise<StoredObject | undefined>;
  delete(key: string): Promise<void>;
  list(prefix: string): AsyncIterable<string>;
  healthy(): Promise<boolean>;
}

export const OBJECT_STORAGE = Symbol('OBJECT_STORAGE');

export class InvalidObjectKeyError extends Error {
  constructor(key: string) {
    super(`invalid object key: ${JSON.stringify(key)}`);
    this.name = 'InvalidObjectKeyError';
  }
}

export function assertSafeKey(key: string): void {
  if (!key || key.startsWith('/') || key.includes('\\') || key.includes('\0') || key.split('/').some((p) => p === '..' || p === '.' || p === ''))
    throw new InvalidObjectKeyError(key);
}
