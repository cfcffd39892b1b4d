import { SensitiveFindingsChangedV1, toShanghaiDate } from '@gov/shared';
import { DataSource } from 'typeorm';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { demoCreditCode } from '../../catalog/src/demo/demo-city.seeder';
import { DatasetStore } from '../src/datasets/dataset-store';
import { Actors, Api, eventsNamed, loginAll } from './sharing-fixtures';
import { activeGrant, dataset, deptIds, dropSandboxRoles, Fixture, PEOPLE_ITEMS, peopleRows, pendingRequest } from './security-fixtures';

/** 授权运营 (operators through the sandbox, with quotas and a monthly report) and the 数据安全官 view of discovery findings. */
let p: TestPlatform;
let a: Actors;
let depts: Record<string, string>;
let people: Fixture;
let admin: Api;
let rsj: Api;
const grants: string[] = [];

beforeAll(async () => {
  p = await startTestPlatform();
  a = await loginAll(p);
  depts = await deptIds(p);
  admin = new Api(p.baseUrl, 'sharing', a.admin);
  rsj = new Api(p.baseUrl, 'sharing', a.rsjOp);
  people = await dataset(p, depts.scjg, '居民就诊信息', PEOPLE_ITEMS, peopleRows());
}, 180_000);

afterAll(async () => {
  await p?.close();
  await dropSandboxRoles(grants);
});

describe('authorized operation (授权运营)', () => {
  let operatorId: string;
  let grant: string;
  const base = () => ({ name: '示范市数据运营有限公司', deptId: depts.rsj, contractFrom: '2026-01-01', contractTo: '2027-12-31', entryIds: [people.entryId], scenarios: ['普惠金融信用评估'], monthlyJobQuota: 1 });

  it('registers an operator with a checked credit code, once', async () => {
    const bad = await admin.problem(422, 'OPERATOR_INVALID', 'POST', '/operators', { ...base(), creditCode: '91420700MA4KXXXX1X' });
    expect(bad.message.zh).toContain('统一社会信用代码');
    const code = demoCreditCode('420700', 777);
    const o = await admin.expect(201, 'POST', '/operators', { ...base(), creditCode: code });
    operatorId = o.id;
    expect(o).toMatchObject({ creditCode: code, status: 'active', scenarios: ['普惠金融信用评估'] });
    await admin.problem(409, 'OPERATOR_EXISTS', 'POST', '/operators', { ...base(), creditCode: code });
    expect((await rsj.call('POST', '/operators', { ...base(), creditCode: demoCreditCode('420700', 778) })).status).toBe(403);
    expect((await eventsNamed(p, 'security.operator.changed')).map((e) => e.payload.operatorId)).toContain(operatorId);
  });

  it('flags only the operator’s own grants within its scope', async () => {
    grant = await activeGrant(p, people, depts.rsj, depts.scjg, ['区县', '性别', '费用']);
    const foreign = await activeGrant(p, people, depts.gaj, depts.scjg, ['区县']);
    grants.push(grant, foreign);
    const flagged = await admin.expect(200, 'POST', `/operators/${operatorId}/grants/${grant}`);
    expect(flagged.operatorId).toBe(operatorId);
    await admin.problem(403, 'OPERATOR_SCOPE_VIOLATION', 'POST', `/operators/${operatorId}/grants/${foreign}`);
  });

  it('runs the operator’s sandbox jobs only for a permitted scenario and within the monthly quota', async () => {
    const sql = `SELECT "区县", count(*) AS n, avg("费用") AS fee FROM people GROUP BY "区县"`;
    await rsj.problem(403, 'OPERATOR_SCOPE_VIOLATION', 'POST', '/sandbox/jobs', { tables: { people: grant }, sql });
    await rsj.problem(403, 'OPERATOR_SCOPE_VIOLATION', 'POST', '/sandbox/jobs', { tables: { people: grant }, sql, scenario: '精准营销' });
    const ok = await rsj.expect(201, 'POST', '/sandbox/jobs', { tables: { people: grant }, sql, scenario: '普惠金融信用评估' });
    expect(ok).toMatchObject({ status: 'released', operatorId });
    await rsj.problem(403, 'OPERATOR_QUOTA_EXCEEDED', 'POST', '/sandbox/jobs', { tables: { people: grant }, sql: `SELECT "性别", count(*) AS n FROM people GROUP BY 1`, scenario: '普惠金融信用评估' });
  });

  it('reports the month’s usage per operator', async () => {
    const month = toShanghaiDate(new Date()).slice(0, 7);
    const usage = await new Api(p.baseUrl, 'sharing', a.auditor).expect(200, 'GET', `/operators/${operatorId}/usage?month=${month}`);
    expect(usage).toMatchObject({ operatorId, month, sandboxJobs: { released: 1, refused: 3, failed: 0 }, resultRows: 6, sourceRows: 300, monthlyJobQuota: 1, grants: 1 });
    const previous = await admin.expect(200, 'GET', `/operators/${operatorId}/usage?month=2026-01`);
    expect(previous.sandboxJobs.released).toBe(0);
  });

  it('stops a suspended operator', async () => {
    await admin.expect(200, 'POST', `/operators/${operatorId}/status`, { status: 'suspended' });
    await rsj.problem(403, 'OPERATOR_SCOPE_VIOLATION', 'POST', '/sandbox/jobs', { tables: { people: grant }, sql: `SELECT "性别", count(*) AS n FROM people GROUP BY 1`, scenario: '普惠金融信用评估' });
  });
});

