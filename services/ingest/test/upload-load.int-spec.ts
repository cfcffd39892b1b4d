import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { Readable } from 'node:stream';
import { parseCopyLine } from '@gov/shared';
import iconv from 'iconv-lite';
import { eventually, startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { demoCreditCode } from '../../catalog/src/demo/demo-city.seeder';
import { ENTERPRISE_ITEMS, publishDataset, ServiceApi, uploadFile, waitForJob } from './ingest-fixtures';

/** 文件报送: upload → parse → validate against the catalog → COPY → quality → current version. */
let p: TestPlatform;
let ingest: ServiceApi;
let otherIngest: ServiceApi;
let dataset: any;
let opToken: string;

const HEADER = '统一社会信用代码,企业名称,法定代表人,成立日期,注册资本';
const GOOD = [
  '91350100M000100Y43,示范科技有限公司,张三,2020-01-05,1000000',
  '11010519491231002X,,,,',
];

beforeAll(async () => {
  p = await startTestPlatform();
  const [op, admin, other] = await Promise.all([p.login('scjg_op'), p.login('admin'), p.login('rsj_op')]);
  opToken = op;
  ingest = new ServiceApi(p.baseUrl, 'ingest', op);
  otherIngest = new ServiceApi(p.baseUrl, 'ingest', other);
  dataset = await publishDataset(p, { op: new ServiceApi(p.baseUrl, 'catalog', op), admin: new ServiceApi(p.baseUrl, 'catalog', admin) }, ingest, '企业登记信息（归集）');
  await ingest.expect(200, 'PUT', `/datasets/${dataset.id}/settings`, { keys: ['统一社会信用代码'], maxRejectShare: 0.5 });
}, 60_000);
afterAll(async () => {
  await p?.close();
});

async function streamText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function csv(rows: string[], encoding: 'utf8' | 'gbk' = 'utf8', header = HEADER): Buffer {
  const text = [header, ...rows].join('\r\n') + '\r\n';
  return encoding === 'gbk' ? iconv.encode(text, 'gbk') : Buffer.from(text, 'utf8');
}

const rowsOf = (n: number, start = 0) =>
  Array.from({ length: n }, (_, j) => {
    const i = start + j;
    return `${demoCreditCode('350100', i)},企业${i},法人${i},2021/3/${(i % 28) + 1},${i * 100}`;
  });

it('creates one dataset per published entry, from the catalog event', async () => {
  expect(dataset).toMatchObject({ name: '企业登记信息（归集）', currentVersion: null, retired: false });
  expect(dataset.items.map((i: { name: string }) => i.name)).toEqual(ENTERPRISE_ITEMS.map((i) => i.name));
  expect((await otherIngest.call('GET', `/datasets/${dataset.id}`)).status).toBe(404);
});

it('loads a GBK CSV into a new current version, with rejects, quality and lineage', async () => {
  const file = csv([...rowsOf(20), '91350203M0001QAY9B,校验位错误公司,李四,2020-02-30,abc', '=HYPERLINK("x"),公式公司,王五,2020-01-01,1'], 'gbk');
  const upload = await uploadFile(ingest, dataset.id, '企业登记.csv', file);
  expect(upload.status).toBe(202);
  const job = await waitForJob(ingest, upload.body.id);
  expect(job).toMatchObject({ state: 'succeeded', version: 1, rowsRead: 22, rowsRejected: 2, percent: 100 });

  const [v1] = await ingest.expect(200, 'GET', `/datasets/${dataset.id}/versions`);
  expect(v1).toMatchObject({ version: 1, status: 'current', rowCount: 20, rejectedCount: 2, source: { kind: 'upload', fileName: '企业登记.csv', encoding: 'gb18030' } });
  expect(v1.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(v1.quality.score).toBeGreaterThan(0);
  expect(v1.quality.rowCount).toBe(22);

  const rejects = await fetch(`${p.baseUrl}/api/ingest/datasets/${dataset.id}/versions/1/rejects`, { headers: { authorization: `Bearer ${opToken}` } });
  expect(rejects.status).toBe(200);
  const bytes = Buffer.from(await rejects.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM, so Excel reads UTF-8
  const text = bytes.toString('utf8');
  expect(text).toContain('统一社会信用代码');
  expect(text).toContain('91350203M0001QAY9B');
  // A formula-like cell is data, escaped in the file so a spreadsheet does not run it.
  expect(text).not.toMatch(/(^|,)=HYPERLINK/m);

  const rows = await ingest.expect(200, 'GET', `/datasets/${dataset.id}/rows?pageSize=5`);
  expect(rows.total).toBe(20);
  expect(rows.rows[0]).toMatchObject({ 统一社会信用代码: demoCreditCode('350100', 0), 成立日期: '2021-03-01' });
  const reads = await p.pool.query(`SELECT envelope->'payload' AS p FROM ingest.outbox WHERE event_name = 'ingest.data.read'`);
  expect(reads.rows.map((r) => r.p.rows)).toContain(5);

  const published = await p.pool.query(`SELECT envelope->'payload' AS p FROM ingest.outbox WHERE event_name = 'ingest.version.published'`);
  expect(published.rows[0].p).toMatchObject({ datasetId: dataset.id, version: 1, rowCount: 20, rejectedCount: 2 });
  // The snapshot other services load: COPY text of the version table, named in the event, with its row count and hash.
  const snapshot = published.rows[0].p.snapshot;
  expect(snapshot).toMatchObject({ key: `snapshots/${dataset.id}/1.tsv`, format: 'pg-copy-text', rows: 20 });
  const snapshotText = await streamText(await p.runtime.objectStorage.get(snapshot.key));
  expect(createHash('sha256').update(snapshotText).digest('hex')).toBe(snapshot.sha256);
  const firstRow = parseCopyLine(snapshotText.split('\n')[0]);
  expect(firstRow.slice(0, 2)).toEqual([expect.any(String), demoCreditCode('350100', 0)]);

  const lineage = await ingest.expect(200, 'GET', `/datasets/${dataset.id}/lineage`);
  expect(lineage.nodes.map((n: { kind: string }) => n.kind)).toEqual(expect.arrayContaining(['catalog_entry', 'dataset', 'source', 'job', 'version']));
  expect(lineage.edges).toEqual(expect.arrayContaining([expect.objectContaining({ to: 'version:1', relation: 'produced' })]));
});

it('keeps the current version when a load fails, and says why', async () => {
  for (const [name, body, code] of [
    ['empty.csv', Buffer.alloc(0), null],
    ['page.csv', Buffer.from('<!DOCTYPE html><html><body>系统维护</body></html>'), 'NOT_TABULAR'],
    ['other.csv', Buffer.from('姓名,年龄\n张三,18\n'), 'HEADER_UNMATCHED'],
    ['bad.csv', csv(['91350203M0001QAY9B,x,y,2020-01-01,1', '12345,x,y,2020-01-01,1']), 'REJECT_SHARE_EXCEEDED'],
  ] as const) {
    const upload = await uploadFile(ingest, dataset.id, name, body);
    if (code === null) {
      expect(upload.status).toBe(422);
      expect(upload.body.code).toBe('EMPTY_FILE');
      continue;
    }
    const job = await waitForJob(ingest, upload.body.id);
    expect(job.state).toBe('failed');
    if (code !== 'NOT_TABULAR') expect(job.error.code).toBe(code);
    expect(job.error.zh).toMatch(/[\u4e00-\u9fa5]/);
  }
  const detail = await ingest.expect(200, 'GET', `/datasets/${dataset.id}`);
  expect(detail.currentVersion).toBe(1);
  const failures = await p.pool.query(`SELECT count(*)::int AS n FROM ingest.outbox WHERE event_name = 'ingest.version.failed'`);
  expect(failures.rows[0].n).toBe(3);
  // A failed load leaves no snapshot behind: only the current version's is there.
  const snapshots: string[] = [];
  for await (const key of p.runtime.objectStorage.list(`snapshots/${dataset.id}/`)) snapshots.push(key);
  expect(snapshots).toEqual([`snapshots/${dataset.id}/1.tsv`]);
});

it('refuses a file name with a path', async () => {
  const upload = await uploadFile(ingest, dataset.id, '../../etc/passwd.csv', csv(rowsOf(1)));
  expect(upload.status).toBe(400);
  expect(upload.body.code).toBe('FILE_NAME_INVALID');
});

it('compares versions by key and moves the current pointer', async () => {
  const upload = await uploadFile(ingest, dataset.id, 'v2.csv', csv([...rowsOf(15, 5), ...rowsOf(3, 100)]));
  const job = await waitForJob(ingest, upload.body.id);
  expect(job.error).toBeNull();
  expect(job.state).toBe('succeeded');
  const cmp = await ingest.expect(200, 'GET', `/datasets/${dataset.id}/compare?from=1&to=${job.version}`);
  expect(cmp.rowCount).toEqual({ from: 20, to: 18, delta: -2 });
  expect(cmp.byKey).toEqual({ added: 3, removed: 5, changed: 0, unchanged: 15 });
  const versions = await ingest.expect(200, 'GET', `/datasets/${dataset.id}/versions`);
  expect(versions.filter((v: { status: string }) => v.status === 'current').map((v: { version: number }) => v.version)).toEqual([job.version]);
  expect(versions.find((v: { version: number }) => v.version === 1).status).toBe('superseded');
});

it('takes a large file in resumable chunks', async () => {
  const body = csv(rowsOf(3000, 1000));
  const session = await ingest.expect(201, 'POST', `/datasets/${dataset.id}/upload-sessions`, { fileName: '分片.csv', size: body.length });
  const half = Math.floor(body.length / 2);
  await ingest.expect(200, 'PATCH', `/upload-sessions/${session.id}`, body.subarray(0, half), { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' });
  // A retried chunk at a stale offset is refused with the offset to resume from.
  const stale = await ingest.call('PATCH', `/upload-sessions/${session.id}`, body.subarray(0, half), { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' });
  expect(stale.status).toBe(409);
  expect(stale.body.offset).toBe(half);
  const head = await ingest.call('HEAD', `/upload-sessions/${session.id}`);
  expect(head.headers.get('upload-offset')).toBe(String(half));
  const done = await ingest.expect(200, 'PATCH', `/upload-sessions/${session.id}`, body.subarray(half), { 'upload-offset': String(half), 'content-type': 'application/offset+octet-stream' });
  expect(done).toMatchObject({ status: 'complete', offset: body.length });
  const job = await waitForJob(ingest, done.jobId);
  expect(job).toMatchObject({ state: 'succeeded', rowsRead: 3000, rowsRejected: 0 });
});

it('streams progress as server-sent events', async () => {
  const upload = await uploadFile(ingest, dataset.id, 'sse.csv', csv(rowsOf(50, 5000)));
  const res = await ingest.call('GET', `/jobs/${upload.body.id}/events`);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  expect(String(res.body)).toMatch(/event: done\ndata: \{.*"state":"succeeded"/);
});

/** A multipart upload whose file part is sent in two goes: `send(rest)` sends the second, `cut()` drops the connection. */
function partialUpload(fileName: string, first: Buffer, total: number) {
  const boundary = 'govdata-live-upload';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${encodeURIComponent(fileName)}"; filename*=UTF-8''${encodeURIComponent(fileName)}\r\nContent-Type: text/csv\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const req = request(`${p.baseUrl}/api/ingest/datasets/${dataset.id}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${opToken}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + total + tail.length },
  });
  const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.on('response', async (res) => resolve({ status: res.statusCode ?? 0, body: JSON.parse(await streamText(res)) }));
    req.on('error', reject);
  });
  response.catch(() => undefined);
  req.write(Buffer.concat([head, first]));
  return { response, send: (rest: Buffer) => req.end(Buffer.concat([rest, tail])), cut: () => req.destroy() };
}

/** The job of the upload named `fileName` once it is running and has read rows. */
function runningJob(fileName: string): Promise<any> {
  return eventually(async () => {
    const jobs = await ingest.expect<any[]>(200, 'GET', `/datasets/${dataset.id}/jobs`);
    const job = jobs.find((j) => j.source.fileName === fileName);
    return job?.state === 'running' && job.rowsRead > 0 ? job : undefined;
  }, 20_000);
}

it('loads an upload while it arrives, and names the raw file by its SHA-256 once the last byte is in', async () => {
  // Past the spool's first 1 MB write, so rows can be read before the rest is sent.
  const file = csv(rowsOf(30_000, 20_000));
  const cut = 1536 * 1024;
  const upload = partialUpload('边传边载.csv', file.subarray(0, cut), file.length);
  // Rows are read before the rest of the file is even sent; the hash cannot be known yet.
  const running = await runningJob('边传边载.csv');
  expect(running.source.sha256).toBeUndefined();
  upload.send(file.subarray(cut));
  const res = await upload.response;
  const sha256 = createHash('sha256').update(file).digest('hex');
  expect(res).toMatchObject({ status: 202, body: { id: running.id, source: { sha256 } } });
  const job = await waitForJob(ingest, running.id);
  expect(job).toMatchObject({ state: 'succeeded', rowsRead: 30_000, rowsRejected: 0, bytesTotal: file.length });
  const versions = await ingest.expect<any[]>(200, 'GET', `/datasets/${dataset.id}/versions`);
  expect(versions.find((v) => v.version === job.version)).toMatchObject({ status: 'current', rowCount: 30_000, source: { sha256, size: file.length, objectKey: `raw/${sha256}` } });
  const stored = await p.runtime.objectStorage.get(`raw/${sha256}`);
  expect(await streamText(stored)).toBe(file.toString('utf8'));
  const [row] = (await p.pool.query(`SELECT source FROM ingest.job WHERE id = $1`, [job.id])).rows;
  expect(row.source).toMatchObject({ sha256, size: file.length, objectKey: `raw/${sha256}` });
});

it('fails the job of an upload cut off while it loads, and keeps the current version', async () => {
  const before = (await ingest.expect(200, 'GET', `/datasets/${dataset.id}`)).currentVersion;
  const file = csv(rowsOf(30_000, 60_000));
  const upload = partialUpload('中途断开.csv', file.subarray(0, 1536 * 1024), file.length);
  const running = await runningJob('中途断开.csv');
  upload.cut();
  const job = await waitForJob(ingest, running.id);
  expect(job).toMatchObject({ state: 'failed', error: { code: 'UPLOAD_INCOMPLETE' } });
  expect((await ingest.expect(200, 'GET', `/datasets/${dataset.id}`)).currentVersion).toBe(before);
  const versions = await ingest.expect<any[]>(200, 'GET', `/datasets/${dataset.id}/versions`);
  expect(versions.find((v) => v.version === job.version).status).toBe('failed');
});
