import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Source-row sets of released groups, for the differencing check (差分攻击): two aggregates whose row
 * sets differ by fewer than k rows reveal those rows. Sets are sorted, de-duplicated row ids (the
 * sandbox uses row fingerprints: `hashtext` of the row's values, signed int4), stored
 * delta-encoded and deflated (consecutive ids compress to almost nothing).
 */
export function rowSet(ids: readonly (number | string)[]): Int32Array {
  const a = Int32Array.from(ids, Number).sort();
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) a[n++] = a[i];
  return a.subarray(0, n);
}

/** Row ids packed as big-endian int4 (PostgreSQL's `string_agg(int4send(<int4>), '')`), as a sorted set. */
export function rowSetFromPacked(packed: Buffer | null | undefined): Int32Array {
  if (!packed) return new Int32Array(0);
  const a = new Int32Array(packed.length >> 2);
  for (let i = 0; i < a.length; i++) a[i] = packed.readInt32BE(i << 2);
  a.sort();
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) a[n++] = a[i];
  return a.subarray(0, n);
}

export function encodeRowSet(set: Int32Array): Buffer {
  const deltas = new Uint32Array(set.length);
  for (let i = 0; i < set.length; i++) deltas[i] = i === 0 ? set[0] : set[i] - set[i - 1];
  return deflateRawSync(Buffer.from(deltas.buffer, deltas.byteOffset, deltas.byteLength));
}

export function decodeRowSet(buf: Buffer): Int32Array {
  const raw = inflateRawSync(buf);
  const deltas = new Uint32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const out = new Int32Array(deltas.length);
  for (let i = 0; i < deltas.length; i++) out[i] = i === 0 ? deltas[0] : out[i - 1] + deltas[i];
  return out;
}

/** |a Δ b| of two sorted sets, stopping once it reaches `stopAt` (only "fewer than k" matters). */
export function symmetricDifference(a: Int32Array, b: Int32Array, stopAt = Infinity): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else {
      d++;
      if (a[i] < b[j]) i++;
      else j++;
      if (d >= stopAt) return d;
    }
  }
  return d + (a.length - i) + (b.length - j);
}
