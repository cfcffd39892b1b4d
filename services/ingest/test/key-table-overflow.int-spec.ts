import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { demoCreditCode } from '../../catalog/src/demo/demo-city.seeder';
import * as late from '../src/loading/late-duplicates';
import { publishDataset, ServiceApi, uploadFile, waitForJob } from './ingest-fixtures';

/**
 * Key uniqueness past the key table's memory (INGEST_KEY_TABLE_MB): the same file loaded with the
 * default table and with one of 12 KiB (1,024 slots, full after 717 keys) gives the same version —
 * rows, rejects, quality, snapshot — though the repeats among the later rows are found by
 * PostgreSQL after the COPY instead of in the stream.
 */
let p: TestPlatform;
let ingest: ServiceApi;
let token: string;
let dataset: any;

const HEADER = '统一社会信用代码,企业名称,法定代表人,成立日期,注册资本';
const ROWS = 2000;
/** Data row (1-based; the file's line is one more, the header being line 1) → the row whose key it repeats. */
const REPEATS: Record<number, number> = {
  5: 2, // both early: the table catches it in either case
  1500: 10, // a late row repeating an early one: still caught in the stream when the table is full
  1900: 1200, // late repeats of a late key: found after the COPY when the table is full
  1950: 1200,
  1990: 1700,
  1991: 1990, // a repeat of a repeat: reported against the first row of the key
};

function file(): Buffer {
  // A repeat takes the key of the row it repeats, followed back to the first one.
  const keyRow = (row: number): number => (REPEATS[row] !== undefined ? keyRow(REPEATS[row]) : row);
  const keyOf = (row: number): string => demoCreditCode('350100', keyRow(row));
  const lines = [HEADER];
  for (let row = 1; row <= ROWS; row++) lines.push(`${keyOf(row)},企业${row},法人${row},2021-03-${String((row % 28) + 1).padStart(2, '0')},${row * 100}`);
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The version's table, its reject lines (row, code, reason), its quality's uniqueness and its snapshot text. */
async function loadWith(keyTableMb: string | undefined, parseWorker = true): Promise<{ version: any; rows: string[]; rejects: string[][]; snapshot: string }> {
  const extra = p.runtime.settings.extra as Record<string, string | undefined>;
  extra.INGEST_KEY_TABLE_MB = keyTableMb;
  extra.INGEST_PARSE_WORKER = parseWorker ? undefined : '0';
  try {
    const upload = await uploadFile(ingest, dataset.id, '企业登记.csv', file());
    expect(upload.status).toBe(202);
    const job = await waitForJob(ingest, upload.body.id);
    expect(job).toMatchObject({ state: 'succeeded', rowsRead: ROWS });
    const versions = await ingest.expect<any[]>(200, 'GET', `/datasets/${dataset.id}/versions`);
    const version = versions.find((v) => v.version === job.version);
    const table = (await p.pool.query(`SELECT table_name FROM ingest.dataset_version WHERE dataset_id = $1 AND version = $2`, [dataset.id, job.version])).rows[0].table_name;
    const rows = (await p.pool.query(`SELECT * FROM ingest."${table}" ORDER BY _row`)).rows.map((r) => JSON.stringify(r));
    const res = await fetch(`${p.baseUrl}/api/ingest/datasets/${dataset.id}/versions/${job.version}/rejects`, { headers: { authorization: `Bearer ${token}` } });
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n').slice(1);
    // row, column, code, reason: the source line of a late repeat is rebuilt from its loaded values
    const rejects = lines.map((l) => l.split(',').slice(0, 4)).sort((a, b) => Number(a[0]) - Number(b[0]));
    const published = await p.pool.query(`SELECT envelope->'payload'->'snapshot' AS s FROM ingest.outbox WHERE event_name = 'ingest.version.published' AND envelope->'payload'->>'version' = $1 AND envelope->'payload'->>'datasetId' = $2`, [String(job.version), dataset.id]);
    const ref = published.rows[0].s;
    const snapshot = await text(await p.runtime.objectStorage.get(ref.key));
    expect(snapshot.split('\n').filter(Boolean)).toHaveLength(ref.rows);
    expect(ref).toMatchObject({ rows: version.rowCount, bytes: Buffer.byteLength(snapshot), sha256: createHash('sha256').update(snapshot).digest('hex') });
    return { version, rows, rejects, snapshot };
  } finally {
    delete extra.INGEST_KEY_TABLE_MB;
    delete extra.INGEST_PARSE_WORKER;
  }
}

beforeAll(async () => {
  p = await startTestPlatform();
  const [op, admin] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
  token = op;
  ingest = new ServiceApi(p.baseUrl, 'ingest', op);
  dataset = await publishDataset(p, { op: new ServiceApi(p.baseUrl, 'catalog', op), admin: new ServiceApi(p.baseUrl, 'catalog', admin) }, ingest, '企业登记信息（主键表容量）');
  await ingest.expect(200, 'PUT', `/datasets/${dataset.id}/settings`, { keys: ['统一社会信用代码'] });
}, 60_000);
afterAll(async () => {
  await p?.close();
});

it('finds every repeated key whatever the key table holds, with the same rows, rejects, quality and snapshot', async () => {
  const afterCopy = jest.spyOn(late, 'removeLateDuplicates');
  const reference = await loadWith(undefined);
  expect(afterCopy).not.toHaveBeenCalled();
  const bounded = await loadWith(String(12 / 1024)); // 12 KiB: 1,024 slots
  const inThread = await loadWith(String(12 / 1024), false);
  // The four repeats among the later rows were left to PostgreSQL, and it found them, both times.
  expect(afterCopy).toHaveBeenCalledTimes(2);
  for (const result of afterCopy.mock.results) await expect(result.value).resolves.toEqual([1900, 1950, 1990, 1991].map((r) => r + 1));
  afterCopy.mockRestore();
  expect(inThread.rows).toEqual(bounded.rows);
  expect(inThread.rejects).toEqual(bounded.rejects);
  expect(inThread.version.quality.uniqueness).toEqual(bounded.version.quality.uniqueness);

  const repeats = Object.keys(REPEATS).map((r) => Number(r) + 1).sort((a, b) => a - b);
  expect(reference.version).toMatchObject({ rowCount: ROWS - repeats.length, rejectedCount: repeats.length });
  expect(bounded.version).toMatchObject({ rowCount: ROWS - repeats.length, rejectedCount: repeats.length });
  expect(bounded.rows).toEqual(reference.rows);
  expect(bounded.rejects).toEqual(reference.rejects);
  expect(bounded.rejects.map((r) => Number(r[0]))).toEqual(repeats);
  // against the first row of the key, as the stream reports it
  expect(bounded.rejects.find((r) => r[0] === '1992')![3]).toContain('与第 1701 行相同');
  expect(bounded.version.quality.uniqueness).toEqual(reference.version.quality.uniqueness);
  expect(bounded.version.quality.uniqueness).toMatchObject({ duplicateRows: repeats.length });
  expect(bounded.version.quality.score).toBe(reference.version.quality.score);
  // The snapshot other services load is the same text: the tapped one without the removed lines.
  expect(bounded.snapshot).toBe(reference.snapshot);
  expect(inThread.snapshot).toBe(reference.snapshot);
});
