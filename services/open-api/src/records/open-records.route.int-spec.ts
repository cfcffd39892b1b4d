import { DomainException, PROBLEM_CONTENT_TYPE, toProblem } from '@gov/shared';
import { startTestPlatform, TestPlatform } from '../../../../test/test-platform';
import { ServiceApi } from '../../../ingest/test/ingest-fixtures';
import { accessEvents, OpenApi, openSettingsOf, publishOpenDataset, relaxLimits } from '../../test/open-fixtures';
import { OpenCatalogService } from '../catalog/open-catalog.service';
import { OpenErrors } from '../open.errors';
import { OpenRecordsService } from './open-records.service';

/**
 * The records API is a fast route, answered before the service's express router: its errors,
 * headers, access events and metrics must be those of the guard + problem+json filter path every
 * other endpoint takes.
 */
let p: TestPlatform;
let api: OpenApi;
let entryId: string;
let devToken: string;
let apiKey: string;
let appId: string;

const recordsPath = (qs: string) => `/v1/datasets/${entryId}/records?${qs}`;

beforeAll(async () => {
  p = await startTestPlatform();
  relaxLimits(p);
  const [opToken, adminToken] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
  const op = new ServiceApi(p.baseUrl, 'catalog', opToken);
  const admin = new ServiceApi(p.baseUrl, 'catalog', adminToken);
  const ingest = new ServiceApi(p.baseUrl, 'ingest', opToken);
  api = new OpenApi(p.baseUrl);
  ({ entryId } = await publishOpenDataset(p, op, admin, ingest, {
    name: '快速通道测试数据',
    items: [
      { name: '名称', dataType: 'C', length: 50 },
      { name: '联系人', dataType: 'C', length: 50, personal: true, masking: 'chineseName' },
      { name: '金额', dataType: 'Y', length: 20 },
    ],
    csv: '名称,联系人,金额\n甲,王小明,10\n乙,李大红,20\n',
  }));
  devToken = (await api.expect(201, 'POST', '/v1/developers', { body: { email: 'fast@example.com', password: 'Secret#2026', name: '开发者乙' } })).accessToken;
  const app = await api.expect(201, 'POST', '/v1/developers/me/apps', { token: devToken, body: { name: '快速通道' } });
  appId = app.id;
  apiKey = app.key.apiKey;
}, 180_000);

afterAll(async () => {
  await p?.close();
});

/** What the records service throws for these parameters (the error the filter would render). */
async function serviceError(params: Record<string, string>): Promise<DomainException> {
  const app = p.server.apps['open-api'];
  const d = await app.get(OpenCatalogService).get(entryId);
  const err = await app.get(OpenRecordsService).records(d, params).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainException)) throw new Error(`expected a DomainException for ${JSON.stringify(params)}`);
  return err;
}