describe('security officer: discovery findings from ingest events', () => {
  it('keeps the latest version’s findings per dataset, filterable and exportable', async () => {
    const store = p.server.apps.sharing.get(DatasetStore);
    const ds = p.server.apps.sharing.get(DataSource);
    const event = (version: number, findings: SensitiveFindingsChangedV1['findings'], drift: string[] = []): SensitiveFindingsChangedV1 => ({
      datasetId: people.datasetId,
      entryId: people.entryId,
      deptId: depts.scjg,
      version,
      blockedColumns: findings.filter((f) => f.status === 'open').map((f) => f.column),
      findings,
      drift,
    });
    await ds.transaction((m) => store.applySensitive(m, event(1, [{ column: '诊断', kind: 'mobile', matches: 3, scanned: 300, status: 'open' }, { column: '身份证号', kind: 'id_number', matches: 300, scanned: 300, status: 'flagged' }])));
    await ds.transaction((m) => store.applySensitive(m, event(1, [{ column: '诊断', kind: 'mobile', matches: 4, scanned: 300, status: 'open' }], ['诊断'])));
    const officer = new Api(p.baseUrl, 'sharing', a.auditor);
    const { items: rows, total } = await officer.expect(200, 'GET', `/security/findings?entryId=${people.entryId}`);
    expect(total).toBe(1);
    expect(rows).toEqual([expect.objectContaining({ column: '诊断', kind: 'mobile', matches: 4, blocked: true, drift: true, entryName: '居民就诊信息' })]);
    expect(await officer.expect(200, 'GET', `/security/findings?status=flagged`)).toEqual({ items: [], total: 0, page: 1, pageSize: 20 });
    const csv = await officer.call('GET', `/security/findings?format=csv&entryId=${people.entryId}`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.raw.toString('utf8')).toContain('诊断');
    // An older version's event does not overwrite a newer one's findings.
    await ds.transaction((m) => store.applySensitive(m, event(2, [{ column: '费用', kind: 'bank_card', matches: 1, scanned: 300, status: 'open' }])));
    await ds.transaction((m) => store.applySensitive(m, event(1, [{ column: '诊断', kind: 'mobile', matches: 9, scanned: 300, status: 'open' }])));
    expect((await officer.expect(200, 'GET', `/security/findings?entryId=${people.entryId}`)).items.map((r: any) => r.column)).toEqual(['费用']);
    expect((await rsj.call('GET', '/security/findings')).status).toBe(403);
  });
});

