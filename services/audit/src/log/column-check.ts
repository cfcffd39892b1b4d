/**
 * Checks that the search columns of a record say what its signed bytes say, on the raw bytes of a
 * binary COPY row: no JSON parsing, no strings. A record's bytes are canonical JSON of a fixed
 * shape (AuditLogRecord v1, every key present, keys sorted), so every column has one place in
 * them: the fields before `payload` are matched from the start, the ones after it from the end,
 * and the payload in between (any JSON) is never read. Anything else than the exact expected
 * bytes is a mismatch; the leaf hash has already vouched for the bytes themselves.
 */

/** Columns after seq, leaf_hash and body in the COPY, in this order. */
export const CHECKED_COLUMNS = [
  'event_id', 'event_name', 'producer', 'occurred_at', 'recorded_at', 'correlation_id', 'actor_type', 'actor_id', 'actor_dept_id',
  'object_type', 'object_id', 'dataset_id', 'entry_id', 'grant_id', 'app_id', 'request_id', 'provider_dept_id', 'consumer_dept_id',
  'outcome', 'row_count', 'personal_data',
] as const;

const enum C {
  EventId, EventName, Producer, OccurredAt, RecordedAt, Correlation, ActorType, ActorId, ActorDept, ObjectType, ObjectId,
  Dataset, Entry, Grant, App, Request, ProviderDept, ConsumerDept, Outcome, RowCount, PersonalData,
}

const lit = (s: string) => Buffer.from(s, 'utf8');
const L = {
  actor: lit('{"actor":'),
  nul: lit('null'),
  deptId: lit('{"deptId":'),
  id: lit(',"id":'),
  ip: lit(',"ip":'),
  name: lit(',"name":'),
  type: lit(',"type":'),
  close: lit('}'),
  correlation: lit(',"correlationId":'),
  eventId: lit(',"eventId":'),
  eventName: lit(',"eventName":'),
  eventVersion: lit(',"eventVersion":'),
  fields: lit(',"fields":'),
  object: lit(',"object":{"id":'),
  occurredAt: lit(',"occurredAt":'),
  outcome: lit(',"outcome":'),
  payload: lit(',"payload":'),
  personalData: lit(',"personalData":'),
  producer: lit(',"producer":'),
  recordedAt: lit(',"recordedAt":'),
  refs: lit(',"refs":{"appId":'),
  consumer: lit(',"consumerDeptId":'),
  dataset: lit(',"datasetId":'),
  entry: lit(',"entryId":'),
  grant: lit(',"grantId":'),
  provider: lit(',"providerDeptId":'),
  request: lit(',"requestId":'),
  version: lit(',"version":'),
  rowCount: lit('},"rowCount":'),
  seq: lit(',"seq":'),
  end: lit(',"v":1}'),
  t: lit('true'),
  f: lit('false'),
};

/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const PG_EPOCH_US = 946_684_800_000_000;

/**
 * One COPY row: `buf` holds it, `start[i]` / `len[i]` locate column i of CHECKED_COLUMNS (len -1
 * for NULL). Reused for every row by the reader.
 */
export interface RowView {
  buf: Buffer;
  bodyLen: number;
  start: Int32Array;
  len: Int32Array;
}

class Cursor {
  body!: Buffer;
  p = 0;
  end = 0;
  ok = true;

  /** The literal bytes at the cursor. */
  lit(l: Buffer): void {
    if (!this.ok) return;
    const b = this.body;
    let p = this.p;
    if (p + l.length > this.end) {
      this.ok = false;
      return;
    }
    for (let i = 0; i < l.length; i++) if (b[p++] !== l[i]) return void (this.ok = false);
    this.p = p;
  }

  /** A column's text as a JSON string at the cursor (or null). */
  text(row: RowView, c: C): void {
    if (!this.ok) return;
    const n = row.len[c];
    if (n < 0) return this.lit(L.nul);
    const b = this.body;
    const src = row.buf;
    const s = row.start[c];
    let p = this.p;
    if (p + n + 2 > this.end || b[p] !== 0x22) return void (this.ok = false);
    p++;
    for (let i = 0; i < n; i++) {
      const ch = src[s + i];
      // Quotes, backslashes and control characters are escaped in JSON: compare those the slow way.
      if (ch === 0x22 || ch === 0x5c || ch < 0x20) return this.escaped(src.toString('utf8', s, s + n));
      if (b[p++] !== ch) return void (this.ok = false);
    }
    if (b[p++] !== 0x22) return void (this.ok = false);
    this.p = p;
  }

  private escaped(value: string): void {
    this.lit(Buffer.from(JSON.stringify(value), 'utf8'));
  }

  /** A uuid column as its lower-case text in a JSON string. */
  uuid(row: RowView, c: C): void {
    if (!this.ok) return;
    if (row.len[c] !== 16) return void (this.ok = false);
    const h = row.buf.toString('hex', row.start[c], row.start[c] + 16);
    this.lit(Buffer.from(`"${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}"`, 'latin1'));
  }

