import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { demoCreditCode } from '../../catalog/src/demo/demo-city.seeder';
import { publishDataset, ServiceApi, waitForJob } from './ingest-fixtures';

/** 接口拉取、库表交换、逻辑接入 over HTTP, with credentials sealed and never returned. */
let p: TestPlatform;
let ingest: ServiceApi;
let dataset: any;
let server: Server;
let base: string;
const TOKEN = 'Bearer dept-secret-token-123';
const records = Array.from({ length: 45 }, (_, i) => ({ 统一社会信用代码: demoCreditCode('420700', i), 企业名称: `企业${i}`, 法定代表人: `法人${i}`, 成立日期: '2020-01-02', 注册资本: String(i * 10) }));

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (req.headers.authorization !== TOKEN) {
      res.writeHead(401, { 'content-type': 'text/html' }).end('<html>未授权</html>');
      return;
    }
    if (url.pathname === '/html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body>系统维护中</body></html>');
      return;
    }
    const page = Number(url.searchParams.get('page') ?? 1);
    const size = Number(url.searchParams.get('size') ?? 20);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 0, data: { total: records.length, records: records.slice((page - 1) * size, page * size) } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  p = await startTestPlatform();
  const [op, admin] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
  ingest = new ServiceApi(p.baseUrl, 'ingest', op);
  dataset = await publishDataset(p, { op: new ServiceApi(p.baseUrl, 'catalog', op), admin: new ServiceApi(p.baseUrl, 'catalog', admin) }, ingest, '企业登记信息（接口）');
}, 60_000);
afterAll(async () => {
  await p?.close();
  server?.close();
});

const httpConfig = (path = '/api') => ({
  url: `${base}${path}`,
  format: 'json',
  recordsPath: 'data.records',
  paging: { kind: 'page', pageParam: 'page', sizeParam: 'size', size: 20, startPage: 1 },
  successWhen: { path: 'code', equals: 0 },
});

it('pulls a paged JSON interface with an auth header that is stored sealed and never returned', async () => {
  const source = await ingest.expect(201, 'POST', `/datasets/${dataset.id}/sources`, { kind: 'http', config: httpConfig(), secret: { headers: { authorization: TOKEN } } });
  expect(JSON.stringify(source)).not.toContain('dept-secret-token');
  expect(source.hasSecret).toBe(true);
  const [stored] = (await p.pool.query(`SELECT config, secret FROM ingest.source_config WHERE id = $1`, [source.id])).rows;
  expect(JSON.stringify(stored)).not.toContain('dept-secret-token');
  expect(stored.secret).toMatch(/^gdc1\./);

  const job = await waitForJob(ingest, (await ingest.expect(202, 'POST', `/sources/${source.id}/pull`)).id);
  expect(job).toMatchObject({ state: 'succeeded', rowsRead: 45, rowsRejected: 0 });
  const [version] = await ingest.expect(200, 'GET', `/datasets/${dataset.id}/versions`);
  expect(version).toMatchObject({ status: 'current', rowCount: 45, source: { kind: 'http_pull', endpoint: `${base}/api` } });
  const listed = await ingest.expect(200, 'GET', `/datasets/${dataset.id}/sources`);
  expect(listed[0].lastPulledAt).not.toBeNull();
  expect(listed[0].nextPullAt).not.toBeNull();
});

it('fails the job clearly when the endpoint answers HTML, keeping the current version', async () => {
  const source = await ingest.expect(201, 'POST', `/datasets/${dataset.id}/sources`, { kind: 'http', config: httpConfig('/html'), secret: { headers: { authorization: TOKEN } } });
  const job = await waitForJob(ingest, (await ingest.expect(202, 'POST', `/sources/${source.id}/pull`)).id);
  expect(job.state).toBe('failed');
  expect(job.error.code).toBe('PULL_NOT_DATA');
  expect(job.error.zh).toMatch(/[\u4e00-\u9fa5]/);
  expect((await ingest.expect(200, 'GET', `/datasets/${dataset.id}`)).currentVersion).toBe(1);
});

it('refuses a source on a metadata address', async () => {
  const res = await ingest.call('POST', `/datasets/${dataset.id}/sources`, { kind: 'http', config: { ...httpConfig(), url: 'http://169.254.169.254/latest/meta-data' } });
  expect(res.status).toBe(422);
  expect(res.body.code).toMatch(/^PULL_/);
});

it('pulls a PostgreSQL table incrementally by a timestamp column', async () => {
  const client = new Client({ connectionString: p.db.url });
  await client.connect();
  await client.query(`CREATE SCHEMA dept_src; CREATE TABLE dept_src.qy (统一社会信用代码 text, 企业名称 text, 法定代表人 text, 成立日期 date, 注册资本 numeric, 更新时间 timestamptz)`);
  for (const [i, r] of records.slice(0, 10).entries())
    await client.query(`INSERT INTO dept_src.qy VALUES ($1,$2,$3,$4,$5, '2026-01-01'::timestamptz + make_interval(mins => $6))`, [r.统一社会信用代码, r.企业名称, r.法定代表人, r.成立日期, r.注册资本, i]);
  const url = new URL(p.db.url);
  const config = { kind: 'postgres', host: '127.0.0.1', port: Number(url.port || 5432), database: url.pathname.slice(1), user: decodeURIComponent(url.username || 'postgres'), table: 'dept_src.qy', incremental: { column: '更新时间' } };
  const source = await ingest.expect(201, 'POST', `/datasets/${dataset.id}/sources`, { kind: 'database', config, secret: { password: decodeURIComponent(url.password) || 'unused' } });
  expect(JSON.stringify(source)).not.toContain('password":"');
  // The source table has a column the catalog does not list: map it to nothing.
  await ingest.expect(200, 'PUT', `/datasets/${dataset.id}/settings`, { mapping: { 更新时间: '' } });
  const first = await waitForJob(ingest, (await ingest.expect(202, 'POST', `/sources/${source.id}/pull`)).id);
  expect(first.error).toBeNull();
  expect(first).toMatchObject({ state: 'succeeded', rowsRead: 10 });
  await client.query(`INSERT INTO dept_src.qy VALUES ($1,'新企业','新法人','2021-01-01',1,'2026-02-01')`, [records[20].统一社会信用代码]);
  const second = await waitForJob(ingest, (await ingest.expect(202, 'POST', `/sources/${source.id}/pull`)).id);
  expect(second).toMatchObject({ state: 'succeeded', rowsRead: 1 });
  const [listed] = (await ingest.expect(200, 'GET', `/datasets/${dataset.id}/sources`)).filter((s: { id: string }) => s.id === source.id);
  expect(listed.highWatermark).toMatch(/^2026-02-01/);
  await client.end();
});

it('reads a logical source live, page by page, and audits it', async () => {
  const source = await ingest.expect(201, 'POST', `/datasets/${dataset.id}/sources`, { kind: 'logical', config: httpConfig(), secret: { headers: { authorization: TOKEN } } });
  const page = await ingest.expect(200, 'GET', `/sources/${source.id}/rows?page=2&pageSize=20`);
  expect(page.rows).toHaveLength(20);
  expect(JSON.stringify(page.rows[0])).toContain(records[20].统一社会信用代码);
  const audit = await p.pool.query(`SELECT envelope->'payload' AS p FROM ingest.outbox WHERE event_name = 'ingest.data.read' AND envelope->'payload'->>'purpose' = 'logical_access'`);
  expect(audit.rows).toHaveLength(1);
  expect((await ingest.call('POST', `/sources/${source.id}/pull`)).status).toBe(409);
});
