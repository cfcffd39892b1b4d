/**
 * What a load produced, as short hashes (`--digest`): the loaded table, the reject file, the
 * quality report (without its timeliness part, which reads the clock), the sensitive-data
 * findings and the snapshot. Two runs print the same line when a change kept the output the same:
 * run the bench on both trees (BENCH_INGEST_SRC for the other one) and compare the lines.
 */
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { to as copyTo } from 'pg-copy-streams';
import type { Api, BenchPlatform } from './platform';

const short = (h: ReturnType<typeof createHash>) => h.digest('hex').slice(0, 16);
const hashOf = (data: string | Buffer) => short(createHash('sha256').update(data));

export async function outputDigest(p: BenchPlatform, ingest: Api, datasetId: string, version: number | null): Promise<string> {
  if (!version) return 'digest: no version';
  const [v] = (await p.pool.query(`SELECT status, table_name, row_count, rejected_count, quality, error FROM ingest.dataset_version WHERE dataset_id = $1 AND version = $2`, [datasetId, version])).rows;
  const parts = [`status=${v.status}`, `rows=${v.row_count}`, `rejected=${v.rejected_count}`];
  if (v.status === 'current') {
    const client = await p.pool.connect();
    try {
      const h = createHash('sha256');
      const sink = new Writable({
        write(chunk: Buffer, _e, done) {
          h.update(chunk);
          done();
        },
      });
      await pipeline(client.query(copyTo(`COPY (SELECT * FROM ingest."${v.table_name}" ORDER BY _row) TO STDOUT`)), sink);
      parts.push(`table=${short(h)}`);
    } finally {
      client.release();
    }
  } else parts.push(`error=${v.error?.code}`);
  const rejects = await fetch(`${ingest.baseUrl}/api/ingest/datasets/${datasetId}/versions/${version}/rejects`, { headers: { authorization: `Bearer ${ingest.token}` } });
  parts.push(`rejects=${rejects.status === 200 ? hashOf(Buffer.from(await rejects.arrayBuffer())) : rejects.status}`);
  if (v.quality) {
    const { timeliness: _clock, ...quality } = v.quality;
    parts.push(`quality=${hashOf(JSON.stringify(quality))}`);
  }
  const findings = (
    await p.pool.query(
      `SELECT column_name, kind, matches, scanned, share, embedded, examples, status FROM ingest.sensitive_finding WHERE dataset_id = $1 AND version = $2 ORDER BY column_name, kind`,
      [datasetId, version],
    )
  ).rows;
  parts.push(`findings=${findings.length}:${hashOf(JSON.stringify(findings))}`);
  const [published] = (
    await p.pool.query(`SELECT envelope->'payload'->'snapshot' AS s FROM ingest.outbox WHERE event_name = 'ingest.version.published' AND envelope->'payload'->>'datasetId' = $1 AND (envelope->'payload'->>'version')::int = $2`, [
      datasetId,
      version,
    ])
  ).rows;
  if (published?.s) parts.push(`snapshot=${String(published.s.sha256).slice(0, 16)}/${published.s.rows}`);
  return `digest: ${parts.join(' ')}`;
}
