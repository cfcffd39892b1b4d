/**
 * The values of one text column, by slot, stored as one string per chunk of 1,024 slots (values
 * separated by NUL, which PostgreSQL text cannot contain, so a search term never spans two
 * values). Scanning a chunk is a walk over contiguous memory instead of 1,024 separate heap
 * strings, which matters when a broad term has tens of thousands of matches; and the chunk needs
 * one string header instead of 1,024.
 */
const SHIFT = 10;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;
const SEP = '\u0000';

interface Chunk {
  text: string;
  /** offsets[i] = start of value i; offsets[count] = text.length + 1. */
  offsets: Int32Array;
}

export class TextColumn {
  private readonly sealed: Chunk[] = [];
  /** Values of the last, unfilled chunk. */
  private open: string[] = [];
  private openChunk: Chunk | null = null;

  get length(): number {
    return (this.sealed.length << SHIFT) + this.open.length;
  }

  /** Appends the value of the next slot. */
  push(value: string): void {
    this.open.push(value);
    this.openChunk = null;
    if (this.open.length === CHUNK) {
      this.sealed.push(join(this.open));
      this.open = [];
    }
  }

  get(slot: number): string {
    const c = slot >>> SHIFT;
    if (c === this.sealed.length) return this.open[slot & MASK];
    const { text, offsets } = this.sealed[c];
    return text.substring(offsets[slot & MASK], offsets[(slot & MASK) + 1] - 1);
  }

  private chunk(c: number): Chunk {
    if (c < this.sealed.length) return this.sealed[c];
    return (this.openChunk ??= join(this.open));
  }

  /** Calls `hit` for each of the ascending `slots` whose value contains `term` (which must not contain NUL). */
  scan(slots: Int32Array, term: string, hit: (slot: number) => void): void {
    let current = -1;
    let text = '';
    let offsets: Int32Array = new Int32Array(0);
    /** First occurrence at or after the last position searched; -1: none left in the chunk; -2: not searched yet. */
    let next = -2;
    const n = slots.length;
    for (let k = 0; k < n; k++) {
      const slot = slots[k];
      const c = slot >>> SHIFT;
      if (c !== current) {
        ({ text, offsets } = this.chunk(c));
        current = c;
        next = -2;
      }
      const i = slot & MASK;
      const start = offsets[i];
      if (next === -1) continue;
      if (next < start) next = text.indexOf(term, start);
      if (next !== -1 && next + term.length < offsets[i + 1]) hit(slot);
    }
  }

  /** Approximate bytes held (V8 strings: one or two bytes a character). */
  bytes(): number {
    let n = 0;
    const str = (s: string) => 16 + (/^[\x00-\xff]*$/.test(s) ? s.length : 2 * s.length);
    for (const c of this.sealed) n += str(c.text) + c.offsets.byteLength + 48;
    for (const s of this.open) n += str(s) + 4;
    return n;
  }
}

function join(values: readonly string[]): Chunk {
  const offsets = new Int32Array(values.length + 1);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    offsets[i] = at;
    at += values[i].length + 1;
  }
  offsets[values.length] = at;
  return { text: values.join(SEP), offsets };
}
