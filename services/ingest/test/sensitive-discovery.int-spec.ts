import { generateIdNumber, seededRandom } from '@gov/shared';
import { eventually, startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { publishDataset, ServiceApi, uploadFile, waitForJob } from './ingest-fixtures';

/** 敏感字段发现: unflagged personal data blocks open output until it is flagged or the bureau accepts an explanation. */
let p: TestPlatform;
let ingest: ServiceApi;
let adminIngest: ServiceApi;
let catalogOp: ServiceApi;
let catalogAdmin: ServiceApi;
let dataset: any;

const ITEMS = [
  { name: '许可证号', dataType: 'C', length: 30 },
  { name: '单位名称', dataType: 'C', length: 100 },
  { name: '联系电话', dataType: 'C', length: 20 },
  { name: '备注', dataType: 'C', length: 500 },
];

/** 3,000 rows: mobiles in 联系电话 from the start; one ID number hidden in 备注 only after the sample. */
function licencesCsv(): Buffer {
  const rnd = seededRandom(7);
  const lines = ['许可证号,单位名称,联系电话,备注'];
  for (let i = 1; i <= 3000; i++) {
    const note = i === 2500 || i === 2900 ? `经办人身份证号${generateIdNumber(rnd)}，已核验` : '材料齐全';
    lines.push(`XK${String(i).padStart(6, '0')},示范单位${i},139${String(10000000 + i)},${note}`);
  }
  return Buffer.from(lines.join('\n'));
}

async function publishedPayloads(): Promise<any[]> {
  const r = await p.pool.query(`SELECT envelope->'payload' AS p FROM ingest.outbox WHERE event_name = 'ingest.sensitive.changed' ORDER BY seq`);
  return r.rows.map((x) => x.p);
}

beforeAll(async () => {
  p = await startTestPlatform();
  const [op, admin] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
  ingest = new ServiceApi(p.baseUrl, 'ingest', op);
  adminIngest = new ServiceApi(p.baseUrl, 'ingest', admin);
  catalogOp = new ServiceApi(p.baseUrl, 'catalog', op);
  catalogAdmin = new ServiceApi(p.baseUrl, 'catalog', admin);
  dataset = await publishDataset(p, { op: catalogOp, admin: catalogAdmin }, ingest, '食品经营许可（敏感字段测试）', ITEMS);
}, 60_000);
afterAll(async () => {
  await p?.close();
});

it('finds unflagged mobiles and an ID number hidden deep in free text, and blocks the version', async () => {
  const upload = await uploadFile(ingest, dataset.id, 'licences.csv', licencesCsv());
  const job = await waitForJob(ingest, upload.body.id);
  expect(job.error).toBeNull();
  expect(job.state).toBe('succeeded');

  const result = await ingest.expect(200, 'GET', `/datasets/${dataset.id}/sensitive-findings`);
  expect(result.blockedColumns).toEqual(['联系电话', '备注'].sort());
  const phone = result.findings.find((f: any) => f.column === '联系电话');
  expect(phone).toMatchObject({ kind: 'mobile', kindLabel: '手机号码', status: 'blocking', embedded: false, matches: 2000 });
  const note = result.findings.find((f: any) => f.column === '备注');
  expect(note).toMatchObject({ kind: 'idNumber', status: 'blocking', embedded: true, matches: 2 });
  // Examples show the shape only, never a value.
  for (const f of result.findings) for (const e of f.examples) expect(e).not.toMatch(/\d{6}/);

  const published = await p.pool.query(`SELECT envelope->'payload' AS p FROM ingest.outbox WHERE event_name = 'ingest.version.published'`);
  expect(published.rows[0].p.sensitiveBlockedColumns).toEqual(['联系电话', '备注'].sort());
  expect((await publishedPayloads()).at(-1)).toMatchObject({ datasetId: dataset.id, version: 1, blockedColumns: ['备注', '联系电话'].sort() });
});

it('unblocks a column when the provider explains and the data bureau accepts, and never on the provider alone', async () => {
  const { findings } = await ingest.expect(200, 'GET', `/datasets/${dataset.id}/sensitive-findings`);
  const note = findings.find((f: any) => f.column === '备注');
  expect((await ingest.call('POST', `/sensitive-findings/${note.id}/decide`, { accept: true, comment: '同意' })).status).toBe(403);
  const tooEarly = await adminIngest.call('POST', `/sensitive-findings/${note.id}/decide`, { accept: true, comment: '同意' });
  expect(tooEarly.status).toBe(409);
  expect(tooEarly.body.code).toBe('FINDING_STATE');

  const justified = await ingest.expect(200, 'POST', `/sensitive-findings/${note.id}/justify`, { reason: '备注中的身份证号为经办人本人登记信息，开放前整列不予开放' });
  expect(justified).toMatchObject({ status: 'justified', blocking: true });
  const queue = await adminIngest.expect(200, 'GET', '/sensitive-findings');
  expect(queue).toMatchObject({ page: 1, pageSize: 20, total: queue.items.length });
  expect(queue.items.map((f: any) => f.id)).toContain(note.id);
  expect(queue.items.find((f: any) => f.id === note.id)).toMatchObject({ datasetName: dataset.name, entryId: dataset.entryId, status: 'justified' });
  const accepted = await adminIngest.expect(200, 'POST', `/sensitive-findings/${note.id}/decide`, { accept: true, comment: '同意，说明合理' });
  expect(accepted).toMatchObject({ status: 'accepted', blocking: false });
  expect((await publishedPayloads()).at(-1).blockedColumns).toEqual(['联系电话']);

  // A scheduled re-scan finds the same, keeps the decision, and reports no drift.
  const rescan = await adminIngest.expect(200, 'POST', `/datasets/${dataset.id}/sensitive-scan`);
  expect(rescan.blockedColumns).toEqual(['联系电话']);
  expect((await publishedPayloads()).at(-1).drift).toEqual([]);
});

it('turns a finding into covered once the catalog flags the item as personal', async () => {
  const entry = await catalogOp.expect(200, 'GET', `/entries/${dataset.entryId}`);
  const metadata = entry.published.metadata;
  metadata.items = metadata.items.map((i: any) => (i.name === '联系电话' ? { ...i, personal: true, masking: 'mobile' } : i));
  await catalogOp.expect(201, 'POST', `/entries/${dataset.entryId}/versions`, { reason: '补充标注个人信息项', metadata });
  await catalogOp.expect(200, 'POST', `/entries/${dataset.entryId}/submit`);
  await catalogAdmin.expect(200, 'POST', `/entries/${dataset.entryId}/approve`, {});
  const after = await eventually(async () => {
    const r = await ingest.expect(200, 'GET', `/datasets/${dataset.id}/sensitive-findings`);
    return r.blockedColumns.length === 0 ? r : undefined;
  }, 15_000);
  expect(after.findings.find((f: any) => f.column === '联系电话').status).toBe('covered');
  expect((await publishedPayloads()).at(-1).blockedColumns).toEqual([]);
}, 30_000);

it('keeps other departments out of a dataset’s findings', async () => {
  const other = new ServiceApi(p.baseUrl, 'ingest', await p.login('rsj_op'));
  expect((await other.call('GET', `/datasets/${dataset.id}/sensitive-findings`)).status).toBe(404);
  const { findings } = await adminIngest.expect(200, 'GET', `/datasets/${dataset.id}/sensitive-findings`);
  const res = await other.call('POST', `/sensitive-findings/${findings[0].id}/justify`, { reason: '不是本部门的数据，尝试越权说明' });
  expect(res.status).toBe(404);
});

it('pages the findings list on the server: filters, deterministic order, the caller’s departments only', async () => {
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const accepted = await adminIngest.expect(200, 'GET', '/sensitive-findings?status=accepted');
  expect(accepted).toMatchObject({ total: 1, page: 1, pageSize: 20, items: [expect.objectContaining({ column: '备注', deptId: dataset.deptId })] });
  expect(await adminIngest.expect(200, 'GET', '/sensitive-findings?status=accepted&page=2&pageSize=1')).toEqual({ items: [], total: 1, page: 2, pageSize: 1 });
  expect((await adminIngest.expect(200, 'GET', `/sensitive-findings?status=accepted&from=${today}&to=${today}&deptId=${dataset.deptId}`)).total).toBe(1);
  expect((await adminIngest.expect(200, 'GET', '/sensitive-findings?status=accepted&to=2001-01-01')).total).toBe(0);
  // The security officer sees every department; another department sees none of these.
  const officer = new ServiceApi(p.baseUrl, 'ingest', await p.login('aqg'));
  expect((await officer.expect(200, 'GET', `/sensitive-findings?status=covered&deptId=${dataset.deptId}`)).items.map((f: any) => f.column)).toEqual(['联系电话']);
  const other = new ServiceApi(p.baseUrl, 'ingest', await p.login('rsj_op'));
  expect((await other.expect(200, 'GET', `/sensitive-findings?status=accepted&deptId=${dataset.deptId}`)).total).toBe(0);
  for (const bad of ['pageSize=0', 'pageSize=101', 'page=0', 'status=open', 'from=2026-13-01', 'deptId=x']) expect((await officer.call('GET', `/sensitive-findings?${bad}`)).status).toBe(400);
});
