import { eventually, startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { RequestsService } from '../src/requests/requests.service';
import { SHARING_SETTINGS, SharingClock, SharingSettings } from '../src/sharing.settings';
import { accessEvents, Actors, Api, eventsNamed, loginAll, publishShared, REQUEST_BASE } from './sharing-fixtures';

/** 共享申请: rules by share type, review with a legal deadline, refusal grounds, withdrawal, escalation, concurrency. */
let p: TestPlatform;
let a: Actors;
let rsj: Api;
let scjgRev: Api;
let admin: Api;
let clock: SharingClock;
let open: { entryId: string; datasetId: string };
let conditional: { entryId: string; datasetId: string };
let closed: { entryId: string; datasetId: string };

beforeAll(async () => {
  p = await startTestPlatform();
  a = await loginAll(p);
  rsj = new Api(p.baseUrl, 'sharing', a.rsjOp);
  scjgRev = new Api(p.baseUrl, 'sharing', a.scjgRev);
  admin = new Api(p.baseUrl, 'sharing', a.admin);
  clock = p.server.apps.sharing.get(SharingClock);
  open = await publishShared(p, a, '企业登记基本信息', { type: 'UNCONDITIONAL' });
  conditional = await publishShared(p, a, '企业登记详细信息', { type: 'CONDITIONAL', condition: '仅向承担市场主体监管、社保、税务职责的部门提供' });
  closed = await publishShared(p, a, '企业信用修复内部研判', { type: 'NOT_SHARED', basis: '《中华人民共和国保守国家秘密法》第九条' });
}, 120_000);
afterAll(async () => {
  clock?.set(undefined);
  await p?.close();
});

const ask = (entryId: string, items: string[], extra: Record<string, unknown> = {}) => ({ ...REQUEST_BASE, deliveryMethod: 'interface', entries: [{ entryId, items }], ...extra });

it('grants an unconditional request at once and still records it', async () => {
  const { requests } = await rsj.expect(201, 'POST', '/requests', ask(open.entryId, ['统一社会信用代码', '企业名称']));
  expect(requests).toHaveLength(1);
  expect(requests[0]).toMatchObject({ status: 'approved', decision: 'auto_grant', shareType: 'UNCONDITIONAL', dueDate: null });
  const grant = await rsj.expect(200, 'GET', `/grants/${requests[0].grantId}`);
  expect(grant).toMatchObject({ status: 'active', items: ['统一社会信用代码', '企业名称'], systemName: '社会保险信息系统', deliveryMethod: 'interface' });
  const submitted = await eventsNamed(p, 'sharing.request.submitted');
  expect(submitted.some((e) => e.payload.requestId === requests[0].id)).toBe(true);
  expect((await eventsNamed(p, 'sharing.grant.created')).some((e) => e.payload.grantId === grant.id)).toBe(true);
});

it('refuses a not-shared request at once, showing the catalog’s legal basis', async () => {
  const { requests } = await rsj.expect(201, 'POST', '/requests', ask(closed.entryId, ['企业名称']));
  expect(requests[0]).toMatchObject({ status: 'refused', decision: 'auto_refuse', refusalGround: 'CATALOG_NOT_SHARED', grantId: null });
  expect(requests[0].refusalText).toContain('《中华人民共和国保守国家秘密法》第九条');
});

it('sends a conditional request to the provider’s reviewer with a 10-working-day deadline', async () => {
  clock.set(new Date('2026-02-10T09:00:00+08:00'));
  try {
    const { requests } = await rsj.expect(201, 'POST', '/requests', ask(conditional.entryId, ['统一社会信用代码', '企业名称', '所属区划']));
    // Spring Festival 2026: 15–23 Feb off, Saturdays 14 and 28 Feb are 调休 working days.
    expect(requests[0]).toMatchObject({ status: 'pending', submittedOn: '2026-02-10', dueDate: '2026-03-02' });
    const inbox = (await scjgRev.expect<{ items: any[] }>(200, 'GET', '/notifications?pageSize=100')).items;
    expect(inbox.some((n) => n.subjectId === requests[0].id && n.kind === 'request.submitted')).toBe(true);
    // Not shown to another department's reviewer.
    const rsjRev = new Api(p.baseUrl, 'sharing', a.rsjRev);
    expect((await rsjRev.expect<{ items: any[] }>(200, 'GET', '/notifications?pageSize=100')).items.some((n) => n.subjectId === requests[0].id)).toBe(false);
  } finally {
    clock.set(undefined);
  }
});

it('uses the per-region response limit (SHARING_RESPONSE_DAYS) counted on the working-day calendar', async () => {
  const settings = p.server.apps.sharing.get<SharingSettings>(SHARING_SETTINGS);
  settings.responseDays['420700'] = 5;
  clock.set(new Date('2026-02-13T16:00:00+08:00'));
  try {
    const { requests } = await rsj.expect(201, 'POST', '/requests', ask(conditional.entryId, ['企业名称']));
    // 13 Feb (Fri) + 5: 14 Feb (Sat, 调休), 24, 25, 26, 27 Feb.
    expect(requests[0].dueDate).toBe('2026-02-27');
  } finally {
    delete settings.responseDays['420700'];
    clock.set(undefined);
  }
});

it('approves narrower (fewer items, a region, shorter period, a rate limit) and creates the grant', async () => {
  const { requests } = await rsj.expect(201, 'POST', '/requests', ask(conditional.entryId, ['统一社会信用代码', '企业名称', '法定代表人', '所属区划']));
  const decided = await scjgRev.expect(200, 'POST', `/requests/${requests[0].id}/approve`, {
    items: ['统一社会信用代码', '企业名称', '所属区划'],
    rowFilter: [{ column: '所属区划', op: 'eq', value: '420702' }],
    validTo: '2027-06-30',
    rateLimitPerMinute: 600,
    comment: '仅提供本区数据',
  });
  expect(decided).toMatchObject({ status: 'approved', decision: 'approve_narrower', responseWorkingDays: 0 });
  const grant = await rsj.expect(200, 'GET', `/grants/${decided.grantId}`);
  expect(grant).toMatchObject({
    items: ['统一社会信用代码', '企业名称', '所属区划'],
    rowFilter: [{ column: '所属区划', op: 'eq', value: '420702' }],
    validTo: '2027-06-30',
    rateLimitPerMinute: 600,
    catalogCondition: '仅向承担市场主体监管、社保、税务职责的部门提供',
  });
  const decidedEvents = await eventsNamed(p, 'sharing.request.decided');
  expect(decidedEvents.find((e) => e.payload.requestId === requests[0].id)?.payload).toMatchObject({ decision: 'approve_narrower', grantId: grant.id });
});

describe('bad input', () => {
  let pendingId: string;
  beforeAll(async () => {
    pendingId = (await rsj.expect(201, 'POST', '/requests', ask(conditional.entryId, ['企业名称', '所属区划']))).requests[0].id;
  });

  it('refuses items not in the entry', async () => {
    const body = await rsj.problem(422, 'REQUEST_ITEMS_UNKNOWN', 'POST', '/requests', ask(conditional.entryId, ['企业名称', '身份证号']));
    expect(body.message.zh).toContain('身份证号');
  });

  it('refuses a role that may not request', async () => {
    await new Api(p.baseUrl, 'sharing', a.auditor).problem(403, 'FORBIDDEN', 'POST', '/requests', ask(open.entryId, ['企业名称']));
    await new Api(p.baseUrl, 'sharing', a.rsjRev).problem(403, 'FORBIDDEN', 'POST', '/requests', ask(open.entryId, ['企业名称']));
  });

  it('refuses one’s own department’s data, an unknown entry and a bad period', async () => {
    await new Api(p.baseUrl, 'sharing', a.scjgOp).problem(422, 'REQUEST_OWN_DATA', 'POST', '/requests', ask(open.entryId, ['企业名称']));
    await rsj.problem(404, 'ENTRY_NOT_FOUND', 'POST', '/requests', ask('00000000-0000-4000-8000-000000000000', ['企业名称']));
    await rsj.problem(422, 'REQUEST_PERIOD_INVALID', 'POST', '/requests', ask(open.entryId, ['企业名称'], { periodFrom: '2027-01-01', periodTo: '2026-12-31' }));
    await rsj.problem(400, 'VALIDATION_FAILED', 'POST', '/requests', { ...ask(open.entryId, ['企业名称']), purpose: undefined });
  });

  it('refuses a refusal without a legal ground, or with one not on the list', async () => {
    await scjgRev.problem(422, 'REFUSAL_GROUND_REQUIRED', 'POST', `/requests/${pendingId}/refuse`, { text: '不想给' });
    await scjgRev.problem(422, 'REFUSAL_GROUND_REQUIRED', 'POST', `/requests/${pendingId}/refuse`, { groundCode: 'OUTSIDE_DUTY' });
    await scjgRev.problem(422, 'REFUSAL_GROUND_UNKNOWN', 'POST', `/requests/${pendingId}/refuse`, { groundCode: 'BECAUSE', text: '理由' });
    expect((await scjgRev.expect(200, 'GET', `/requests/${pendingId}`)).status).toBe('pending');
  });

  it('refuses conditions beyond the catalog entry and approvals wider than asked', async () => {
    await scjgRev.problem(422, 'EXTRA_CONDITION_FORBIDDEN', 'POST', `/requests/${pendingId}/approve`, { conditions: ['须另行提交纸质公函'] });
    await scjgRev.problem(422, 'APPROVAL_ITEMS_NOT_REQUESTED', 'POST', `/requests/${pendingId}/approve`, { items: ['企业名称', '注册资本'] });
    await scjgRev.problem(422, 'APPROVAL_PERIOD_WIDER', 'POST', `/requests/${pendingId}/approve`, { validTo: '2030-01-01' });
    await scjgRev.problem(400, 'FILTER_INVALID', 'POST', `/requests/${pendingId}/approve`, { rowFilter: [{ column: '区划"; DROP TABLE x; --', op: 'eq', value: '1' }] });
  });

  it('lets only the provider’s reviewer decide (the bureau only once escalated)', async () => {
    await new Api(p.baseUrl, 'sharing', await p.login('gaj_rev')).problem(404, 'REQUEST_NOT_FOUND', 'POST', `/requests/${pendingId}/approve`, {});
    await new Api(p.baseUrl, 'sharing', a.rsjRev).problem(403, 'NOT_PROVIDER_REVIEWER', 'POST', `/requests/${pendingId}/approve`, {});
    await admin.problem(403, 'NOT_PROVIDER_REVIEWER', 'POST', `/requests/${pendingId}/approve`, {});
    await new Api(p.baseUrl, 'sharing', a.scjgOp).problem(403, 'FORBIDDEN', 'POST', `/requests/${pendingId}/approve`, {});
  });

  it('refuses an approval after the request was withdrawn, and a second withdrawal', async () => {
    await rsj.expect(200, 'POST', `/requests/${pendingId}/withdraw`);
    await scjgRev.problem(409, 'REQUEST_WITHDRAWN', 'POST', `/requests/${pendingId}/approve`, {});
    await rsj.problem(409, 'REQUEST_ALREADY_DECIDED', 'POST', `/requests/${pendingId}/withdraw`);
    expect((await eventsNamed(p, 'sharing.request.withdrawn')).some((e) => e.payload.requestId === pendingId)).toBe(true);
  });

  it('refuses a request for a retired entry', async () => {
    const retiring = await publishShared(p, a, '即将下架的目录', { type: 'UNCONDITIONAL' });
    await new Api(p.baseUrl, 'catalog', a.scjgRev).expect(200, 'POST', `/entries/${retiring.entryId}/retire`, { reason: '职能划转' });
    await eventually(async () => (await rsj.expect(200, 'GET', `/entries/${retiring.entryId}`)).status === 'retired', 15_000);
    await rsj.problem(409, 'ENTRY_RETIRED', 'POST', '/requests', ask(retiring.entryId, ['企业名称']));
  }, 60_000);
});

it('resolves two reviewers deciding at once to exactly one outcome', async () => {
  const scjgRev2 = new Api(p.baseUrl, 'sharing', await p.login('scjg_rev'));
  for (const second of ['approve', 'refuse'] as const) {
    const id = (await rsj.expect(201, 'POST', '/requests', ask(conditional.entryId, ['企业名称']))).requests[0].id;
    const results = await Promise.all([
      scjgRev.call('POST', `/requests/${id}/approve`, {}),
      second === 'approve' ? scjgRev2.call('POST', `/requests/${id}/approve`, {}) : scjgRev2.call('POST', `/requests/${id}/refuse`, { groundCode: 'OUTSIDE_DUTY', text: '用途与职责无关' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.code).toBe('REQUEST_ALREADY_DECIDED');
    const { rows } = await p.pool.query(`SELECT count(*)::int AS n FROM sharing.grant_ WHERE request_id=$1`, [id]);
    const final = await rsj.expect(200, 'GET', `/requests/${id}`);
    expect(rows[0].n).toBe(final.status === 'approved' ? 1 : 0);
    const decided = (await eventsNamed(p, 'sharing.request.decided')).filter((e) => e.payload.requestId === id);
    expect(decided).toHaveLength(1);
  }
});

it('refuses with a legal ground from the maintained list; the bureau can extend the list', async () => {
  await admin.expect(201, 'POST', '/refusal-grounds', { code: 'DATA_UNDER_CORRECTION', label: '数据正在依法更正', basis: '《政务数据共享条例》第二十四条' });
  await admin.problem(409, 'REFUSAL_GROUND_EXISTS', 'POST', '/refusal-grounds', { code: 'DATA_UNDER_CORRECTION', label: '重复', basis: '重复依据' });
  const grounds = await rsj.expect<any[]>(200, 'GET', '/refusal-grounds');
  expect(grounds.map((g) => g.code)).toEqual(expect.arrayContaining(['STATE_SECRET', 'OUTSIDE_DUTY', 'DATA_UNDER_CORRECTION']));
  const id = (await rsj.expect(201, 'POST', '/requests', ask(conditional.entryId, ['企业名称']))).requests[0].id;
  const refused = await scjgRev.expect(200, 'POST', `/requests/${id}/refuse`, { groundCode: 'DATA_UNDER_CORRECTION', text: '本月数据正在更正，下月可再申请' });
  expect(refused).toMatchObject({ status: 'refused', refusalGround: 'DATA_UNDER_CORRECTION' });
  const inbox = (await rsj.expect<{ items: any[] }>(200, 'GET', '/notifications?pageSize=100')).items;
  expect(inbox.find((n) => n.subjectId === id && n.kind === 'request.refused')?.body).toContain('DATA_UNDER_CORRECTION');
});

it('reminds before the deadline, escalates overdue requests to the data bureau, which can coordinate and decide', async () => {
  clock.set(new Date('2026-02-10T09:00:00+08:00'));
  const id = (await rsj.expect(201, 'POST', '/requests', ask(conditional.entryId, ['企业名称']))).requests[0].id;
  const requests = p.server.apps.sharing.get(RequestsService);
  try {
    clock.set(new Date('2026-02-26T09:00:00+08:00')); // 2 working days left (27 Feb, 28 Feb 调休, due 2 Mar → 3)
    await requests.sweepDeadlines();
    clock.set(new Date('2026-02-28T09:00:00+08:00')); // Saturday 调休: 1 working day left
    await admin.expect(200, 'POST', '/deadlines/sweep');
    expect((await rsj.expect(200, 'GET', `/requests/${id}`)).escalatedAt).toBeNull();
    expect((await scjgRev.expect<{ items: any[] }>(200, 'GET', '/notifications?pageSize=100')).items.some((n) => n.subjectId === id && n.kind === 'request.due_soon')).toBe(true);
    await admin.problem(409, 'REQUEST_NOT_ESCALATED', 'POST', `/requests/${id}/coordinate`, { note: '请尽快答复' });
    clock.set(new Date('2026-03-03T09:00:00+08:00')); // due 2 Mar passed
    const sweep = await admin.expect(200, 'POST', '/deadlines/sweep');
    expect(sweep.escalated).toBeGreaterThanOrEqual(1);
    expect((await admin.expect<{ items: any[] }>(200, 'GET', '/notifications?pageSize=100')).items.some((n) => n.subjectId === id && n.kind === 'request.escalated')).toBe(true);
    expect((await eventsNamed(p, 'sharing.request.escalated')).some((e) => e.payload.requestId === id)).toBe(true);
    const listed = (await admin.expect(200, 'GET', '/requests?escalated=true&status=pending&pageSize=100')).items as any[];
    expect(listed.map((r) => r.id)).toContain(id);
    const coordinated = await admin.expect(200, 'POST', `/requests/${id}/coordinate`, { note: '经协调，请提供企业名称' });
    expect(coordinated.coordination[0].note).toBe('经协调，请提供企业名称');
    const decided = await admin.expect(200, 'POST', `/requests/${id}/approve`, {});
    expect(decided).toMatchObject({ status: 'approved', decidedBy: expect.any(String), responseWorkingDays: 11 });
  } finally {
    clock.set(undefined);
  }
});

it('keeps a cart: one submission covers entries of several providers, each gets its part', async () => {
  const gaj = await publishShared(p, { ...a, scjgOp: a.gajOp }, '机动车登记信息', { type: 'UNCONDITIONAL' });
  await rsj.expect(201, 'POST', '/cart/items', { entryId: open.entryId, items: ['企业名称'] });
  await rsj.expect(201, 'POST', '/cart/items', { entryId: conditional.entryId, items: ['企业名称', '所属区划'] });
  await rsj.expect(201, 'POST', '/cart/items', { entryId: gaj.entryId, items: ['企业名称'] });
  await rsj.problem(422, 'REQUEST_ITEMS_UNKNOWN', 'POST', '/cart/items', { entryId: open.entryId, items: ['不存在'] });
  const cart = await rsj.expect<any[]>(200, 'GET', '/cart');
  expect(cart).toHaveLength(3);
  const { batchId, requests } = await rsj.expect(201, 'POST', '/requests', { ...REQUEST_BASE, deliveryMethod: 'download', fromCart: true });
  expect(requests.map((r: any) => r.status).sort()).toEqual(['approved', 'approved', 'pending']);
  expect(new Set(requests.map((r: any) => r.batchId))).toEqual(new Set([batchId]));
  expect(await rsj.expect<any[]>(200, 'GET', '/cart')).toHaveLength(0);
  await rsj.problem(422, 'CART_EMPTY', 'POST', '/requests', { ...REQUEST_BASE, deliveryMethod: 'download', fromCart: true });
  const providerView = (await scjgRev.expect(200, 'GET', '/requests?side=provider&status=pending&pageSize=100')).items as any[];
  expect(providerView.some((r) => r.batchId === batchId)).toBe(true);
  {
    const gajView = (await new Api(p.baseUrl, 'sharing', await p.login('gaj_rev')).expect(200, 'GET', '/requests?side=provider&pageSize=100')).items as any[];
    expect(gajView.every((r) => r.providerDeptId === gajView[0].providerDeptId)).toBe(true);
    expect(gajView.some((r) => r.batchId === batchId)).toBe(true);
  }
}, 60_000);

it('records every decision for the auditors (events carry the request and the outcome)', async () => {
  const names = ['sharing.request.submitted', 'sharing.request.decided', 'sharing.request.withdrawn', 'sharing.request.escalated', 'sharing.grant.created'];
  for (const n of names) expect((await eventsNamed(p, n)).length).toBeGreaterThan(0);
  expect(await accessEvents(p)).toEqual([]); // no data moved yet in this file
});