describe('records fast path', () => {
  it.each([
    ['unknown field', { fields: '不存在的字段' }],
    ['bad filter', { filter: '金额:zz:1' }],
  ])('answers a %s exactly as the problem+json filter would, and records the refusal', async (_case, params) => {
    const corr = `fast-${Object.keys(params)[0]}-0001`;
    const qs = new URLSearchParams(params).toString();
    const res = await api.call('GET', recordsPath(qs), { key: apiKey, headers: { 'x-correlation-id': corr } });
    const err = await serviceError(params);
    expect(res.status).toBe(err.status);
    expect(res.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
    expect(res.headers.get('x-correlation-id')).toBe(corr);
    expect(res.headers.get('ratelimit-policy')).toBeTruthy();
    expect(res.body).toEqual(JSON.parse(JSON.stringify(toProblem(err, `/api/open${recordsPath(qs)}`, corr))));
    const event = (await accessEvents(p)).find((e) => e.correlationId === corr);
    expect(event).toMatchObject({ kind: 'records', outcome: 'denied', appId, reasonCode: err.code, entryId });
    expect(event!.actor).toMatchObject({ type: 'app', id: appId });
  });

  it('answers a revoked key with the body the guard + filter give on the download route', async () => {
    const app = await api.expect(201, 'POST', '/v1/developers/me/apps', { token: devToken, body: { name: '吊销测试' } });
    await api.expect(200, 'POST', `/v1/developers/me/apps/${app.id}/keys/${app.key.id}/revoke`, { token: devToken });
    const viaFastPath = await api.call('GET', recordsPath('limit=1'), { key: app.key.apiKey, headers: { 'x-correlation-id': 'fast-revoked-0001' } });
    const viaRouter = await api.call('GET', `/v1/datasets/${entryId}/download`, { key: app.key.apiKey, headers: { 'x-correlation-id': 'fast-revoked-0001' } });
    expect(viaFastPath.status).toBe(401);
    expect(viaFastPath.headers.get('content-type')).toBe(viaRouter.headers.get('content-type'));
    expect(viaFastPath.body).toEqual({ ...viaRouter.body, instance: `/api/open${recordsPath('limit=1')}` });
    const events = await accessEvents(p);
    expect(events.some((e) => e.outcome === 'denied' && e.reasonCode === 'KEY_REVOKED' && e.keyPrefix === app.key.prefix)).toBe(true);
  });

  it('answers 429 with Retry-After, RateLimit-* and the quota problem, as the gate does on every route', async () => {
    const app = await api.expect(201, 'POST', '/v1/developers/me/apps', { token: devToken, body: { name: '额度快速通道' } });
    const s = openSettingsOf(p);
    const saved = { ...s.tiers.basic };
    s.tiers.basic.perDay = 1;
    try {
      await api.expect(200, 'GET', recordsPath('limit=1'), { key: app.key.apiKey });
      const refused = await api.call('GET', recordsPath('limit=1'), { key: app.key.apiKey, headers: { 'x-correlation-id': 'fast-quota-0001' } });
      expect(refused.status).toBe(429);
      const retry = Number(refused.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(refused.headers.get('ratelimit-policy')).toBe(`${s.tiers.basic.perSecond};w=1, 1;w=86400`);
      expect(refused.body).toEqual(JSON.parse(JSON.stringify(toProblem(OpenErrors.quotaExceeded(retry, `应用 ${app.id}，每日`), `/api/open${recordsPath('limit=1')}`, 'fast-quota-0001'))));
      const viaRouter = await api.call('GET', `/v1/datasets/${entryId}/download`, { key: app.key.apiKey });
      expect(viaRouter.status).toBe(429);
      expect(viaRouter.body.code).toBe(refused.body.code);
    } finally {
      Object.assign(s.tiers.basic, saved);
    }
  });

  it('serves JSON and CSV, records the access and times it under the route template', async () => {
    const ok = await api.call('GET', recordsPath('limit=2'), { key: apiKey, headers: { 'x-correlation-id': 'fast-ok-0001' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-correlation-id')).toBe('fast-ok-0001');
    expect(ok.headers.get('x-dataset-version')).toBeTruthy();
    expect(ok.body.records.map((r: any) => r['联系人'])).toEqual(['王**', '李**']);
    const csv = await api.call('GET', recordsPath('limit=1&format=csv'), { key: apiKey });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('x-next-cursor')).toBeTruthy();
    const event = (await accessEvents(p)).find((e) => e.correlationId === 'fast-ok-0001');
    expect(event).toMatchObject({ kind: 'records', outcome: 'allowed', appId, rowCount: 2, personalData: true, fields: ['名称', '联系人', '金额'] });

    const metrics = (await api.call('GET', '/metrics')).raw.toString('utf8');
    const count = (status: number) => Number(new RegExp(`http_request_duration_seconds_count\\{[^}]*route="/api/open/v1/datasets/:id/records",status="${status}"[^}]*\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    expect(count(200)).toBeGreaterThanOrEqual(3);
    expect(count(400)).toBeGreaterThanOrEqual(2);
    expect(count(429)).toBeGreaterThanOrEqual(1);
  });

  it('tags an answer by table and query: a repeated query is 304 without a read, still counted and audited', async () => {
    const first = await api.call('GET', recordsPath('limit=1&order=-金额'), { key: apiKey });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/".+"$/);
    expect((await api.call('GET', recordsPath('limit=1&order=-金额'), { key: apiKey })).headers.get('etag')).toBe(etag);
    expect((await api.call('GET', recordsPath('limit=2&order=-金额'), { key: apiKey })).headers.get('etag')).not.toBe(etag);

    const reads = jest.spyOn(p.server.apps['open-api'].get(OpenRecordsService), 'records');
    const cached = await api.call('GET', recordsPath('limit=1&order=-金额'), { key: apiKey, headers: { 'if-none-match': `"other", ${etag.slice(2)}`, 'x-correlation-id': 'fast-304-00001' } });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(etag);
    expect(cached.raw.length).toBe(0);
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
    const event = (await accessEvents(p)).find((e) => e.correlationId === 'fast-304-00001');
    expect(event).toMatchObject({ kind: 'records', outcome: 'allowed', appId, rowCount: 0 });

    // Another query, or no If-None-Match, is answered in full.
    expect((await api.call('GET', recordsPath('limit=2&order=-金额'), { key: apiKey, headers: { 'if-none-match': etag } })).status).toBe(200);
  });

  it('answers HEAD with the headers of GET and no body; other methods and bad ids take the router', async () => {
    const head = await api.call('HEAD', recordsPath('limit=1'), { key: apiKey });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('application/json');
    expect(head.raw.length).toBe(0);
    expect((await api.call('POST', recordsPath('limit=1'), { key: apiKey, body: {} })).status).toBe(404);
    const badId = await api.call('GET', '/v1/datasets/%E0%A4%A/records', { key: apiKey });
    expect(badId.status).toBeGreaterThanOrEqual(400);
    expect(badId.status).toBeLessThan(500);
  });

  it('is still described in the service OpenAPI document', async () => {
    const doc = await api.expect(200, 'GET', '/docs-json');
    const op = doc.paths['/api/open/v1/datasets/{id}/records'].get;
    expect(op.summary).toContain('数据记录查询');
    expect(op.parameters.map((x: any) => x.name)).toEqual(expect.arrayContaining(['id', 'filter', 'X-API-Key']));
  });
});

it('outlives the server ending its idle read connections (a restart, a terminated backend)', async () => {
  // The read pool now holds idle connections.
  await Promise.all([1, 2, 3].map(() => api.expect(200, 'GET', recordsPath('limit=1'), { key: apiKey })));
  const readPool = (p.server.apps['open-api'].get(OpenRecordsService) as unknown as { pool: { idleCount: number; options: { connectionString: string } } }).pool;
  expect(readPool.idleCount).toBeGreaterThan(0);
  // Ended from another session, as an administrator or a restart would: pg reports it on the pool,
  // which must not throw it as an unhandled 'error' (that would end the whole process).
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: readPool.options.connectionString });
  await admin.connect();
  try {
    // The read pool's connections are the ones whose last statement was a records query.
    const ended = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle' AND query LIKE 'SELECT "名称"%'`);
    expect(ended.rows.length).toBeGreaterThan(0);
  } finally {
    await admin.end();
  }
  await new Promise((r) => setTimeout(r, 200));
  // The pool dropped the dead connections and serves the next query on fresh ones.
  const res = await api.call('GET', recordsPath('limit=1'), { key: apiKey });
  expect(res.status).toBe(200);
});
