/**
 * PostgreSQL COPY … (FORMAT binary) encoding for the column types the log writes. Binary COPY
 * sends bytea raw (text COPY doubles it as hex) and spares the server parsing timestamps and
 * uuids, which is most of its per-row CPU on the append path.
 */
export type CopyType = 'bigint' | 'smallint' | 'bytea' | 'text' | 'uuid' | 'timestamptz' | 'boolean';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000;

/** A growable buffer; one per COPY, so a batch is a handful of allocations, not one per field. */
class Writer {
  buf = Buffer.allocUnsafe(1 << 16);
  at = 0;

  reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  int16(v: number): void {
    this.reserve(2);
    this.at = this.buf.writeInt16BE(v, this.at);
  }

  int32(v: number): void {
    this.reserve(4);
    this.at = this.buf.writeInt32BE(v, this.at);
  }

  bytes(b: Buffer): void {
    this.reserve(4 + b.length);
    this.at = this.buf.writeInt32BE(b.length, this.at);
    this.at += b.copy(this.buf, this.at);
  }

  text(s: string): void {
    const max = s.length * 3;
    this.reserve(4 + max);
    const n = this.buf.write(s, this.at + 4, 'utf8');
    this.buf.writeInt32BE(n, this.at);
    this.at += 4 + n;
  }
}

/** A non-negative or negative integer up to 2^53 as int8, without BigInt. */
function int64(w: Writer, v: number): void {
  const hi = Math.floor(v / 4_294_967_296);
  w.at = w.buf.writeInt32BE(hi, w.at);
  w.at = w.buf.writeUInt32BE(v - hi * 4_294_967_296, w.at);
}

function field(w: Writer, type: CopyType, v: unknown): void {
  if (v === null || v === undefined) return w.int32(-1);
  switch (type) {
    case 'bigint':
      if (!Number.isSafeInteger(v)) throw new TypeError(`not an integer: ${String(v)}`);
      w.reserve(12);
      w.at = w.buf.writeInt32BE(8, w.at);
      return int64(w, v as number);
    case 'smallint':
      w.reserve(6);
      w.at = w.buf.writeInt32BE(2, w.at);
      w.at = w.buf.writeInt16BE(v as number, w.at);
      return;
    case 'boolean':
      w.reserve(5);
      w.at = w.buf.writeInt32BE(1, w.at);
      w.buf[w.at++] = v ? 1 : 0;
      return;
    case 'bytea':
      return w.bytes(v as Buffer);
    case 'text':
      return w.text(String(v));
    case 'uuid': {
      const s = String(v);
      w.reserve(20);
      w.at = w.buf.writeInt32BE(16, w.at);
      // 8-4-4-4-12 hex digits; Buffer#write stops at the first non-hex character, so a short count is an error.
      let n = 0;
      if (s.length === 36 && s[8] === '-' && s[13] === '-' && s[18] === '-' && s[23] === '-')
        for (const [a, b] of UUID_GROUPS) n += w.buf.write(s.substring(a, b), w.at + n, 'hex');
      if (n !== 16) throw new TypeError(`not a uuid: ${s}`);
      w.at += 16;
      return;
    }
    case 'timestamptz': {
      const ms = v instanceof Date ? v.getTime() : Date.parse(String(v));
      if (!Number.isFinite(ms)) throw new TypeError(`not a timestamp: ${String(v)}`);
      w.reserve(12);
      w.at = w.buf.writeInt32BE(8, w.at);
      return int64(w, (ms - PG_EPOCH_MS) * 1000);
    }
  }
}

const UUID_GROUPS: [number, number][] = [[0, 8], [9, 13], [14, 18], [19, 23], [24, 36]];

/** Start of a binary COPY stream: signature, flags, header extension length. */
export const COPY_BINARY_HEADER = Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
/** End of a binary COPY stream. */
export const COPY_BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/** Rows of a binary COPY stream from column arrays of equal length (no header or trailer). */
export function encodeCopyRows(types: readonly CopyType[], columns: readonly unknown[][]): Buffer {
  const w = new Writer();
  const n = columns[0]?.length ?? 0;
  for (let i = 0; i < n; i++) {
    w.int16(types.length);
    for (let c = 0; c < types.length; c++) field(w, types[c], columns[c][i]);
  }
  return w.buf.subarray(0, w.at);
}

/** One whole binary COPY stream. */
export function encodeCopyBinary(types: readonly CopyType[], columns: readonly unknown[][]): Buffer {
  return Buffer.concat([COPY_BINARY_HEADER, encodeCopyRows(types, columns), COPY_BINARY_TRAILER]);
}
