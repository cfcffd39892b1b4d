import { createHmac } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { eventually, startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { SHARING_SETTINGS, SharingClock, SharingSettings } from '../src/sharing.settings';
import { SharingWorker } from '../src/worker/sharing-worker';
import { accessEvents, accessEventsWithoutActor, Actors, Api, eventsNamed, loadVersion, loginAll, publishShared, registryRows, REQUEST_BASE } from './sharing-fixtures';

/** 校核纠错, 供需对接, 数据回流, notifications with signed webhooks, statistics. */
let p: TestPlatform;
let a: Actors;
let rsj: Api;
let scjgOp: Api;
let scjgRev: Api;
let admin: Api;
let worker: SharingWorker;
let entry: { entryId: string; datasetId: string };
let grant: any;

beforeAll(async () => {
  p = await startTestPlatform();
  a = await loginAll(p);
  rsj = new Api(p.baseUrl, 'sharing', a.rsjOp);
  scjgOp = new Api(p.baseUrl, 'sharing', a.scjgOp);
  scjgRev = new Api(p.baseUrl, 'sharing', a.scjgRev);
  admin = new Api(p.baseUrl, 'sharing', a.admin);
  worker = p.server.apps.sharing.get(SharingWorker);
  entry = await publishShared(p, a, '市场主体登记信息', { type: 'UNCONDITIONAL' });
  await loadVersion(p, a, entry, registryRows(30));
  const { requests } = await rsj.expect(201, 'POST', '/requests', { ...REQUEST_BASE, deliveryMethod: 'interface', entries: [{ entryId: entry.entryId, items: ['统一社会信用代码', '企业名称', '所属区划'] }] });
  grant = await rsj.expect(200, 'GET', `/grants/${requests[0].grantId}`);
}, 180_000);
afterAll(async () => {
  await p?.close();
});

describe('校核纠错 feedback and rectification', () => {
  it('walks open → acknowledged → fixed (new version) → confirmed, with a working-day deadline and who is responsible', async () => {
    const clock = p.server.apps.sharing.get(SharingClock);
    clock.set(new Date('2026-02-12T10:00:00+08:00'));
    let f: any;
    try {
      f = await rsj.expect(201, 'POST', '/feedback', { grantId: grant.id, kind: 'wrong_value', rowRef: '企业3', column: '企业名称', description: '企业名称与营业执照不一致' });
    } finally {
      clock.set(undefined);
    }
    // 5 working days from Thu 12 Feb 2026: 13, 14 (调休 Saturday), 24, 25, 26 Feb.
    expect(f).toMatchObject({ status: 'open', dueDate: '2026-02-26', reporterDeptId: grant.consumerDeptId, providerDeptId: grant.providerDeptId });
    expect((await scjgRev.expect<{ items: any[] }>(200, 'GET', '/notifications?pageSize=100')).items.some((n) => n.subjectId === f.id && n.kind === 'feedback.opened')).toBe(true);
    await rsj.problem(403, 'NOT_PROVIDER_REVIEWER', 'POST', `/feedback/${f.id}/acknowledge`);
    await scjgOp.problem(403, 'NOT_REQUESTER', 'POST', `/feedback/${f.id}/confirm`, {});
    await scjgOp.expect(200, 'POST', `/feedback/${f.id}/acknowledge`);
    await rsj.problem(409, 'FEEDBACK_STATE_CONFLICT', 'POST', `/feedback/${f.id}/confirm`, {});
    await scjgOp.problem(422, 'FEEDBACK_VERSION_UNKNOWN', 'POST', `/feedback/${f.id}/fix`, { version: 9 });
    const v = await loadVersion(p, a, entry, registryRows(30));
    const fixed = await scjgOp.expect(200, 'POST', `/feedback/${f.id}/fix`, { version: v, note: '已按营业执照更正' });
    expect(fixed).toMatchObject({ status: 'fixed', fixedVersion: v });
    const confirmed = await rsj.expect(200, 'POST', `/feedback/${f.id}/confirm`, {});
    expect(confirmed.status).toBe('confirmed');
    expect(confirmed.history.map((h: any) => [h.status, h.deptId])).toEqual([
      ['open', grant.consumerDeptId],
      ['acknowledged', grant.providerDeptId],
      ['fixed', grant.providerDeptId],
      ['confirmed', grant.consumerDeptId],
    ]);
    const events = (await eventsNamed(p, 'sharing.feedback.changed')).filter((e) => e.payload.feedbackId === f.id);
    expect(events.map((e) => e.payload.status)).toEqual(['open', 'acknowledged', 'fixed', 'confirmed']);
  });

  it('lets the provider answer with reasons instead, and refuses reports outside the grant', async () => {
    const f = await rsj.expect(201, 'POST', '/feedback', { grantId: grant.id, kind: 'missing_rows', description: '缺少 2025 年注销的企业' });
    const answered = await scjgRev.expect(200, 'POST', `/feedback/${f.id}/answer`, { answer: '注销企业按规定不在本资源中提供' });
    expect(answered).toMatchObject({ status: 'answered', answer: '注销企业按规定不在本资源中提供' });
    await scjgRev.problem(409, 'FEEDBACK_STATE_CONFLICT', 'POST', `/feedback/${f.id}/fix`, { version: 1 });
    await rsj.problem(422, 'FEEDBACK_COLUMN_UNKNOWN', 'POST', '/feedback', { grantId: grant.id, kind: 'wrong_value', column: '法定代表人', description: '不在授权内' });
    await new Api(p.baseUrl, 'sharing', a.gajOp).problem(404, 'GRANT_NOT_FOUND', 'POST', '/feedback', { grantId: grant.id, kind: 'stale', description: '别人的授权' });
    await rsj.problem(400, 'VALIDATION_FAILED', 'POST', '/feedback', { grantId: grant.id, kind: 'bad', description: 'x' });
  });

  it('reminds the provider before a rectification deadline and reports it to the bureau once passed', async () => {
    const clock = p.server.apps.sharing.get(SharingClock);
    clock.set(new Date('2026-02-12T10:00:00+08:00'));
    try {
      const f = await rsj.expect(201, 'POST', '/feedback', { grantId: grant.id, kind: 'stale', description: '数据未按月更新' });
      clock.set(new Date('2026-02-25T10:00:00+08:00')); // due 26 Feb: 1 working day left
      await worker.sweep();
      expect((await scjgOp.expect<{ items: any[] }>(200, 'GET', '/notifications?pageSize=100')).items.filter((n) => n.subjectId === f.id).map((n) => n.kind)).toContain('feedback.due_soon');
      clock.set(new Date('2026-02-27T10:00:00+08:00'));
      await worker.sweep();
      await worker.sweep(); // once only
      expect((await admin.expect<{ items: any[] }>(200, 'GET', '/notifications?pageSize=100')).items.filter((n) => n.subjectId === f.id && n.kind === 'feedback.overdue')).toHaveLength(1);
    } finally {
      clock.set(undefined);
    }
  });
});

describe('供需对接 supply–demand matching', () => {
  it('suggests providers by catalog search, the bureau assigns, the provider answers by cataloging or explaining', async () => {
    const need = await rsj.expect(201, 'POST', '/needs', { title: '市场主体登记数据', description: '需要本市企业的登记信息用于参保核验', items: ['企业名称'] });
    expect(need.status).toBe('open');
    expect(need.suggestions[0]).toMatchObject({ entryId: entry.entryId, deptId: grant.providerDeptId });
    expect((await admin.expect<{ items: any[] }>(200, 'GET', '/notifications?pageSize=100')).items.some((n) => n.subjectId === need.id && n.kind === 'need.posted')).toBe(true);
    await rsj.problem(403, 'FORBIDDEN', 'POST', `/needs/${need.id}/assign`, { deptId: grant.providerDeptId });
    await admin.problem(422, 'DEPARTMENT_UNKNOWN', 'POST', `/needs/${need.id}/assign`, { deptId: '00000000-0000-4000-8000-000000000000' });
    await admin.expect(200, 'POST', `/needs/${need.id}/assign`, { deptId: grant.providerDeptId });
    await scjgOp.problem(422, 'NEED_ANSWER_REQUIRED', 'POST', `/needs/${need.id}/answer`, {});
    await new Api(p.baseUrl, 'sharing', a.gajOp).problem(403, 'NOT_PROVIDER_REVIEWER', 'POST', `/needs/${need.id}/answer`, { reason: '无' });
    const answered = await scjgOp.expect(200, 'POST', `/needs/${need.id}/answer`, { entryId: entry.entryId });
    expect(answered).toMatchObject({ status: 'answered', answerEntryId: entry.entryId });
    expect(((await rsj.expect(200, 'GET', '/needs?view=mine&pageSize=100')).items as any[]).find((n) => n.id === need.id).answerEntryName).toBe('市场主体登记信息');
    await scjgOp.problem(409, 'NEED_STATE_CONFLICT', 'POST', `/needs/${need.id}/answer`, { reason: '再答一次' });
    const statuses = (await eventsNamed(p, 'sharing.need.changed')).filter((e) => e.payload.needId === need.id).map((e) => e.payload.status);
    expect(statuses).toEqual(['open', 'assigned', 'answered']);
    const nothing = await rsj.expect(201, 'POST', '/needs', { title: 'qqq', description: '没有任何目录能匹配 zzz' });
    expect(nothing.suggestions).toEqual([]);
  });
});

describe('数据回流 return flow', () => {
  it('delivers each new version’s rows of the district to the district automatically', async () => {
    const qsjj = new Api(p.baseUrl, 'sharing', a.qsjjOp);
    await rsj.problem(422, 'RETURN_NOT_LOWER_LEVEL', 'POST', '/subscriptions', { entryId: entry.entryId, regionColumn: '所属区划' });
    await qsjj.problem(422, 'RETURN_REGION_COLUMN_UNKNOWN', 'POST', '/subscriptions', { entryId: entry.entryId, regionColumn: '区划"; --' });
    const sub = await qsjj.expect(201, 'POST', '/subscriptions', { entryId: entry.entryId, regionColumn: '所属区划' });
    expect(sub).toMatchObject({ regionValue: '420702', status: 'active' });
    const first = await eventually(async () => {
      await worker.tick();
      const d = await qsjj.expect<any[]>(200, 'GET', `/subscriptions/${sub.id}/deliveries`);
      return d.length ? d : undefined;
    });
    const current = (await rsj.expect(200, 'GET', `/entries/${entry.entryId}`)).dataset.version;
    expect(first[0]).toMatchObject({ version: current, rows: 15 });
    const v = await loadVersion(p, a, entry, registryRows(50));
    const second = await eventually(async () => {
      await worker.tick();
      const d = await qsjj.expect<any[]>(200, 'GET', `/subscriptions/${sub.id}/deliveries`);
      return d.find((x) => x.version === v);
    });
    expect(second.rows).toBe(25);
    const file = await qsjj.call('GET', `/subscriptions/${sub.id}/deliveries/${v}/file`);
    const lines = file.raw.toString('utf8').replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines).toHaveLength(26);
    expect(lines.slice(1).every((l) => l.split(',')[3] === '420702')).toBe(true);
    expect(lines[0].split(',')).toContain('法定代表人'); // 回流 carries the whole entry for the jurisdiction
    expect((await rsj.call('GET', `/subscriptions/${sub.id}/deliveries/${v}/file`)).status).toBe(404);
    const pushes = await accessEvents(p, (e) => e.kind === 'push' && e.consumerDeptId === sub.subscriberDeptId);
    expect(pushes.map((e) => e.rowCount)).toEqual([15, 25]);
    expect((await qsjj.expect<{ items: any[] }>(200, 'GET', '/notifications?pageSize=100')).items.filter((n) => n.kind === 'return.delivered')).toHaveLength(2);
  });
});

