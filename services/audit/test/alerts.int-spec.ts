import { GrantChangedV1 } from '@gov/shared';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { AlertsService } from '../src/alerts/alerts.service';
import { access, AuditApi, auditLogOf, logged, publish, user, uuid } from './audit-fixtures';

jest.setTimeout(180_000);

const DAY = 86_400_000;

function grant(overrides: Partial<GrantChangedV1> = {}): GrantChangedV1 {
  return Object.assign(new GrantChangedV1(), {
    grantId: uuid(),
    requestId: uuid(),
    entryId: uuid(),
    consumerDeptId: uuid(),
    providerDeptId: uuid(),
    status: 'active',
    items: ['企业名称', '营业执照号'],
    validTo: '2099-12-31',
    deliveryMethod: 'interface',
    at: new Date().toISOString(),
    ...overrides,
  });
}

describe('audit alerts', () => {
  let p: TestPlatform;
  let auditor: AuditApi;

  beforeAll(async () => {
    p = await startTestPlatform({ seedDemo: true });
    auditor = new AuditApi(p.baseUrl, await p.login('auditor'));
  });
  afterAll(async () => p?.close());

  /** Publishes accesses and waits until they, and any alert they raise, are in the log. */
  async function accesses(list: Parameters<typeof publish<'sharing.data.accessed'>>[]): Promise<void> {
    let last = '';
    for (const args of list) last = (await publish(...args)).id;
    await logged(p, last);
    await auditLogOf(p).flush();
  }

  const alertsFor = async (rule: string, match: (a: any) => boolean) => ((await auditor.expect(200, 'GET', `/alerts?rule=${rule}&pageSize=100`)).items as any[]).filter(match);

  it('outside a grant: items not granted, after validity, and a refusal for scope', async () => {
    const g = grant();
    const expired = grant({ validTo: '2020-01-01' });
    await logged(p, (await publish(p, 'sharing.grant.created', g)).id);
    await logged(p, (await publish(p, 'sharing.grant.created', expired)).id);
    const who = user('u-scope');
    await accesses([
      [p, 'sharing.data.accessed', access({ grantId: g.grantId, fields: ['企业名称'] }), { actor: who }],
      [p, 'sharing.data.accessed', access({ grantId: g.grantId, fields: ['企业名称', '法定代表人身份证号'] }), { actor: who }],
      [p, 'sharing.data.accessed', access({ grantId: expired.grantId, fields: ['企业名称'] }), { actor: who }],
      [p, 'sharing.data.accessed', access({ grantId: g.grantId, outcome: 'denied', reasonCode: 'GRANT_SCOPE_VIOLATION', rowCount: 0 }), { actor: who }],
    ]);
    const found = await alertsFor('outside_grant', (a) => a.subject.actorId === 'u-scope');
    expect(found.map((a) => a.title.en).sort()).toEqual([
      'access outside the grant refused (GRANT_SCOPE_VIOLATION)',
      'data read after the grant\'s validity (until 2020-01-01)',
      'read items outside the grant: 法定代表人身份证号',
    ]);
  });

  it('reads after revocation', async () => {
    const g = grant();
    await logged(p, (await publish(p, 'sharing.grant.created', g)).id);
    await accesses([[p, 'sharing.data.accessed', access({ grantId: g.grantId }), { actor: user('u-revoked') }]]);
    expect(await alertsFor('read_after_revocation', (a) => a.subject.grantId === g.grantId)).toHaveLength(0);
    await logged(p, (await publish(p, 'sharing.grant.revoked', { ...g, status: 'revoked', reason: '使用方违规', at: new Date().toISOString() })).id);
    await accesses([[p, 'sharing.data.accessed', access({ grantId: g.grantId }), { actor: user('u-revoked') }]]);
    const found = await alertsFor('read_after_revocation', (a) => a.subject.grantId === g.grantId);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'high', status: 'open' });
  });

  it('volume far above the actor’s own baseline (and not for a steady heavy reader)', async () => {
    await auditor.expect(200, 'PUT', '/alerts/rules/volume_spike', { params: { factor: 3, minAccesses: 10, baselineDays: 3 } });
    const now = Date.now();
    const quiet = user('u-quiet');
    const heavy = user('u-heavy');
    const history: Parameters<typeof publish<'sharing.data.accessed'>>[] = [];
    for (let d = 1; d <= 3; d++) {
      history.push([p, 'sharing.data.accessed', access(), { actor: quiet, occurredAt: new Date(now - d * DAY) }]);
      for (let i = 0; i < 9; i++) history.push([p, 'sharing.data.accessed', access(), { actor: heavy, occurredAt: new Date(now - d * DAY) }]);
    }
    await accesses(history);
    const today: Parameters<typeof publish<'sharing.data.accessed'>>[] = [];
    for (let i = 0; i < 12; i++) today.push([p, 'sharing.data.accessed', access(), { actor: quiet }], [p, 'sharing.data.accessed', access(), { actor: heavy }]);
    await accesses(today);
    const spikes = await alertsFor('volume_spike', (a) => ['u-quiet', 'u-heavy'].includes(a.subject.actorId));
    expect(spikes.map((a) => a.subject.actorId)).toEqual(['u-quiet']);
    expect(spikes[0].subject.today).toBeGreaterThanOrEqual(10);
  });

  it('bulk downloads by one key', async () => {
    await auditor.expect(200, 'PUT', '/alerts/rules/bulk_download', { params: { maxDownloads: 5, maxRows: 1_000_000 } });
    const appId = uuid();
    const dl = () => access({ channel: 'open', kind: 'download', appId, keyPrefix: 'gk_bulk01', rowCount: 5000 });
    const app = { type: 'app' as const, id: appId, name: '测试应用' };
    await accesses([1, 2, 3, 4].map(() => [p, 'open.data.accessed' as any, dl(), { actor: app }]));
    expect(await alertsFor('bulk_download', (a) => a.subject.appId === appId)).toHaveLength(0);
    await accesses([[p, 'open.data.accessed' as any, dl(), { actor: app }]]);
    const found = await alertsFor('bulk_download', (a) => a.subject.appId === appId);
    expect(found).toHaveLength(1);
    expect(found[0].subject).toMatchObject({ key: 'gk_bulk01', downloads: 5, rows: 25000 });
  });

  it('access at unusual hours (local time)', async () => {
    const day = new Date().toISOString().slice(0, 10);
    await accesses([
      [p, 'sharing.data.accessed', access(), { actor: user('u-night'), occurredAt: new Date(`${day}T03:30:00+08:00`) }],
      [p, 'sharing.data.accessed', access(), { actor: user('u-day'), occurredAt: new Date(`${day}T10:30:00+08:00`) }],
    ]);
    const found = await alertsFor('unusual_hours', (a) => ['u-night', 'u-day'].includes(a.subject.actorId));
    expect(found.map((a) => [a.subject.actorId, a.subject.hour])).toEqual([['u-night', 3]]);
  });

  it('repeated 403s: refused data accesses, and refusals of the audit log itself', async () => {
    const who = user('u-denied');
    const denied = () => access({ outcome: 'denied', reasonCode: 'NO_GRANT', rowCount: 0 });
    await accesses([1, 2, 3, 4].map(() => [p, 'sharing.data.accessed', denied(), { actor: who }]));
    expect(await alertsFor('repeated_denials', (a) => a.subject.actorId === 'u-denied')).toHaveLength(0);
    await accesses([[p, 'sharing.data.accessed', denied(), { actor: who }]]);
    expect(await alertsFor('repeated_denials', (a) => a.subject.actorId === 'u-denied')).toHaveLength(1);

    // A department operator knocking at the audit log five times.
    const op = new AuditApi(p.baseUrl, await p.login('scjg_op'));
    for (let i = 0; i < 5; i++) expect((await op.call('GET', '/traces')).status).toBe(403);
    const opId = ((await (await fetch(`${p.baseUrl}/api/catalog/auth/me`, { headers: { authorization: `Bearer ${await p.login('scjg_op')}` } })).json()) as any).userId;
    const log = auditLogOf(p);
    let found: any[] = [];
    for (let i = 0; i < 50 && !found.length; i++) {
      await log.flush();
      found = await alertsFor('repeated_denials', (a) => a.subject.actorId === opId);
      if (!found.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toHaveLength(1);
    const refusals = await auditor.expect(200, 'GET', `/traces?eventName=audit.access.refused&actorId=${opId}`);
    expect(refusals.items).toHaveLength(5);
    expect(refusals.items[0]).toMatchObject({ outcome: 'denied', actor: { type: 'user', id: opId }, payload: { path: '/api/audit/traces', code: 'FORBIDDEN' } });
  });

  it('personal-data reads above the daily threshold', async () => {
    await auditor.expect(200, 'PUT', '/alerts/rules/personal_data_reads', { params: { maxAccessesPerDay: 3 } });
    const who = user('u-personal');
    const read = () => access({ personalData: true, fields: ['姓名', '身份证号'], rowCount: 2 });
    await accesses([1, 2, 3].map(() => [p, 'sharing.data.accessed', read(), { actor: who }]));
    await accesses([[p, 'sharing.data.accessed', access({ personalData: false }), { actor: who }]]);
    expect(await alertsFor('personal_data_reads', (a) => a.subject.actorId === 'u-personal')).toHaveLength(0);
    await accesses([[p, 'sharing.data.accessed', read(), { actor: who }]]);
    const found = await alertsFor('personal_data_reads', (a) => a.subject.actorId === 'u-personal');
    expect(found).toHaveLength(1);
    expect(found[0].subject).toMatchObject({ reads: 4, rows: 8 });
  });

  it('rules resume from their cursor: evaluating records again raises nothing twice', async () => {
    const before = (await auditor.expect(200, 'GET', '/alerts')).total;
    expect(before).toBeGreaterThanOrEqual(9);
    // Paged newest first with an id tie-break: two-alert pages walk the same order as one big page.
    const all = await auditor.expect(200, 'GET', '/alerts?pageSize=100');
    expect(all).toMatchObject({ total: before, page: 1, pageSize: 100 });
    const walked: string[] = [];
    for (let page = 1; page <= Math.ceil(Math.min(before, 10) / 2); page++) walked.push(...(await auditor.expect(200, 'GET', `/alerts?page=${page}&pageSize=2`)).items.map((a: any) => a.id));
    expect(walked).toEqual(all.items.slice(0, walked.length).map((a: any) => a.id));
    const open = await auditor.expect(200, 'GET', '/alerts?status=open&rule=personal_data_reads&pageSize=100');
    expect(open.items.every((a: any) => a.status === 'open' && a.rule === 'personal_data_reads')).toBe(true);
    expect((await auditor.call('GET', '/alerts?limit=1000')).status).toBe(400);
    await p.pool.query(`UPDATE audit.alert_cursor SET upto = 0`);
    await p.server.apps.audit.get(AlertsService).catchUp();
    expect((await auditor.expect(200, 'GET', '/alerts')).total).toBe(before);
    const { rows } = await p.pool.query(`SELECT upto FROM audit.alert_cursor`);
    expect(Number(rows[0].upto)).toBeGreaterThan(0);
  });

  it('an alert goes open → acknowledged → closed with a note, and every step is an audit record', async () => {
    const [alert] = await alertsFor('personal_data_reads', (a) => a.subject.actorId === 'u-personal');
    expect((await auditor.call('POST', `/alerts/${alert.id}/close`, { note: '未确认即关闭' })).status).toBe(409);
    const acked = await auditor.expect(200, 'POST', `/alerts/${alert.id}/acknowledge`);
    expect(acked.status).toBe('acknowledged');
    expect((await auditor.call('POST', `/alerts/${alert.id}/close`, {})).status).toBe(400);
    const closed = await auditor.expect(200, 'POST', `/alerts/${alert.id}/close`, { note: '经核实为业务需要，已补办授权' });
    expect(closed).toMatchObject({ status: 'closed', note: '经核实为业务需要，已补办授权' });
    expect((await auditor.call('POST', `/alerts/${alert.id}/acknowledge`)).status).toBe(409);
    await auditLogOf(p).flush();
    const trail = await auditor.expect(200, 'GET', `/traces?objectId=${alert.id}`);
    expect(trail.items.map((r: any) => r.eventName).reverse()).toEqual(['audit.alert.raised', 'audit.alert.acknowledged', 'audit.alert.closed']);
    expect(trail.items[0].payload.note).toBe('经核实为业务需要，已补办授权');
    // Other roles see no alerts at all.
    expect((await new AuditApi(p.baseUrl, await p.login('admin')).call('GET', '/alerts')).status).toBe(403);
  });
});