describe('the 数据安全官 role (security_officer)', () => {
  let aqg: string;
  beforeAll(async () => {
    aqg = await p.login('aqg');
  });

  it('logs in as the demo security officer with the role and its label', async () => {
    const me = await new Api(p.baseUrl, 'catalog', aqg).expect(200, 'GET', '/auth/me');
    expect(me).toMatchObject({ username: 'aqg', roles: ['security_officer'] });
  });

  it('the data bureau can create further security officers; an unknown role is refused', async () => {
    const catalog = new Api(p.baseUrl, 'catalog', a.admin);
    const user = { username: 'aqg2', displayName: '第二数据安全官', password: 'Officer2026x', deptId: depts.sjj };
    expect(await catalog.expect(201, 'POST', '/users', { ...user, roles: ['security_officer'] })).toMatchObject({ username: 'aqg2', roles: ['security_officer'] });
    expect((await new Api(p.baseUrl, 'sharing', await p.login('aqg2', 'Officer2026x')).call('GET', '/security/findings')).status).toBe(200);
    expect((await catalog.call('POST', '/users', { ...user, username: 'aqg3', roles: ['security_chief'] })).status).toBe(400);
    // Only the bureau creates accounts, not the officer.
    expect((await new Api(p.baseUrl, 'catalog', aqg).call('POST', '/users', { ...user, username: 'aqg4', roles: ['security_officer'] })).status).toBe(403);
  });

  it('reads every list of the officer view and exports it, across departments', async () => {
    const officer = new Api(p.baseUrl, 'sharing', aqg);
    const { items: findings } = await officer.expect(200, 'GET', `/security/findings?entryId=${people.entryId}`);
    // The findings are of 市场监管局's dataset: the officer (of 数据局) sees other departments' findings.
    expect(findings.map((f: any) => f.column)).toEqual(['费用']);
    expect((await officer.call('GET', '/security/findings?format=csv')).raw.toString('utf8')).toContain('费用');
    const refusals = await officer.expect(200, 'GET', '/security/sandbox-refusals');
    expect(refusals.items.some((j: any) => j.reasonCode === 'OPERATOR_QUOTA_EXCEEDED')).toBe(true);
    expect((await officer.call('GET', '/security/sandbox-refusals?format=csv')).headers.get('content-type')).toContain('text/csv');
    expect(Array.isArray((await officer.expect(200, 'GET', '/security/aggregation-refusals')).items)).toBe(true);
    const { items: operators } = await officer.expect(200, 'GET', '/operators');
    expect(operators.length).toBeGreaterThanOrEqual(1);
    const month = toShanghaiDate(new Date()).slice(0, 7);
    expect((await officer.expect(200, 'GET', `/operators/${operators[0].id}/usage?month=${month}`)).operatorId).toBe(operators[0].id);
    // Ingest's findings of every department are readable too.
    expect((await new Api(p.baseUrl, 'ingest', aqg).call('GET', '/sensitive-findings')).status).toBe(200);
  });

  it('pages every list on the server in a fixed order (page, pageSize, total), the CSV export unpaged', async () => {
    const officer = new Api(p.baseUrl, 'sharing', aqg);
    const all = await officer.expect(200, 'GET', '/security/sandbox-refusals?pageSize=100');
    expect(all.total).toBeGreaterThanOrEqual(3);
    expect(all).toMatchObject({ page: 1, pageSize: 100, total: all.items.length });
    // Page by page gives the same rows in the same order, none twice, none missing.
    const paged: string[] = [];
    for (let page = 1; page <= all.total; page++) {
      const one = await officer.expect(200, 'GET', `/security/sandbox-refusals?pageSize=1&page=${page}`);
      expect(one).toMatchObject({ total: all.total, page, pageSize: 1 });
      paged.push(...one.items.map((j: any) => j.id));
    }
    expect(paged).toEqual(all.items.map((j: any) => j.id));
    expect((await officer.expect(200, 'GET', `/security/sandbox-refusals?pageSize=1&page=${all.total + 1}`)).items).toEqual([]);
    expect((await officer.expect(200, 'GET', `/security/sandbox-refusals?code=OPERATOR_QUOTA_EXCEEDED&deptId=${depts.rsj}`)).items.every((j: any) => j.reasonCode === 'OPERATOR_QUOTA_EXCEEDED')).toBe(true);
    expect((await officer.expect(200, 'GET', `/security/sandbox-refusals?deptId=${depts.gaj}`)).total).toBe(0);
    const csv = (await officer.call('GET', '/security/sandbox-refusals?format=csv&pageSize=1')).raw.toString('utf8');
    expect(csv.trim().split('\r\n')).toHaveLength(all.total + 1);
    expect((await officer.call('GET', '/security/sandbox-refusals?format=csv&limit=1')).raw.toString('utf8').trim().split('\r\n')).toHaveLength(2);
    const operators = await officer.expect(200, 'GET', '/operators?pageSize=1');
    expect(operators).toMatchObject({ page: 1, pageSize: 1, total: expect.any(Number) });
    expect((await officer.expect(200, 'GET', '/operators?status=ended')).total).toBe(0);
    for (const bad of ['pageSize=0', 'pageSize=101', 'page=0', 'page=x', 'from=2026-02-30x'])
      for (const path of ['/security/findings', '/security/sandbox-refusals', '/security/aggregation-refusals', '/operators'])
        if (!(path === '/operators' && bad.startsWith('from'))) expect({ path, bad, status: (await officer.call('GET', `${path}?${bad}`)).status }).toEqual({ path, bad, status: 400 });
  });

  it('changes nothing: approving requests, managing grants and operators, editing the catalog are 403', async () => {
    const officer = new Api(p.baseUrl, 'sharing', aqg);
    const g = await activeGrant(p, people, depts.rsj, depts.scjg, ['区县'], 'download');
    grants.push(g);
    const pendingId = await pendingRequest(p, people, depts.rsj, depts.scjg, ['区县']);
    const forbidden = async (api: Api, method: string, path: string, body?: unknown) => {
      const res = await api.call(method, path, body ?? {});
      expect({ path, status: res.status, code: res.body?.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
    };
    await forbidden(officer, 'POST', `/requests/${pendingId}/approve`);
    await forbidden(officer, 'POST', `/grants/${g}/suspend`, { reason: '核查使用情况' });
    await forbidden(officer, 'POST', '/operators', { name: 'x' });
    await forbidden(officer, 'POST', '/sandbox/jobs', { tables: { people: g }, sql: 'SELECT count(*) AS n FROM people' });
    const catalog = new Api(p.baseUrl, 'catalog', aqg);
    await forbidden(catalog, 'POST', '/entries', { metadata: {} });
    await forbidden(catalog, 'PUT', `/entries/${people.entryId}`, { metadata: {} });
    await forbidden(catalog, 'POST', `/entries/${people.entryId}/approve`);
    expect((await p.pool.query(`SELECT status FROM sharing.grant_ WHERE id=$1`, [g])).rows[0].status).toBe('active');
    expect((await p.pool.query(`SELECT status FROM sharing.share_request WHERE id=$1`, [pendingId])).rows[0].status).toBe('pending');
  });

  it('other roles keep their access: the bureau and auditors read the view, departments do not', async () => {
    expect((await new Api(p.baseUrl, 'sharing', a.admin).call('GET', '/security/sandbox-refusals')).status).toBe(200);
    expect((await new Api(p.baseUrl, 'sharing', a.auditor).call('GET', '/security/aggregation-refusals')).status).toBe(200);
    expect((await rsj.call('GET', '/security/sandbox-refusals')).status).toBe(403);
    expect((await rsj.call('GET', '/operators')).status).toBe(403);
  });
});