describe('notifications', () => {
  let server: Server;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let calls = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        calls++;
        if (calls === 1) {
          res.statusCode = 503; // the first attempt fails: the platform retries
          return res.end();
        }
        received.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('keeps an inbox per department and role, and marks messages read', async () => {
    const inbox = (await rsj.expect<{ items: any[] }>(200, 'GET', '/notifications?unread=true&pageSize=100')).items;
    expect(inbox.length).toBeGreaterThan(0);
    await rsj.expect(204, 'POST', `/notifications/${inbox[0].id}/read`);
    expect((await rsj.expect<{ items: any[] }>(200, 'GET', '/notifications?unread=true&pageSize=100')).items.map((n) => n.id)).not.toContain(inbox[0].id);
    await scjgOp.problem(404, 'NOTIFICATION_NOT_FOUND', 'POST', `/notifications/${inbox[0].id}/read`);

    // Pages newest first with an id tie-break: one-message pages walk the same order as one big page.
    const all = await rsj.expect(200, 'GET', '/notifications?pageSize=100');
    expect(all).toMatchObject({ page: 1, pageSize: 100, total: all.items.length });
    const walked: string[] = [];
    for (let page = 1; page <= Math.min(all.total, 4); page++) {
      const one = await rsj.expect(200, 'GET', `/notifications?page=${page}&pageSize=1`);
      expect(one).toMatchObject({ total: all.total, page, pageSize: 1 });
      walked.push(...one.items.map((n: any) => n.id));
    }
    expect(walked).toEqual(all.items.slice(0, walked.length).map((n: any) => n.id));
    // Another department's inbox never holds these messages.
    const theirs = (await scjgOp.expect<{ items: any[] }>(200, 'GET', '/notifications?pageSize=100')).items.map((n: any) => n.id);
    expect(theirs.filter((id: string) => walked.includes(id))).toEqual([]);
    expect((await rsj.call('GET', '/notifications?pageSize=101')).status).toBe(400);
  });

  it('posts signed webhooks and retries failures', async () => {
    const settings = p.server.apps.sharing.get<SharingSettings>(SHARING_SETTINGS);
    settings.webhookBackoffMs = 10;
    await rsj.problem(422, 'WEBHOOK_URL_INVALID', 'PUT', '/webhook', { url: 'ftp://example.com' });
    settings.webhookAllowedHosts = ['hooks.rsj.example'];
    await rsj.problem(422, 'WEBHOOK_URL_INVALID', 'PUT', '/webhook', { url: 'http://169.254.169.254/latest' });
    settings.webhookAllowedHosts = undefined;
    const { secret } = await rsj.expect(200, 'PUT', '/webhook', { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` });
    expect(secret).toMatch(/^whsec_/);
    await scjgRev.expect(200, 'POST', `/grants/${grant.id}/suspend`, { reason: '核查' });
    const got = await eventually(async () => {
      await worker.tick();
      return received.length ? received[0] : undefined;
    });
    const expected = createHmac('sha256', secret).update(`${got.headers['x-timestamp']}.${got.body}`).digest('hex');
    expect(got.headers['x-signature']).toBe(`sha256=${expected}`);
    expect(JSON.parse(got.body)).toMatchObject({ kind: 'grant.suspended', subjectId: grant.id });
    // The hook has the body before the worker records the answer: wait for the record.
    const delivered = await eventually(async () => {
      const deliveries = await rsj.expect<any[]>(200, 'GET', '/webhook/deliveries');
      return deliveries[0]?.status === 'delivered' ? deliveries[0] : undefined;
    });
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 2 });
    await scjgRev.expect(200, 'POST', `/grants/${grant.id}/resume`, {});
  });
});

it('names an accountable actor on every access event (credential holder, link creator, receiving system, or caller address)', async () => {
  expect(await accessEventsWithoutActor(p)).toEqual([]);
  const { rows } = await p.pool.query(`SELECT DISTINCT envelope->'actor'->>'type' AS t FROM sharing.outbox WHERE event_name='sharing.data.accessed'`);
  expect(rows.length).toBeGreaterThan(0);
});

describe('statistics', () => {
  it('counts requests by state and share type, response time in working days, on-time rate, refusal grounds, top entries', async () => {
    const cond = await publishShared(p, a, '企业年报信息', { type: 'CONDITIONAL', condition: '仅向监管部门提供' });
    const ask = () => rsj.expect(201, 'POST', '/requests', { ...REQUEST_BASE, deliveryMethod: 'interface', entries: [{ entryId: cond.entryId, items: ['企业名称'] }] });
    const r1 = (await ask()).requests[0];
    const r2 = (await ask()).requests[0];
    await ask();
    await scjgRev.expect(200, 'POST', `/requests/${r1.id}/approve`, {});
    await scjgRev.expect(200, 'POST', `/requests/${r2.id}/refuse`, { groundCode: 'OUTSIDE_DUTY', text: '与职责无关' });
    const s = await admin.expect(200, 'GET', '/statistics');
    expect(s.byStatus.approved).toMatchObject({ UNCONDITIONAL: 1, CONDITIONAL: 1 });
    expect(s.byStatus.refused).toMatchObject({ CONDITIONAL: 1 });
    expect(s.byStatus.pending).toMatchObject({ CONDITIONAL: 1 });
    expect(s.responseTime).toEqual({ count: 2, averageWorkingDays: 0, p95WorkingDays: 0 });
    expect(s.onTimeRate).toBe(1);
    expect(s.refusalGrounds).toEqual([{ code: 'OUTSIDE_DUTY', count: 1 }]);
    expect(s.mostRequested[0]).toMatchObject({ entryId: cond.entryId, requests: 3 });
    expect(s.byProvider[0]).toMatchObject({ deptId: grant.providerDeptId, requests: 4, pending: 1 });
    // A department sees its own figures only.
    const own = await new Api(p.baseUrl, 'sharing', a.gajOp).expect(200, 'GET', '/statistics');
    expect(own.total).toBe(0);
  }, 60_000);
});

// Last: it adds grants, which the statistics above count.
describe('server paging of the workbench lists (scope unchanged)', () => {
  it('pages grants, needs, feedback and requests with a total, no overlap, and only what the department may see', async () => {
    const gaj = new Api(p.baseUrl, 'sharing', a.gajOp);
    // A few more grants for rsj, so that there is more than one page.
    for (let i = 0; i < 2; i++) await rsj.expect(201, 'POST', '/requests', { ...REQUEST_BASE, deliveryMethod: 'interface', entries: [{ entryId: entry.entryId, items: ['企业名称'] }] });
    const all = await rsj.expect(200, 'GET', '/grants?side=consumer&pageSize=100');
    expect(all.total).toBeGreaterThanOrEqual(3);
    expect(all.items.length).toBe(all.total);
    const paged: string[] = [];
    for (let page = 1; page <= all.total; page++) {
      const one = await rsj.expect(200, 'GET', `/grants?side=consumer&page=${page}&pageSize=1`);
      expect([one.total, one.page, one.pageSize, one.items.length]).toEqual([all.total, page, 1, 1]);
      paged.push(one.items[0].id);
    }
    expect(paged).toEqual(all.items.map((g: any) => g.id));
    expect(all.items.every((g: any) => g.consumerDeptId === grant.consumerDeptId)).toBe(true);
    // Each grant names its entry (no list of all entries needed to show them).
    expect(all.items.find((g: any) => g.id === grant.id).entryName).toBe('市场主体登记信息');
    // Another department: none of these, whatever the page.
    const other = await gaj.expect(200, 'GET', '/grants?pageSize=100');
    expect(other.items.some((g: any) => g.id === grant.id)).toBe(false);
    expect((await gaj.expect(200, 'GET', '/grants?page=3&pageSize=1')).items.some((g: any) => paged.includes(g.id))).toBe(false);
    expect((await admin.expect(200, 'GET', '/grants?pageSize=100')).total).toBeGreaterThanOrEqual(all.total);

    const need = await rsj.expect(201, 'POST', '/needs', { title: '分页测试需求', description: '只有本部门与受派部门看得到' });
    await admin.expect(200, 'POST', `/needs/${need.id}/assign`, { deptId: grant.providerDeptId });
    const ids = async (api: Api, q: string) => ((await api.expect(200, 'GET', `/needs?pageSize=100${q}`)).items as any[]).map((n) => n.id);
    expect(await ids(rsj, '&view=mine')).toContain(need.id);
    expect(await ids(rsj, '&view=assigned')).not.toContain(need.id);
    expect(await ids(scjgOp, '&view=assigned')).toContain(need.id);
    expect(await ids(scjgOp, '&view=mine')).not.toContain(need.id);
    expect(await ids(gaj, '')).not.toContain(need.id);
    expect(await ids(gaj, '&view=assigned')).not.toContain(need.id);
    expect(await ids(admin, '&status=assigned')).toContain(need.id);
    const firstNeeds = await rsj.expect(200, 'GET', '/needs?pageSize=1');
    expect([firstNeeds.page, firstNeeds.pageSize, firstNeeds.items.length]).toEqual([1, 1, 1]);

    const f = await rsj.expect(201, 'POST', '/feedback', { grantId: grant.id, kind: 'stale', description: '分页测试反馈' });
    expect(((await rsj.expect(200, 'GET', '/feedback?pageSize=100')).items as any[]).map((x) => x.id)).toContain(f.id);
    expect(((await rsj.expect(200, 'GET', '/feedback?pageSize=100')).items as any[]).find((x) => x.id === f.id).entryName).toBe('市场主体登记信息');
    expect(((await scjgRev.expect(200, 'GET', '/feedback?pageSize=100')).items as any[]).map((x) => x.id)).toContain(f.id);
    expect(((await gaj.expect(200, 'GET', '/feedback?pageSize=100')).items as any[]).map((x) => x.id)).not.toContain(f.id);
    const fb = async (api: Api, side: string) => ((await api.expect(200, 'GET', `/feedback?pageSize=100&side=${side}`)).items as any[]).map((x) => x.id);
    expect(await fb(rsj, 'reporter')).toContain(f.id);
    expect(await fb(rsj, 'provider')).not.toContain(f.id);
    expect(await fb(scjgRev, 'provider')).toContain(f.id);
    expect(await fb(scjgRev, 'reporter')).not.toContain(f.id);
    expect(await fb(gaj, 'provider')).not.toContain(f.id);
    expect(await fb(admin, 'provider')).toContain(f.id);

    const requests = await rsj.expect(200, 'GET', '/requests?side=requester&pageSize=2');
    expect(requests).toMatchObject({ page: 1, pageSize: 2 });
    expect(requests.total).toBeGreaterThanOrEqual(3);
    expect(((await gaj.expect(200, 'GET', '/requests?pageSize=100')).items as any[]).some((r) => r.requesterDeptId === grant.consumerDeptId && r.providerDeptId === grant.providerDeptId)).toBe(false);

    // Shareable entries: by name, paged, optionally without the asking department's own.
    const found = await rsj.expect(200, 'GET', `/entries?q=${encodeURIComponent('市场主体')}&pageSize=1`);
    expect([found.page, found.pageSize, found.items.length]).toEqual([1, 1, 1]);
    expect(found.total).toBeGreaterThanOrEqual(1);
    expect(((await rsj.expect(200, 'GET', `/entries?pageSize=100&deptId=${grant.providerDeptId}`)).items as any[]).map((e) => e.entryId)).toContain(entry.entryId);
    expect(((await scjgOp.expect(200, 'GET', `/entries?pageSize=100&excludeDeptId=${grant.providerDeptId}`)).items as any[]).some((e) => e.deptId === grant.providerDeptId)).toBe(false);

    for (const path of ['/grants?pageSize=101', '/entries?excludeDeptId=x', '/needs?page=0', '/feedback?pageSize=abc', '/requests?pageSize=0', '/needs?view=everyone']) await rsj.problem(400, 'VALIDATION_FAILED', 'GET', path);
  });
});
