import { eventually, startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { demoCreditCode } from '../../catalog/src/demo/demo-city.seeder';
import { WorkerRows } from '../src/loading/parse-worker/worker-rows';
import { publishDataset, ServiceApi, uploadFile, waitForJob } from './ingest-fixtures';

/** Uploads are parsed and validated in a worker thread: a worker that dies fails the job, the current version stays. */
let p: TestPlatform;
let ingest: ServiceApi;
let dataset: any;

const csv = (rows: number, start = 0) =>
  Buffer.from(
    ['统一社会信用代码,企业名称,法定代表人,成立日期,注册资本', ...Array.from({ length: rows }, (_, j) => `${demoCreditCode('350200', start + j)},企业${start + j},法人,2021-03-01,${j}`)].join('\r\n') + '\r\n',
  );

beforeAll(async () => {
  p = await startTestPlatform();
  const [op, admin] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
  ingest = new ServiceApi(p.baseUrl, 'ingest', op);
  dataset = await publishDataset(p, { op: new ServiceApi(p.baseUrl, 'catalog', op), admin: new ServiceApi(p.baseUrl, 'catalog', admin) }, ingest, '企业登记信息（解析线程）');
  await ingest.expect(200, 'PUT', `/datasets/${dataset.id}/settings`, { keys: ['统一社会信用代码'] });
}, 60_000);
afterAll(async () => {
  jest.restoreAllMocks();
  await p?.close();
});

it('loads an upload through the parse worker', async () => {
  const start = jest.spyOn(WorkerRows, 'start');
  const job = await waitForJob(ingest, (await uploadFile(ingest, dataset.id, '第一版.csv', csv(5000))).body.id);
  expect(job).toMatchObject({ state: 'succeeded', version: 1, rowsRead: 5000, rowsRejected: 0 });
  expect(start).toHaveBeenCalledTimes(1);
  start.mockRestore();
});

it('fails the job when the worker dies mid-load, and keeps the previous version current', async () => {
  const start = WorkerRows.start.bind(WorkerRows);
  jest.spyOn(WorkerRows, 'start').mockImplementationOnce(async (...args) => {
    const rows = await start(...args);
    // dies after the header, while the rows are still coming
    setTimeout(() => void (rows as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate(), 20);
    return rows;
  });
  const job = await waitForJob(ingest, (await uploadFile(ingest, dataset.id, '第二版.csv', csv(60_000, 10_000))).body.id);
  expect(job).toMatchObject({ state: 'failed', version: 2, error: { code: 'LOAD_FAILED' } });
  expect(job.error.zh).toContain('归集失败');
  expect((await ingest.expect(200, 'GET', `/datasets/${dataset.id}`)).currentVersion).toBe(1);
  const versions = await ingest.expect<any[]>(200, 'GET', `/datasets/${dataset.id}/versions`);
  expect(versions.find((v) => v.version === 2).status).toBe('failed');
  const snapshots: string[] = [];
  for await (const key of p.runtime.objectStorage.list(`snapshots/${dataset.id}/`)) snapshots.push(key);
  expect(snapshots).toEqual([`snapshots/${dataset.id}/1.tsv`]);
  // the next upload loads as usual
  const next = await waitForJob(ingest, (await uploadFile(ingest, dataset.id, '第三版.csv', csv(3000, 20_000))).body.id);
  expect(next).toMatchObject({ state: 'succeeded', version: 3 });
  await eventually(async () => ((await ingest.expect(200, 'GET', `/datasets/${dataset.id}`)).currentVersion === 3 ? true : undefined));
});
