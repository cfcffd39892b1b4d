import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { publishDataset, ServiceApi } from './ingest-fixtures';

/** 数据归集 and 整改任务 lists page on the server, within what the caller may see. */
let p: TestPlatform;
let op: ServiceApi;
let other: ServiceApi;
let admin: ServiceApi;
const mine: any[] = [];
let theirs: any;

beforeAll(async () => {
  p = await startTestPlatform();
  const [opToken, adminToken, otherToken] = await Promise.all([p.login('scjg_op'), p.login('admin'), p.login('rsj_op')]);
  op = new ServiceApi(p.baseUrl, 'ingest', opToken);
  other = new ServiceApi(p.baseUrl, 'ingest', otherToken);
  admin = new ServiceApi(p.baseUrl, 'ingest', adminToken);
  const catalog = { op: new ServiceApi(p.baseUrl, 'catalog', opToken), admin: new ServiceApi(p.baseUrl, 'catalog', adminToken) };
  for (const name of ['分页数据集丙', '分页数据集甲', '分页数据集乙']) mine.push(await publishDataset(p, catalog, op, name));
  theirs = await publishDataset(p, { op: new ServiceApi(p.baseUrl, 'catalog', otherToken), admin: catalog.admin }, other, '分页数据集（人社）');
}, 90_000);
afterAll(async () => {
  await p?.close();
});

it('pages the datasets by name with an id tie-break, filters by name or resource code, and keeps each department to its own', async () => {
  const first = await op.expect(200, 'GET', '/datasets?pageSize=2');
  expect(first).toMatchObject({ total: 3, page: 1, pageSize: 2 });
  const second = await op.expect(200, 'GET', '/datasets?page=2&pageSize=2');
  expect(second).toMatchObject({ total: 3, page: 2, pageSize: 2 });
  expect(second.items).toHaveLength(1);
  const names = [...first.items, ...second.items].map((d: any) => d.name);
  expect(names).toEqual([...names].sort());
  expect(new Set(names)).toEqual(new Set(mine.map((d) => d.name)));

  // The other department sees only its own dataset, even when it searches for ours.
  expect(await other.expect(200, 'GET', '/datasets?page=1')).toMatchObject({ total: 1, items: [{ id: theirs.id }] });
  expect(await other.expect(200, 'GET', `/datasets?page=1&q=${encodeURIComponent('分页数据集甲')}`)).toMatchObject({ total: 0, items: [] });
  // The bureau sees every department's.
  const all = await admin.expect(200, 'GET', `/datasets?pageSize=100&q=${encodeURIComponent('分页数据集')}`);
  expect(all.total).toBe(4);

  expect(await op.expect(200, 'GET', `/datasets?page=1&q=${encodeURIComponent('甲')}`)).toMatchObject({ total: 1, items: [{ name: '分页数据集甲' }] });
  expect(await op.expect(200, 'GET', `/datasets?page=1&q=${encodeURIComponent(mine[1].resourceCode)}`)).toMatchObject({ total: 1, items: [{ id: mine[1].id }] });
  expect(await op.expect(200, 'GET', `/datasets?page=1&entryId=${mine[2].entryId}`)).toMatchObject({ total: 1, items: [{ id: mine[2].id }] });

  // Without page or pageSize the answer stays the whole (scoped) array, for scripts and the bench.
  const unpaged = await op.expect<any[]>(200, 'GET', '/datasets');
  expect(unpaged.map((d) => d.name)).toEqual(names);

  expect((await op.call('GET', '/datasets?pageSize=101')).status).toBe(400);
  expect((await op.call('GET', '/datasets?page=0')).status).toBe(400);
  expect((await op.call('GET', '/datasets?entryId=nope')).status).toBe(400);
});

it('pages the rectification tasks earliest due first, with the dataset name, for the department and the reporter only', async () => {
  for (const d of mine) await admin.expect(201, 'POST', `/datasets/${d.id}/problems`, { description: `${d.name} 的成立日期有误` });
  // A user of another department reports a problem on our dataset: it sees that task, and only that one.
  const reported = await other.expect(201, 'POST', `/datasets/${mine[0].id}/problems`, { description: '人社反馈：注册资本单位不一致' });

  const first = await op.expect(200, 'GET', '/rectifications?status=open&pageSize=3');
  expect(first).toMatchObject({ total: 4, page: 1, pageSize: 3 });
  const second = await op.expect(200, 'GET', '/rectifications?status=open&page=2&pageSize=3');
  expect(second.items).toHaveLength(1);
  const ids = [...first.items, ...second.items].map((t: any) => t.id);
  expect(new Set(ids).size).toBe(4);
  expect(first.items[0]).toMatchObject({ datasetName: expect.stringMatching(/^分页数据集/), status: 'open', overdue: false });

  expect(await other.expect(200, 'GET', '/rectifications')).toMatchObject({ total: 1, items: [{ id: reported.id, datasetName: mine[0].name }] });
  expect(await admin.expect(200, 'GET', '/rectifications?pageSize=100')).toMatchObject({ total: 4 });
  expect(await op.expect(200, 'GET', '/rectifications?status=closed')).toMatchObject({ total: 0, items: [] });
  expect((await op.call('GET', '/rectifications?pageSize=0')).status).toBe(400);
});
