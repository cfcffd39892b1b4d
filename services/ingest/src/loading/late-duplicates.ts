import { randomUUID, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { copyTextToRows, DatasetSnapshotRef, ObjectStorage, quoteIdent, SNAPSHOT_CONTENT_TYPE } from '@gov/shared';
import { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { RejectLine } from '../pipeline/contracts';
import { appendRejectLines } from '../validation/reject-file';
import { csvField, duplicateKeyProblem } from '../validation/row-validator';
import type { TableColumn } from './load-rows';

/** work_mem for the check, in this transaction: 1.5 million keys sort in memory, not in temporary files. */
const WORK_MEM = '256MB';

/**
 * Repeated keys the full key table could not see (key-tracker.ts: from `fromRow` on, new keys were
 * checked against the earlier ones only): found in the version table after the COPY, in the load's
 * transaction, by a window over the key columns of those rows (PostgreSQL's memory and temporary
 * files, not this process's). The later rows of each key are deleted and appended to the reject
 * file as the validator would have written them, the row's loaded values standing in for its
 * source line. Returns the removed row numbers, ascending.
 */
export async function removeLateDuplicates(client: PoolClient, table: string, columns: readonly TableColumn[], keyColumns: readonly number[], fromRow: number, rejectPath: string): Promise<number[]> {
  if (!Number.isSafeInteger(fromRow) || fromRow < 1) throw new Error(`bad row number ${fromRow}`);
  if (keyColumns.length === 0) return [];
  const t = `ingest.${quoteIdent(table)}`;
  // As text, as the key table compares the validated cells; byte order, as only equality matters.
  const key = keyColumns.map((i) => `${quoteIdent(columns[i].name)}::text COLLATE "C"`).join(', ');
  const values = columns.map((c) => `g.${quoteIdent(c.name)}::text`).join(', ');
  await client.query(`SET LOCAL work_mem = '${WORK_MEM}'`);
  const sql =
    `COPY (WITH ranked AS (SELECT _row, first_value(_row) OVER w AS first_row, row_number() OVER w AS n FROM ${t} WHERE _row >= ${fromRow} WINDOW w AS (PARTITION BY ${key} ORDER BY _row)), ` +
    `gone AS (DELETE FROM ${t} d USING ranked r WHERE d._row = r._row AND r.n > 1 RETURNING d.*, r.first_row AS "__first_row") ` +
    `SELECT g._row, g."__first_row", ${values} FROM gone g ORDER BY g._row) TO STDOUT`;
  const source = client.query(copyTo(sql));
  const rows = copyTextToRows();
  source.on('error', (err) => rows.destroy(err)); // pipe() would not pass it on
  source.pipe(rows);
  const removed: number[] = [];
  async function* lines(): AsyncGenerator<RejectLine> {
    for await (const row of rows as AsyncIterable<(string | null)[]>) {
      const cells = row.slice(2);
      removed.push(Number(row[0]));
      yield duplicateKeyProblem(columns, keyColumns, cells, Number(row[0]), Number(row[1]), cells.map((v) => csvField(v ?? '')).join(','));
    }
  }
  await appendRejectLines(rejectPath, lines());
  return removed;
}

/**
 * The stored snapshot (COPY text, `_row` first, in row order) without the lines of `drop`
 * (ascending): read back, filtered line by line into a local file, which then replaces it. The
 * kept lines are the same bytes, so the snapshot is what the load would have tapped without them.
 */
export async function dropSnapshotRows(storage: ObjectStorage, key: string, drop: readonly number[], tmpDir: string): Promise<DatasetSnapshotRef> {
  const tmp = join(tmpDir, `snapshot-${randomUUID()}.tsv`);
  const hash = createHash('sha256');
  let bytes = 0;
  let rows = 0;
  let next = 0;
  // The kept lines, as runs of whole lines of each chunk; a line cut by a chunk's end waits for the next.
  async function* kept(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let carry: Buffer | null = null;
    for await (const chunk of source) {
      const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = null;
      let start = 0;
      let keepFrom = 0;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
        let row = 0;
        for (let i = start; i < nl && data[i] !== 9; i++) row = row * 10 + (data[i] - 48);
        while (next < drop.length && drop[next] < row) next++;
        if (next < drop.length && drop[next] === row) {
          if (start > keepFrom) yield data.subarray(keepFrom, start);
          keepFrom = nl + 1;
        } else rows++;
        start = nl + 1;
      }
      if (start > keepFrom) yield data.subarray(keepFrom, start);
      if (start < data.length) carry = Buffer.from(data.subarray(start));
    }
    // COPY text ends every line with \n; anything after the last one is not a row.
    if (carry) throw new Error(`snapshot ${key} does not end with a line break`);
  }
  async function* hashed(parts: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const part of parts) {
      hash.update(part);
      bytes += part.length;
      yield part;
    }
  }
  try {
    await pipeline(await storage.get(key), kept, hashed, createWriteStream(tmp));
    await storage.putFile(key, tmp, { contentType: SNAPSHOT_CONTENT_TYPE });
    return { key, format: 'pg-copy-text', rows, bytes, sha256: hash.digest('hex') };
  } finally {
    await rm(tmp, { force: true });
  }
}
