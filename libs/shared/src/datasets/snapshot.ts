import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ObjectStorage } from '../storage/object-storage';

/**
 * A dataset snapshot is how a version's rows leave the ingest service: the version table in
 * PostgreSQL COPY text format (`_row`, then the columns named in `ingest.version.published`),
 * written to object storage before the event. Sharing and open-api load it into tables of their
 * own schema, so no service reads another's tables and each keeps only what it may serve
 * (open-api masks personal items while loading).
 */
export interface SnapshotColumn {
  name: string;
  /** PostgreSQL type of the column in the version table. */
  type: string;
}

export interface DatasetSnapshotRef {
  key: string;
  format: 'pg-copy-text';
  rows: number;
  bytes: number;
  sha256: string;
}

export function snapshotKey(datasetId: string, version: number): string {
  return `snapshots/${datasetId}/${version}.tsv`;
}

/** A PostgreSQL identifier, quoted; Chinese item names are fine as quoted identifiers (≤ 63 bytes). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Escapes a value for COPY text format: backslash, tab, newline and carriage return; null is \N. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  let out = '';
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 || c === 9 || c === 10 || c === 13) {
      out += value.slice(last, i) + (c === 92 ? '\\\\' : c === 9 ? '\\t' : c === 10 ? '\\n' : '\\r');
      last = i + 1;
    }
  }
  return last === 0 ? value : out + value.slice(last);
}

const UNESCAPE: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', v: '\v' };

/** One COPY text line (without its newline) → values; `\N` is null. */
export function parseCopyLine(line: string): (string | null)[] {
  return line.split('\t').map((field) => {
    if (field === '\\N') return null;
    if (!field.includes('\\')) return field;
    return field.replace(/\\(.)/g, (_m, c: string) => UNESCAPE[c] ?? c);
  });
}

/** How a snapshot object is stored: COPY text, tab-separated. */
export const SNAPSHOT_CONTENT_TYPE = 'text/tab-separated-values; charset=utf-8';

/**
 * Tees a COPY text byte stream into object storage as it flows on to PostgreSQL during a load, so the snapshot costs no second read of the table. `result()` waits for the object;
 * `abort()` removes it when the load fails.
 */
export function snapshotTap(storage: ObjectStorage, key: string): { tap: Transform; result(): Promise<DatasetSnapshotRef>; abort(): Promise<void> } {
  const hash = createHash('sha256');
  let bytes = 0;
  let rows = 0;
  const body = new PassThrough();
  // A load that fails before the store has started reading (its put awaits first) destroys `body`
  // with the load's error: observed through `stored`, never an unhandled 'error' that ends the process.
  body.on('error', () => undefined);
  const stored = storage.put(key, body, { contentType: SNAPSHOT_CONTENT_TYPE });
  stored.catch(() => undefined); // observed by result() or abort()
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
      if (body.write(chunk)) done(null, chunk);
      else body.once('drain', () => done(null, chunk));
    },
    flush(done) {
      body.end();
      done();
    },
    destroy(err, done) {
      if (!body.writableEnded) body.destroy(err ?? new Error('snapshot aborted'));
      done(err);
    },
  });
  return {
    tap,
    result: async () => {
      await stored;
      return { key, format: 'pg-copy-text', rows, bytes, sha256: hash.digest('hex') };
    },
    abort: async () => {
      if (!body.writableEnded) body.destroy(new Error('snapshot aborted'));
      await stored.catch(() => undefined);
      await storage.delete(key).catch(() => undefined);
    },
  };
}

/** `CREATE TABLE <qualifiedTable> (_row bigint NOT NULL, <columns>)` with the snapshot's column types. */
export function createSnapshotTableSql(qualifiedTable: string, columns: readonly SnapshotColumn[]): string {
  return `CREATE TABLE ${qualifiedTable} (_row bigint NOT NULL, ${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`;
}

/**
 * Loads a snapshot into an existing table with columns (`_row`, …columns) in the caller's
 * transaction. `mapRow` rewrites each row's values (not `_row`) on the way in — open-api masks
 * personal items with it, so unmasked values never reach its schema. Returns the rows loaded.
 */
export async function loadSnapshot(
  client: PoolClient,
  storage: ObjectStorage,
  o: { key: string; qualifiedTable: string; columns: readonly SnapshotColumn[]; mapRow?: (values: (string | null)[]) => (string | null)[] },
): Promise<number> {
  const cols = ['_row', ...o.columns.map((c) => c.name)].map(quoteIdent).join(', ');
  const sink = client.query(copyFrom(`COPY ${o.qualifiedTable} (${cols}) FROM STDIN`));
  const source: Readable = await storage.get(o.key);
  if (o.mapRow) await pipeline(source, mapCopyLines(o.mapRow), sink);
  else await pipeline(source, sink);
  return Number(sink.rowCount ?? 0);
}

/** COPY text in → COPY text out, each row's values (after `_row`) passed through `mapRow`. */
function mapCopyLines(mapRow: (values: (string | null)[]) => (string | null)[]): Transform {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const mapLine = (line: string) => {
    const [row, ...values] = parseCopyLine(line);
    return [row, ...mapRow(values)].map((v) => copyText(v)).join('\t') + '\n';
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const text = rest + decoder.write(chunk);
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      let out = '';
      for (const line of lines) out += mapLine(line);
      done(null, out);
    },
    flush(done) {
      const tail = rest + decoder.end();
      done(null, tail ? mapLine(tail) : '');
    },
  });
}
