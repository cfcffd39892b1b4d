import { decodeRecord } from '@gov/shared';
import { searchKeysOf } from '../records/search-keys';

/** Records per block of an archived segment: what one ranged read of object storage brings back. */
export const BLOCK_RECORDS = 1000;

/**
 * A Bloom filter over search keys (1 % false positives at ~10 bits per key, 7 probes; FNV-1a
 * double hashing over UTF-16 code units). It only decides which blocks to read: every record
 * a search returns is matched exactly against its signed bytes.
 */
export class KeyFilter {
  private constructor(readonly bits: Buffer) {}

  static PROBES = 7;

  static forKeys(keys: Iterable<string>, count: number): KeyFilter {
    const f = new KeyFilter(Buffer.alloc(Math.max(64, Math.ceil((count * 10) / 8))));
    for (const k of keys) f.add(k);
    return f;
  }

  static from(bits: Buffer): KeyFilter {
    return new KeyFilter(bits);
  }

  private probes(key: string, visit: (bit: number) => boolean): boolean {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ 0x5bd1e995;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    const m = this.bits.length * 8;
    for (let i = 0; i < KeyFilter.PROBES; i++) if (!visit(((h1 + Math.imul(i, h2 | 1)) >>> 0) % m)) return false;
    return true;
  }

  add(key: string): void {
    this.probes(key, (b) => {
      this.bits[b >> 3] |= 1 << (b & 7);
      return true;
    });
  }

  /** False: the key is certainly absent. True: it may be present. */
  mayHave(key: string): boolean {
    return this.probes(key, (b) => (this.bits[b >> 3] & (1 << (b & 7))) !== 0);
  }
}

export interface SegmentBlock {
  fromSeq: number;
  toSeq: number;
  /** Byte range [byteStart, byteEnd) of the block's lines in the segment file. */
  byteStart: number;
  byteEnd: number;
  occurredFrom: string;
  occurredTo: string;
  filter: KeyFilter;
}

/** Splits a segment file into blocks with their time range and key filter. */
export function blocksOf(file: Buffer, fromSeq: number, size = BLOCK_RECORDS): SegmentBlock[] {
  const out: SegmentBlock[] = [];
  let start = 0;
  let seq = fromSeq;
  while (start < file.length) {
    const blockStart = start;
    const keys: string[] = [];
    let lo = Infinity;
    let hi = -Infinity;
    let n = 0;
    for (; n < size && start < file.length; n++) {
      let end = file.indexOf(0x0a, start);
      if (end < 0) end = file.length;
      const r = decodeRecord(file.subarray(start, end));
      keys.push(...searchKeysOf(r));
      const t = Date.parse(r.occurredAt);
      if (t < lo) lo = t;
      if (t > hi) hi = t;
      start = end + 1;
    }
    out.push({ fromSeq: seq, toSeq: seq + n, byteStart: blockStart, byteEnd: Math.min(start, file.length), occurredFrom: new Date(lo).toISOString(), occurredTo: new Date(hi).toISOString(), filter: KeyFilter.forKeys(keys, keys.length) });
    seq += n;
  }
  return out;
}