  /** A timestamptz column as the ISO text JavaScript writes (milliseconds, UTC). */
  time(row: RowView, c: C): void {
    if (!this.ok) return;
    if (row.len[c] !== 8) return void (this.ok = false);
    const s = row.start[c];
    const us = row.buf.readInt32BE(s) * 4_294_967_296 + row.buf.readUInt32BE(s + 4) + PG_EPOCH_US;
    if (us % 1000 !== 0) return void (this.ok = false);
    this.lit(Buffer.from(`"${new Date(us / 1000).toISOString()}"`, 'latin1'));
  }

  int8(row: RowView, c: C): void {
    if (!this.ok) return;
    if (row.len[c] < 0) return this.lit(L.nul);
    const s = row.start[c];
    this.lit(Buffer.from(String(row.buf.readInt32BE(s) * 4_294_967_296 + row.buf.readUInt32BE(s + 4)), 'latin1'));
  }

  bool(row: RowView, c: C): void {
    if (!this.ok) return;
    if (row.len[c] < 0) return this.lit(L.nul);
    this.lit(row.buf[row.start[c]] ? L.t : L.f);
  }

  /** Skips a scalar (string, number, true, false, null): fields that are not columns. */
  scalar(): void {
    if (!this.ok) return;
    const b = this.body;
    let p = this.p;
    if (b[p] === 0x22) {
      for (p++; p < this.end && b[p] !== 0x22; p++) if (b[p] === 0x5c) p++;
      if (p >= this.end) return void (this.ok = false);
      this.p = p + 1;
      return;
    }
    while (p < this.end && b[p] !== 0x2c && b[p] !== 0x7d && b[p] !== 0x5d) p++;
    if (p === this.p) return void (this.ok = false);
    this.p = p;
  }

  /** Skips null or an array of scalars (`fields`). */
  scalars(): void {
    if (!this.ok) return;
    if (this.body[this.p] !== 0x5b) return this.lit(L.nul);
    this.p++;
    if (this.body[this.p] === 0x5d) return void this.p++;
    for (;;) {
      this.scalar();
      if (!this.ok) return;
      const ch = this.body[this.p++];
      if (ch === 0x5d) return;
      if (ch !== 0x2c) return void (this.ok = false);
    }
  }
}

const head = new Cursor();
const tail = new Cursor();

/** Do the columns of this row match the record bytes `body[from, to)`? */
export function columnsMatch(body: Buffer, from: number, to: number, seq: number, row: RowView): boolean {
  // Before the payload, from the start.
  const h = head;
  h.body = body;
  h.p = from;
  h.end = to;
  h.ok = true;
  h.lit(L.actor);
  if (row.len[C.ActorType] < 0) {
    h.lit(L.nul);
    if (row.len[C.ActorId] >= 0 || row.len[C.ActorDept] >= 0) return false;
  } else {
    h.lit(L.deptId);
    h.text(row, C.ActorDept);
    h.lit(L.id);
    h.text(row, C.ActorId);
    h.lit(L.ip);
    h.scalar();
    h.lit(L.name);
    h.scalar();
    h.lit(L.type);
    h.text(row, C.ActorType);
    h.lit(L.close);
  }
  h.lit(L.correlation);
  h.text(row, C.Correlation);
  h.lit(L.eventId);
  h.uuid(row, C.EventId);
  h.lit(L.eventName);
  h.text(row, C.EventName);
  h.lit(L.eventVersion);
  h.scalar();
  h.lit(L.fields);
  h.scalars();
  h.lit(L.object);
  h.text(row, C.ObjectId);
  h.lit(L.type);
  h.text(row, C.ObjectType);
  h.lit(L.close);
  h.lit(L.occurredAt);
  h.time(row, C.OccurredAt);
  h.lit(L.outcome);
  h.text(row, C.Outcome);
  h.lit(L.payload);
  if (!h.ok) return false;

  // After the payload: the fixed tail, found from the end (its one free value is refs.version).
  const ending = Buffer.from(`,"seq":${seq},"v":1}`, 'latin1');
  if (to - ending.length < h.p || body.compare(ending, 0, ending.length, to - ending.length, to) !== 0) return false;
  const versionAt = body.lastIndexOf(L.version, to - ending.length);
  if (versionAt < h.p) return false;
  const t = tail;
  t.body = body;
  t.end = to;
  t.ok = true;
  t.p = versionAt + L.version.length;
  t.scalar();
  t.lit(L.rowCount);
  t.int8(row, C.RowCount);
  if (!t.ok || t.p !== to - ending.length) return false;
  // The tail before `"version":`, matched forward from where it must start.
  const personalAt = body.lastIndexOf(L.personalData, versionAt);
  if (personalAt < h.p) return false;
  t.p = personalAt;
  t.lit(L.personalData);
  t.bool(row, C.PersonalData);
  t.lit(L.producer);
  t.text(row, C.Producer);
  t.lit(L.recordedAt);
  t.time(row, C.RecordedAt);
  t.lit(L.refs);
  t.text(row, C.App);
  t.lit(L.consumer);
  t.text(row, C.ConsumerDept);
  t.lit(L.dataset);
  t.text(row, C.Dataset);
  t.lit(L.entry);
  t.text(row, C.Entry);
  t.lit(L.grant);
  t.text(row, C.Grant);
  t.lit(L.provider);
  t.text(row, C.ProviderDept);
  t.lit(L.request);
  t.text(row, C.Request);
  return t.ok && t.p === versionAt;
}
