/**
 * Entry ids (uuid) of the index's slots as four 32-bit words each, and the entry id → slot lookup
 * as an open-addressing hash table over those words: no JavaScript object or string per entry,
 * so 100,000 entries add nothing for the garbage collector to trace or move. Word order compares
 * like PostgreSQL compares uuids (bytes, i.e. the lower-case text).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EMPTY = -1;
const REMOVED = -2;

export class EntrySlots {
  /** 4 words per slot. */
  private words = new Uint32Array(0);
  /** Hash table: slot, EMPTY or REMOVED. */
  private table = new Int32Array(0).fill(EMPTY);
  private used = 0; // entries + REMOVED marks
  private count = 0;
  private readonly key = new Uint32Array(4);

  get size(): number {
    return this.count;
  }

  /** Makes room for slots below `capacity`. */
  reserve(capacity: number): void {
    if (this.words.length >= capacity * 4) return;
    const words = new Uint32Array(capacity * 4);
    words.set(this.words.subarray(0, Math.min(this.words.length, words.length)));
    this.words = words;
  }

  /** The slot of an entry id, if any. */
  get(id: string): number | undefined {
    if (!this.parse(id) || this.table.length === 0) return undefined;
    const k = this.key;
    const mask = this.table.length - 1;
    for (let i = hash(k) & mask; ; i = (i + 1) & mask) {
      const slot = this.table[i];
      if (slot === EMPTY) return undefined;
      if (slot !== REMOVED && this.equals(slot, k)) return slot;
    }
  }

  /** Records the entry id of `slot` and points the id at it (replacing the entry's former slot). */
  set(id: string, slot: number): void {
    if (!this.parse(id)) throw new Error(`not a uuid: ${id}`);
    const k = this.key;
    const w = this.words;
    w[slot * 4] = k[0];
    w[slot * 4 + 1] = k[1];
    w[slot * 4 + 2] = k[2];
    w[slot * 4 + 3] = k[3];
    if ((this.used + 1) * 2 > this.table.length) this.rehash(Math.max(1024, (this.count + 1) * 4));
    const mask = this.table.length - 1;
    let free = -1;
    for (let i = hash(k) & mask; ; i = (i + 1) & mask) {
      const s = this.table[i];
      if (s === EMPTY) {
        if (free < 0) {
          free = i;
          this.used++;
        }
        break;
      }
      if (s === REMOVED) {
        if (free < 0) free = i;
        continue;
      }
      if (this.equals(s, k)) {
        this.table[i] = slot;
        return;
      }
    }
    this.table[free] = slot;
    this.count++;
  }

  delete(id: string): boolean {
    if (!this.parse(id) || this.table.length === 0) return false;
    const k = this.key;
    const mask = this.table.length - 1;
    for (let i = hash(k) & mask; ; i = (i + 1) & mask) {
      const slot = this.table[i];
      if (slot === EMPTY) return false;
      if (slot !== REMOVED && this.equals(slot, k)) {
        this.table[i] = REMOVED;
        this.count--;
        return true;
      }
    }
  }

  /** The entry id of a slot, as PostgreSQL prints a uuid. */
  idOf(slot: number): string {
    const w = this.words;
    const hex = (x: number, n: number) => x.toString(16).padStart(n, '0');
    const a = w[slot * 4];
    const b = w[slot * 4 + 1];
    const c = w[slot * 4 + 2];
    const d = w[slot * 4 + 3];
    return `${hex(a, 8)}-${hex(b >>> 16, 4)}-${hex(b & 0xffff, 4)}-${hex(c >>> 16, 4)}-${hex(c & 0xffff, 4)}${hex(d, 8)}`;
  }

  /** uuid order of two slots' entry ids. */
  compare(a: number, b: number): number {
    const w = this.words;
    for (let i = 0; i < 4; i++) {
      const x = w[a * 4 + i];
      const y = w[b * 4 + i];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  }

  /**
   * Renumbers after a compaction: `remap[old] = new slot` or -1 for the dropped ones (whose
   * ids no longer point anywhere: they were replaced or removed).
   */
  renumber(remap: Int32Array, slots: number, capacity: number): void {
    const words = new Uint32Array(capacity * 4);
    for (let s = 0; s < remap.length; s++) if (remap[s] >= 0) words.set(this.words.subarray(s * 4, s * 4 + 4), remap[s] * 4);
    this.words = words;
    const table = this.table;
    for (let i = 0; i < table.length; i++) if (table[i] >= 0) table[i] = remap[table[i]];
    this.rehash(Math.max(1024, slots * 4));
  }

  private rehash(size: number): void {
    let n = 1024;
    while (n < size) n *= 2;
    const old = this.table;
    this.table = new Int32Array(n).fill(EMPTY);
    this.used = 0;
    this.count = 0;
    const mask = n - 1;
    const k = new Uint32Array(4);
    for (let j = 0; j < old.length; j++) {
      const slot = old[j];
      if (slot < 0) continue;
      k.set(this.words.subarray(slot * 4, slot * 4 + 4));
      let i = hash(k) & mask;
      while (this.table[i] !== EMPTY) i = (i + 1) & mask;
      this.table[i] = slot;
      this.used++;
      this.count++;
    }
  }

  bytes(): number {
    return this.words.byteLength + this.table.byteLength;
  }

  private equals(slot: number, k: Uint32Array): boolean {
    const w = this.words;
    return w[slot * 4] === k[0] && w[slot * 4 + 1] === k[1] && w[slot * 4 + 2] === k[2] && w[slot * 4 + 3] === k[3];
  }

  /** Parses into `key`; false when the text is not a lower-case uuid (then no entry has it). */
  private parse(id: string): boolean {
    if (id.length !== 36 || !UUID.test(id)) return false;
    const k = this.key;
    k[0] = parseInt(id.slice(0, 8), 16);
    k[1] = parseInt(id.slice(9, 13) + id.slice(14, 18), 16);
    k[2] = parseInt(id.slice(19, 23) + id.slice(24, 28), 16);
    k[3] = parseInt(id.slice(28, 36), 16);
    return true;
  }
}

function hash(k: Uint32Array): number {
  let h = Math.imul(k[0] ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ k[1] ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ k[2] ^ (h >>> 13), 0x85ebca6b);
  h = Math.imul(h ^ k[3] ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 15)) >>> 0;
}
