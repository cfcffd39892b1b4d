import type { EventName, PayloadOf } from '@gov/shared';
import ExcelJS from 'exceljs';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { AuditApi, auditLogOf, logged, publish, user, uuid } from './audit-fixtures';

jest.setTimeout(120_000);

/** Local time (UTC+8) → instant. */
const at = (local: string) => new Date(`${local}+08:00`);

describe('assessment report (考核评估) for a seeded month, against hand-computed figures', () => {
  let p: TestPlatform;
  let auditor: AuditApi;
  const A = uuid();
  const B = uuid();

  beforeAll(async () => {
    p = await startTestPlatform();
    auditor = new AuditApi(p.baseUrl, await p.login('auditor'));
    const who = user('u-seed');
    // Each seeded event is a typed contract; sent in order, each at its own local time.
    const events: (() => Promise<{ id: string }>)[] = [];
    const ev = <N extends EventName>(name: N, payload: PayloadOf<N>, local: string) => events.push(() => publish(p, name, payload, { actor: who, occurredAt: at(local) }));
    ev('org.department.registered', { deptId: A, name: '甲局', creditCode: '11420700MB1512345X', regionCode: '420702', level: 'district' }, '2026-02-01T09:00:00');
    ev('org.department.registered', { deptId: B, name: '乙局', creditCode: '11420700MB1512346X', regionCode: '420703', level: 'district' }, '2026-02-01T09:00:00');
    const entry = (id: string, dept: string, open: string, method: string, local: string) =>
      ev('catalog.entry.published', { entryId: id, version: 1, deptId: dept, name: '目录', status: 'published', actorId: 'u', at: at(local).toISOString(), resourceCode: '201001/000001', deptName: '部门', providerCode: '11420700MB1512345X', regionCode: '420700', metadata: { open: { type: open }, share: { methodType: method } }, publishedAt: at(local).toISOString() }, local);
    const [a1, a2, a3, a4, a5, b1, b2] = Array.from({ length: 7 }, uuid);
    entry(a1, A, 'UNCONDITIONAL', 'API', '2026-02-10T10:00:00');
    entry(a2, A, 'NOT_OPEN', 'API', '2026-03-05T10:00:00');
    entry(a3, A, 'CONDITIONAL', 'DOWNLOAD', '2026-03-10T10:00:00');
    entry(a4, A, 'UNCONDITIONAL', 'API', '2026-02-20T10:00:00');
    ev('catalog.entry.retired', { entryId: a4, version: 1, deptId: A, name: '目录', status: 'retired', actorId: 'u', at: at('2026-03-15T10:00:00').toISOString() }, '2026-03-15T10:00:00');
    entry(a5, A, 'UNCONDITIONAL', 'API', '2026-04-02T10:00:00');
    entry(b1, B, 'NOT_OPEN', 'API', '2026-03-01T00:30:00');
    entry(b2, B, 'UNCONDITIONAL', 'DOWNLOAD', '2026-02-28T23:30:00');
    const decided = (provider: string, local: string, dueDate: string) =>
      ev('sharing.request.decided', { requestId: uuid(), batchId: uuid(), entryId: uuid(), requesterDeptId: uuid(), providerDeptId: provider, shareType: 'CONDITIONAL', status: 'approved', items: ['x'], dueDate, decision: 'approve', at: at(local).toISOString() }, local);
    decided(A, '2026-03-03T10:00:00', '2026-03-05');
    decided(A, '2026-03-20T10:00:00', '2026-03-18');
    decided(A, '2026-02-25T10:00:00', '2026-03-01');
    decided(B, '2026-03-31T23:00:00', '2026-03-31');
    const [d1, d2, d3, d4] = Array.from({ length: 4 }, uuid);
    const dataset = (id: string, dept: string, local: string) => ev('ingest.dataset.created', { datasetId: id, entryId: uuid(), deptId: dept, resourceCode: 'r', name: 'd' }, local);
    dataset(d1, A, '2026-02-02T10:00:00');
    dataset(d2, A, '2026-02-03T10:00:00');
    dataset(d3, A, '2026-04-03T10:00:00');
    dataset(d4, B, '2026-03-02T10:00:00');
    ev('ingest.dataset.overdue', { datasetId: d1, deptId: A, updateCycle: 'MONTHLY' }, '2026-03-08T10:00:00');
    ev('ingest.dataset.overdue', { datasetId: d4, deptId: B, updateCycle: 'DAILY' }, '2026-04-02T10:00:00');
    const quality = (dept: string, ds: string, score: number, local: string) => ev('ingest.quality.reported', { datasetId: ds, deptId: dept, version: 1, score, grade: 'B', report: {} }, local);
    quality(A, d1, 80, '2026-03-04T10:00:00');
    quality(A, d2, 90, '2026-03-06T10:00:00');
    quality(A, d2, 50, '2026-02-06T10:00:00');
    quality(B, d4, 70, '2026-03-07T10:00:00');
    const rect = (status: 'open' | 'closed', dueOn: string, local: string) => ev('ingest.rectification.changed', { taskId: uuid(), datasetId: d1, deptId: A, status, dueOn }, local);
    rect('closed', '2026-03-12', '2026-03-10T10:00:00');
    rect('closed', '2026-03-20', '2026-03-25T10:00:00');
    rect('open', '2026-03-20', '2026-03-01T10:00:00');
    const [f1, f2, f3] = Array.from({ length: 3 }, uuid);
    const fb = (id: string, status: 'open' | 'answered', local: string) => ev('open.feedback.changed', { feedbackId: id, kind: 'error_report', deptId: A, status, dueOn: '2026-04-30' }, local);
    fb(f1, 'open', '2026-03-02T10:00:00');
    fb(f1, 'answered', '2026-03-04T10:00:00');
    fb(f2, 'open', '2026-03-28T10:00:00');
    fb(f3, 'open', '2026-02-10T10:00:00');
    fb(f3, 'answered', '2026-03-01T10:00:00');
    let last = '';
    for (const send of events) last = (await send()).id;
    await logged(p, last);
    await auditLogOf(p).flush();
  });
  afterAll(async () => p?.close());

  it('computes every figure, the composite score and the ranking', async () => {
    const r = await auditor.expect(200, 'GET', '/reports/assessment?period=2026-03');
    expect(r.period).toEqual({ label: '2026-03', kind: 'month', start: '2026-02-28T16:00:00.000Z', end: '2026-03-31T16:00:00.000Z' });
    const a = r.departments.find((d: any) => d.deptId === A);
    const b = r.departments.find((d: any) => d.deptId === B);
    // 甲局: a1, a2, a3 published at the end (a4 retired, a5 in April); a1, a4 at the start; a2, a3 new.
    expect(a).toMatchObject({
      name: '甲局', regionCode: '420702', entries: 3, entriesAtStart: 2, newEntries: 2,
      openEntries: 2, openRate: 0.6667, interfaceEntries: 2, interfaceShare: 0.6667,
      requestsDecided: 2, requestsOnTime: 1, requestsOnTimeRate: 0.5,
      datasets: 2, overdueDatasets: 1, timeliness: 0.5,
      qualityReports: 2, qualityScore: 85,
      rectificationsClosed: 2, rectificationsOnTime: 1, rectificationOnTimeRate: 0.5,
      feedbackReceived: 2, feedbackAnswered: 1, feedbackAnsweredRate: 0.5,
      // 100 × (.2×.6667 + .15×.6667 + .2×.5 + .15×.5 + .15×.85 + .1×.5 + .05×.5) = 61.0845
      score: 61.08, rank: 2,
    });
    // 乙局: b1 published 2026-03-01 00:30 local (in March), b2 on 02-28 23:30 local (before).
    expect(b).toMatchObject({
      entries: 2, entriesAtStart: 1, newEntries: 1, openEntries: 1, openRate: 0.5, interfaceShare: 0.5,
      requestsDecided: 1, requestsOnTime: 1, requestsOnTimeRate: 1, datasets: 1, overdueDatasets: 0, timeliness: 1,
      qualityScore: 70, rectificationOnTimeRate: null, feedbackAnsweredRate: null,
      // (.2×.5 + .15×.5 + .2×1 + .15×1 + .15×.7) / .85 × 100 = 74.1176
      score: 74.12, rank: 1,
    });
    expect(r.departments.slice(0, 2).map((d: any) => d.name)).toEqual(['乙局', '甲局']);
    expect(r.regions.map((x: any) => [x.regionCode, x.entries])).toEqual([['420702', 3], ['420703', 2]]);
    // Whole region: 5 entries, 3 open, 3 by interface, 2 of 3 requests on time, 1 of 3 datasets overdue, quality (80+90+70)/3.
    expect(r.total).toMatchObject({ entries: 5, entriesAtStart: 3, newEntries: 3, openRate: 0.6, interfaceShare: 0.6, requestsOnTimeRate: 0.6667, timeliness: 0.6667, qualityScore: 80, rectificationOnTimeRate: 0.5, feedbackAnsweredRate: 0.5, score: 63.83 });
  });

  it('quarters and years use the same records; other periods are refused', async () => {
    const q = await auditor.expect(200, 'GET', '/reports/assessment?period=2026-Q1');
    const a = q.departments.find((d: any) => d.deptId === A);
    // Q1 adds February: a1, a4 first published then too, r3 decided on time, the 50-point report.
    expect(a).toMatchObject({ entriesAtStart: 0, newEntries: 4, entries: 3, requestsDecided: 3, requestsOnTime: 2, qualityScore: 73.33, feedbackReceived: 3, feedbackAnswered: 2 });
    const y = await auditor.expect(200, 'GET', '/reports/assessment?period=2026');
    const ya = y.departments.find((d: any) => d.deptId === A);
    expect(ya).toMatchObject({ entries: 4, newEntries: 5 });
    // Ingest really created a dataset for each entry published above when it consumed them (today).
    expect(ya.datasets).toBeGreaterThanOrEqual(3);
    expect((await auditor.call('GET', '/reports/assessment?period=2026-13')).status).toBe(400);
  });

  it('exports the ranking to XLSX; the data bureau may read it, a department may not', async () => {
    const admin = await p.login('admin');
    const res = await fetch(`${p.baseUrl}/api/audit/reports/assessment.xlsx?period=2026-03`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as any);
    const sheet = wb.getWorksheet('部门排名')!;
    const values = sheet.getSheetValues().filter(Boolean).map((row: any) => row.slice(1));
    expect(values[0].slice(0, 4)).toEqual(['排名', '部门', '行政区划', '综合得分']);
    expect(values.slice(1, 3).map((v: any[]) => [v[0], v[1], v[3]])).toEqual([[1, '乙局', 74.12], [2, '甲局', 61.08]]);
    expect(values[values.length - 1][1]).toBe('全市合计');
    expect((await new AuditApi(p.baseUrl, await p.login('scjg_op')).call('GET', '/reports/assessment?period=2026-03')).status).toBe(403);
  });
});
