/**
 * Key uniqueness over millions of rows in flat memory.
 *
 * A key (the values of the key columns) is reduced to a 64-bit hash and kept in an open-addressing
 * table on typed arrays: 8 bytes of hash + 4 bytes of first row number per slot, load ≤ 0.7, so
 * 1,000,000 keys take 2^21 slots = 24 MiB whatever the key length, and nothing on the JS heap per
 * key (a Set<string> of 18-character codes costs ~3–4× more and grows with key length).
 *
 * Bounded: the table stops growing at `maxBytes` (default 24 MiB, 2^21 slots, about 1.47 million
 * keys). From then on a new key is still checked against the table but not added, and
 * `overflowFrom` is the row number of the first key left out: duplicates among the rows from there
 * on are for the loader to find afterwards (in PostgreSQL, see version-loader.ts), so memory stays
 * flat whatever the file size and the check stays exact.
 *
 * Trade-off: two different keys with the same 64-bit hash would be reported as duplicates (a false
 * reject; never a missed duplicate). For n distinct keys the chance of any such collision is about
 * n² / 2^65: 2.7 × 10⁻⁸ at one million rows, 2.7 × 10⁻⁴ at 100 million. The reject line names the
 * row of the first occurrence, so a provider can check it, and the spec verifies exactness against
 * a Set<string> on a million synthetic keys.
 */
import { ColumnSpec } from '../pipeline/contracts';

/**
 * Module-level alias: a global looked up in a hot loop is ~50× slower inside a vm context (jest's
 * test environment, where the throughput tests run) and no slower anywhere else.
 */
const imul = Math.imul;

// Scratch output of hashKey: the two 32-bit halves, read right after the call.
let hashHigh = 0;
let hashLow = 0;

/**
 * 64-bit hash of the key cells at `indexes` (two 32-bit multiply–xorshift lanes over UTF-16 code
 * units, cyrb53-style, each cell prefixed by its length + 1 and null as 0, so ('ab','c') ≠ ('a','bc')
 * and null ≠ ''). Result in `hashHigh` / `hashLow`.
 */
function hashKey(values: readonly (string | null)[], indexes: Int32Array): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let k = 0; k < indexes.length; k++) {
    const v = values[indexes[k]];
    const len = v == null ? 0 : v.length + 1;
    h1 = imul(h1 ^ len, 2654435761);
    h2 = imul(h2 ^ len, 1597334677);
    if (v == null) continue;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      h1 = imul(h1 ^ c, 2654435761);
      h2 = imul(h2 ^ c, 1597334677);
    }
  }
  h1 = imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= imul(h1 ^ (h1 >>> 13), 3266489909);
  hashHigh = h2 >>> 0;
  hashLow = h1 >>> 0;
}

/**
 * The key's hash as a non-negative integer below 2^53 (exact in a double): for samples and sketches
 * that compare keys across versions (`quality-report`).
 */
export function keyHash53(values: readonly (string | null)[], indexes: Int32Array): number {
  hashKey(values, indexes);
  return (hashHigh & 0x1fffff) * 4294967296 + hashLow;
}

export interface KeyTracker {
  /** Names of the key columns, in spec order. */
  readonly keyColumns: readonly string[];
  /** Their indexes in the values array. */
  readonly keyIndexes: Int32Array;
  /**
   * True when the key of `values` (in spec order) was seen before; otherwise records it with
   * `rowNumber` (default: the count of keys so far + 1).
   */
  seen(values: readonly (string | null)[], rowNumber?: number): boolean;
  /** After `seen` returned true: the row number recorded with the first occurrence. */
  readonly firstRowNumber: number;
  /** Distinct keys recorded. */
  readonly size: number;
  /** `seen` calls that returned true. */
  readonly duplicates: number;
  /** Bytes held by the table (typed arrays). */
  memoryBytes(): number;
  /**
   * Row number of the first key the full table did not take (0: every key was taken). Rows from
   * there on were checked against the earlier keys only, not against each other.
   */
  readonly overflowFrom: number;
}

const MAX_LOAD = 0.7;
/** Bytes per slot: a 64-bit hash and a 32-bit row number. */
const SLOT_BYTES = 12;
export const DEFAULT_KEY_TABLE_BYTES = 2 ** 21 * SLOT_BYTES;

