import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OBJECT_STORAGE, ObjectStorage } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';

export interface StoredRawFile {
  objectKey: string;
  sha256: string;
  size: number;
}

/**
 * Raw files as received, immutable and named by their SHA-256 (`raw/<sha256>`): the same bytes
 * uploaded twice are stored once. The body is spooled to a temporary file while it is hashed,
 * so memory stays flat for files of any size.
 */
@Injectable()
export class RawFileStore {
  private readonly spoolDir = join(tmpdir(), 'govdata-ingest');

  constructor(@Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage) {}

  async store(body: Readable | AsyncIterable<Buffer>): Promise<StoredRawFile> {
    await mkdir(this.spoolDir, { recursive: true });
    const spool = join(this.spoolDir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        body,
        new Transform({
          transform(chunk: Buffer, _e, done) {
            hash.update(chunk);
            size += chunk.length;
            done(null, chunk);
          },
        }),
        createWriteStream(spool),
      );
      const sha256 = hash.digest('hex');
      const objectKey = `raw/${sha256}`;
      if (size > 0 && !(await this.storage.stat(objectKey))) await this.storage.put(objectKey, createReadStream(spool));
      return { objectKey, sha256, size };
    } finally {
      await rm(spool, { force: true });
    }
  }

  open(objectKey: string): Promise<Readable> {
    return this.storage.get(objectKey);
  }

  async size(objectKey: string): Promise<number | undefined> {
    return (await this.storage.stat(objectKey))?.size;
  }
}
