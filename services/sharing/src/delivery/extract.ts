import { createHash } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRecordWriter, quoteIdent } from '@gov/shared';
import type { DataSource } from 'typeorm';
import type { ScopedSelect } from './records.service';

export const EXTRACT_FORMATS = ['csv', 'xlsx', 'json'] as const;
export type ExtractFormat = (typeof EXTRACT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExtractFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
};

const BATCH = 5000;

/** The scoped rows of the current version in batches, by `_row` (keyset: constant cost per batch). */
export async function* scopedBatches(ds: DataSource, s: ScopedSelect): AsyncGenerator<Record<string, unknown>[]> {
  let after = -1;
  // As text: extracts and pushes carry the values as loaded, whatever the column type and time zone.
  const cols = s.fields.map((f) => `${quoteIdent(f)}::text AS ${quoteIdent(f)}`).join(', ');
  for (;;) {
    const params = [...s.params, after];
    const rows: Record<string, unknown>[] = await ds.query(
      `SELECT _row, ${cols} FROM ${s.dataset.qualifiedTable} WHERE _row > $${params.length} ${s.where.length ? `AND ${s.where.join(' AND ')}` : ''} ORDER BY _row LIMIT ${BATCH}`,
      params,
    );
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]._row);
    for (const r of rows) delete r._row;
    yield rows;
    if (rows.length < BATCH) return;
  }
}

/**
 * Streams an extract with only the granted items to `out` through the shared record writers
 * (@gov/shared records: formula cells escaped in CSV/XLSX, exact decimals in JSON) and returns its
 * row count and SHA-256 (recorded with downloads, pushes and 回流 so a file can be matched to its delivery).
 */
export async function writeExtract(ds: DataSource, s: ScopedSelect, format: ExtractFormat, out: Writable): Promise<{ rows: number; sha256: string; bytes: number }> {
  const types = new Map(s.dataset.columns.map((c) => [c.name, c.type]));
  const writer = createRecordWriter(format, { columns: s.fields.map((name) => ({ name, type: types.get(name) ?? 'text' })), sheetName: '数据' });
  const hash = createHash('sha256');
  let bytes = 0;
  let rows = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  async function* source() {
    for await (const batch of scopedBatches(ds, s))
      for (const r of batch) {
        rows++;
        yield s.fields.map((f) => r[f] as string | null);
      }
  }
  await pipeline(Readable.from(source()), writer, meter, out);
  return { rows, sha256: hash.digest('hex'), bytes };
}