class HashKeyTracker implements KeyTracker {
  readonly keyColumns: readonly string[];
  readonly keyIndexes: Int32Array;
  firstRowNumber = 0;
  size = 0;
  duplicates = 0;
  private capacity: number;
  private mask: number;
  /** [high, low] per slot. */
  private hashes: Uint32Array;
  /** First row number per slot; 0 = empty. */
  private rows: Uint32Array;
  private growAt: number;
  private readonly maxCapacity: number;
  private full = false;
  overflowFrom = 0;

  constructor(keyColumns: readonly string[], keyIndexes: readonly number[], initialCapacity: number, maxBytes: number) {
    this.keyColumns = keyColumns;
    this.keyIndexes = Int32Array.from(keyIndexes);
    let max = 1024;
    while (max * 2 * SLOT_BYTES <= maxBytes) max *= 2;
    this.maxCapacity = max;
    let capacity = 1024;
    while (capacity * MAX_LOAD < initialCapacity && capacity < max) capacity *= 2;
    this.allocate(capacity);
  }

  private allocate(capacity: number): void {
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.hashes = new Uint32Array(capacity * 2);
    this.rows = new Uint32Array(capacity);
    this.growAt = Math.floor(capacity * MAX_LOAD);
  }

  seen(values: readonly (string | null)[], rowNumber?: number): boolean {
    hashKey(values, this.keyIndexes);
    const high = hashHigh;
    const low = hashLow;
    const hashes = this.hashes;
    const rows = this.rows;
    let slot = low & this.mask;
    for (;;) {
      const row = rows[slot];
      if (row === 0) break;
      if (hashes[slot * 2 + 1] === low && hashes[slot * 2] === high) {
        this.firstRowNumber = row;
        this.duplicates++;
        return true;
      }
      slot = (slot + 1) & this.mask;
    }
    const rowNo = rowNumber !== undefined && rowNumber > 0 ? rowNumber : this.size + 1;
    if (this.full) {
      this.overflowFrom ||= rowNo;
      return false;
    }
    hashes[slot * 2] = high;
    hashes[slot * 2 + 1] = low;
    rows[slot] = rowNo;
    if (++this.size > this.growAt) {
      if (this.capacity < this.maxCapacity) this.grow();
      else this.full = true;
    }
    return false;
  }

  private grow(): void {
    const oldHashes = this.hashes;
    const oldRows = this.rows;
    this.allocate(this.capacity * 2);
    for (let s = 0; s < oldRows.length; s++) {
      if (oldRows[s] === 0) continue;
      const low = oldHashes[s * 2 + 1];
      let slot = low & this.mask;
      while (this.rows[slot] !== 0) slot = (slot + 1) & this.mask;
      this.hashes[slot * 2] = oldHashes[s * 2];
      this.hashes[slot * 2 + 1] = low;
      this.rows[slot] = oldRows[s];
    }
  }

  memoryBytes(): number {
    return this.hashes.byteLength + this.rows.byteLength;
  }
}

/** No key columns: nothing is ever a duplicate. */
const NO_KEY: KeyTracker = {
  keyColumns: [],
  keyIndexes: new Int32Array(0),
  seen: () => false,
  firstRowNumber: 0,
  size: 0,
  duplicates: 0,
  memoryBytes: () => 0,
  overflowFrom: 0,
};

export interface KeyTrackerOptions {
  /** Expected number of rows, to size the table once (it grows by doubling otherwise). */
  expectedRows?: number;
  /** Most bytes the table may take (default DEFAULT_KEY_TABLE_BYTES, at least 12 KiB). */
  maxBytes?: number;
}

/** A tracker over the specs' key columns (values are in spec order, as the row validator returns them). */
export function createKeyTracker(specs: readonly ColumnSpec[], options: KeyTrackerOptions = {}): KeyTracker {
  const indexes: number[] = [];
  specs.forEach((spec, i) => {
    if (spec.key) indexes.push(i);
  });
  if (indexes.length === 0) return NO_KEY;
  return new HashKeyTracker(
    indexes.map((i) => specs[i].name),
    indexes,
    options.expectedRows ?? 0,
    options.maxBytes ?? DEFAULT_KEY_TABLE_BYTES,
  );
}
