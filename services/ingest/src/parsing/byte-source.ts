/**
 * The bytes of an upload as an async sequence of chunks, with a look at the first bytes (format and
 * encoding sniffing) that does not lose them: `peek` buffers, `chunks` replays what was peeked and
 * then reads on from the same source. Stopping the iteration early destroys a Readable source.
 */
import type { Readable } from 'node:stream';
import { SourceError } from '../pipeline/contracts';

export type ByteInput = Readable | Buffer | Uint8Array | AsyncIterable<Buffer | Uint8Array | string>;

/** Size of the slices a Buffer input is cut into, and of the sample `peek` usually asks for. */
export const CHUNK_BYTES = 64 * 1024;

function toBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

async function* sliced(buffer: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < buffer.length; i += CHUNK_BYTES) yield buffer.subarray(i, i + CHUNK_BYTES);
}

export class ByteReader {
  private readonly iterator: AsyncIterator<Buffer | Uint8Array | string>;
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;
  private consumed = false;

  constructor(input: ByteInput) {
    if (Buffer.isBuffer(input) || input instanceof Uint8Array) this.iterator = sliced(toBuffer(input));
    else if (typeof (input as AsyncIterable<Buffer>)[Symbol.asyncIterator] === 'function') this.iterator = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    else throw new TypeError('input must be a Readable, a Buffer or an async iterable of chunks');
  }

  static from(input: ByteInput | ByteReader): ByteReader {
    return input instanceof ByteReader ? input : new ByteReader(input);
  }

  /** At least `bytes` bytes from the start (fewer when the input is shorter), without consuming them. */
  async peek(bytes = CHUNK_BYTES): Promise<Buffer> {
    if (this.consumed) throw new Error('peek after the chunks were read');
    while (this.pendingBytes < bytes && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) this.ended = true;
      else {
        const chunk = toBuffer(next.value);
        if (chunk.length === 0) continue;
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
      }
    }
    if (this.pending.length > 1) {
      const joined = Buffer.concat(this.pending);
      this.pending.length = 0;
      this.pending.push(joined);
    }
    return this.pending[0] ?? Buffer.alloc(0);
  }

  /** True when everything the input has was peeked. */
  get exhausted(): boolean {
    return this.ended;
  }

  /** The peeked bytes, then the rest of the input; can be iterated once. */
  async *chunks(): AsyncGenerator<Buffer> {
    if (this.consumed) throw new Error('the input was already read');
    this.consumed = true;
    let finished = false;
    try {
      while (this.pending.length > 0) yield this.pending.shift()!;
      while (!this.ended) {
        const next = await this.iterator.next();
        if (next.done) break;
        const chunk = toBuffer(next.value);
        if (chunk.length > 0) yield chunk;
      }
      finished = true;
    } finally {
      this.ended = true;
      // a consumer that stopped early: let the source release itself (a Readable is destroyed)
      if (!finished) await this.iterator.return?.().catch(() => undefined);
    }
  }

  /** The whole input in one Buffer, refused past `maxBytes`. */
  async readAll(maxBytes: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let total = 0;
    for await (const chunk of this.chunks()) {
      total += chunk.length;
      if (total > maxBytes)
        throw new SourceError('FILE_TOO_LARGE', `文件超过 ${Math.round(maxBytes / 1024 / 1024)} MB，无法作为 Excel 工作簿读取。请拆分后上传，或另存为 CSV`, `The file is larger than ${maxBytes} bytes; split it or save it as CSV`);
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }
}
