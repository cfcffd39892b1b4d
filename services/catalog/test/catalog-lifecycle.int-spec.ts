import { WorkingDayCalendar, toShanghaiDate } from '@gov/shared';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { Api, compliantMetadata } from './catalog-fixtures';

/** A department's path from draft to published entry, review, versions and retirement, over HTTP. */
let p: TestPlatform;
let admin: Api;
let op: Api; // 市场监管局经办人
let rev: Api; // 市场监管局审核人
let otherOp: Api; // 人社局经办人
let systemId: string;

beforeAll(async () => {
  p = await startTestPlatform();
  const token = async (u: string) => new Api(p.baseUrl, await p.login(u));
  [admin, op, rev, otherOp] = await Promise.all([token('admin'), token('scjg_op'), token('scjg_rev'), token('rsj_op')]);
  systemId = (await op.expect(201, 'POST', '/systems', { name: '市场主体登记管理系统' })).id;
}, 60_000);
afterAll(async () => {
  await p?.close();
});

const outboxEvents = async (name: string, entryId: string) =>
  (await p.pool.query(`SELECT envelope->'payload' AS payload FROM catalog.outbox WHERE event_name = $1 AND envelope->'payload'->>'entryId' = $2 ORDER BY seq`, [name, entryId])).rows.map((r) => r.payload);

describe('draft and compliance self-check', () => {
  it('saves an incomplete draft and lists every missing element at once, field by field', async () => {
    const entry = await op.expect(201, 'POST', '/entries', { metadata: { name: '食品经营许可信息' } });
    expect(entry.status).toBe('draft');
    const fields = entry.working.findings.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['classification.classCode', 'abstract', 'format.classCode', 'share.type', 'open.type', 'updateCycle', 'securityGrade', 'domainCode', 'systemId']));
    expect(entry.working.findings.every((f: { zh: string }) => /[\u4e00-\u9fa5]/.test(f.zh))).toBe(true);

    const refused = await op.call('POST', `/entries/${entry.id}/submit`);
    expect(refused.status).toBe(422);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.code).toBe('CATALOG_NONCOMPLIANT');
    expect(refused.body.errors.length).toBe(entry.working.findings.filter((f: { severity: string }) => f.severity === 'error').length);
    expect((await op.expect(200, 'GET', `/entries/${entry.id}`)).status).toBe('draft');
  });

  it('refuses a wrong enumeration value at once, naming the field, and stores nothing', async () => {
    const before = (await p.pool.query(`SELECT count(*)::int AS n FROM catalog.catalog_entry`)).rows[0].n;
    const res = await op.call('POST', '/entries', { metadata: compliantMetadata(systemId, { share: { type: '部分共享' } as never }) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('metadata.share.type');
    expect((await p.pool.query(`SELECT count(*)::int AS n FROM catalog.catalog_entry`)).rows[0].n).toBe(before);
  });

  it('refuses an information system the department has not registered', async () => {
    const other = (await otherOp.expect(201, 'POST', '/systems', { name: '社保业务系统' })).id;
    const entry = await op.expect(201, 'POST', '/entries', { metadata: compliantMetadata(other) });
    expect(entry.working.findings).toEqual([expect.objectContaining({ field: 'systemId', code: 'SYSTEM_UNREGISTERED' })]);
  });
});

describe('review and publication', () => {
  it('publishes an approved entry with a generated resource code and an event carrying the version', async () => {
    const draft = await op.expect(201, 'POST', '/entries', { metadata: compliantMetadata(systemId) });
    expect(draft.working.findings).toEqual([]);
    const submitted = await op.expect(200, 'POST', `/entries/${draft.id}/submit`);
    expect(submitted.status).toBe('submitted');
    expect((await op.call('POST', `/entries/${draft.id}/approve`, {})).status).toBe(403);
    expect((await admin.expect(200, 'GET', '/reviews?pageSize=100')).items.map((e: { id: string }) => e.id)).toContain(draft.id);
    // Paged longest waiting first; department staff cannot read the queue.
    const queue = await admin.expect(200, 'GET', '/reviews?pageSize=1');
    expect(queue).toMatchObject({ page: 1, pageSize: 1 });
    expect(queue.total).toBeGreaterThanOrEqual(1);
    expect(queue.items).toHaveLength(1);
    expect((await op.call('GET', '/reviews')).status).toBe(403);

    const published = await admin.expect(200, 'POST', `/entries/${draft.id}/approve`, { comment: '同意发布' });
    expect(published.status).toBe('published');
    expect(published.resourceCode).toMatch(/^201001\/\d{6}$/);
    expect(published.published.metadata.publishDate).toBe(toShanghaiDate(new Date()));

    const [event] = await outboxEvents('catalog.entry.published', draft.id);
    expect(event).toMatchObject({ version: 1, resourceCode: published.resourceCode, providerCode: expect.stringMatching(/^11420700/), metadata: { name: '市场主体登记信息' } });
    const names = (await p.pool.query(`SELECT event_name AS name FROM catalog.outbox WHERE envelope->'payload'->>'entryId' = $1 ORDER BY seq`, [draft.id])).rows.map((r) => r.name);
    expect(names).toEqual(['catalog.entry.drafted', 'catalog.entry.submitted', 'catalog.entry.published']);
  });

  it('returns with comments per field; the department edits and resubmits', async () => {
    const draft = await op.expect(201, 'POST', '/entries', { metadata: compliantMetadata(systemId, { name: '特种设备登记信息' }) });
    await op.expect(200, 'POST', `/entries/${draft.id}/submit`);
    expect((await admin.call('POST', `/entries/${draft.id}/return`, {})).body.code).toBe('REVIEW_COMMENTS_REQUIRED');
    const returned = await admin.expect(200, 'POST', `/entries/${draft.id}/return`, { summary: '请补充', fields: { abstract: '摘要应说明数据范围和起止时间' } });
    expect(returned.status).toBe('returned');
    expect(returned.working.reviewComments.fields.abstract).toBe('摘要应说明数据范围和起止时间');
    expect((await admin.call('POST', `/entries/${draft.id}/approve`, {})).status).toBe(409);

    await op.expect(200, 'PUT', `/entries/${draft.id}`, { metadata: compliantMetadata(systemId, { name: '特种设备登记信息', abstract: '2015 年以来全市特种设备的使用登记信息。' }) });
    await op.expect(200, 'POST', `/entries/${draft.id}/submit`);
    const published = await admin.expect(200, 'POST', `/entries/${draft.id}/approve`, {});
    expect(published.status).toBe('published');
    expect((await outboxEvents('catalog.entry.returned', draft.id))[0]).toMatchObject({ version: 1, comment: '请补充' });
  });

  it('changes a published entry through a reviewed new version, with history and a field-level diff', async () => {
    const draft = await op.expect(201, 'POST', '/entries', { metadata: compliantMetadata(systemId, { name: '企业年报信息' }) });
    await op.expect(200, 'POST', `/entries/${draft.id}/submit`);
    const v1 = await admin.expect(200, 'POST', `/entries/${draft.id}/approve`, {});
    expect((await op.call('PUT', `/entries/${draft.id}`, { metadata: compliantMetadata(systemId) })).status).toBe(409);

    const change = await op.expect(201, 'POST', `/entries/${draft.id}/versions`, { reason: '新增信息项' });
    expect(change).toMatchObject({ status: 'published', changeStatus: 'draft', latestVersion: 2, publishedVersion: 1 });
    const items = [...v1.published.metadata.items, { name: '从业人数', dataType: 'I', length: 10 }];
    await op.expect(200, 'PUT', `/entries/${draft.id}`, { metadata: { ...v1.published.metadata, name: '企业年度报告信息', items } });
    // Readers still see version 1 while version 2 is under way.
    const seen = await otherOp.expect(200, 'GET', `/entries?q=${encodeURIComponent('企业年报')}`);
    expect(seen.hits.map((h: { entryId: string }) => h.entryId)).toContain(draft.id);

    await op.expect(200, 'POST', `/entries/${draft.id}/submit`);
    const v2 = await admin.expect(200, 'POST', `/entries/${draft.id}/approve`, {});
    expect(v2).toMatchObject({ publishedVersion: 2, changeStatus: null, resourceCode: v1.resourceCode });
    const versions = await op.expect(200, 'GET', `/entries/${draft.id}/versions`);
    expect(versions.map((v: { version: number; state: string }) => [v.version, v.state])).toEqual([[1, 'superseded'], [2, 'approved']]);
    const diff = await op.expect(200, 'GET', `/entries/${draft.id}/diff?from=1&to=2`);
    expect(diff.changes).toEqual(
      expect.arrayContaining([
        { field: 'name', change: 'modified', before: '企业年报信息', after: '企业年度报告信息' },
        { field: 'items[从业人数].length', change: 'added', after: 10 },
      ]),
    );
    expect((await outboxEvents('catalog.entry.published', draft.id)).map((e) => e.version)).toEqual([1, 2]);
  });

  it('retires with a reason; the code is never issued again', async () => {
    const draft = await op.expect(201, 'POST', '/entries', { metadata: compliantMetadata(systemId, { name: '广告经营许可信息', classification: { classCode: '2', itemCode: '05', categoryCode: '002' } }) });
    await op.expect(200, 'POST', `/entries/${draft.id}/submit`);
    const published = await admin.expect(200, 'POST', `/entries/${draft.id}/approve`, {});
    expect(published.resourceCode).toBe('205002/000001');
    expect((await op.call('POST', `/entries/${draft.id}/retire`, { reason: '职能划转' })).status).toBe(403);
    const retired = await rev.expect(200, 'POST', `/entries/${draft.id}/retire`, { reason: '职能划转' });
    expect(retired).toMatchObject({ status: 'retired', retiredReason: '职能划转', resourceCode: '205002/000001' });

    const next = await op.expect(201, 'POST', '/entries', { metadata: compliantMetadata(systemId, { name: '户外广告登记信息', classification: { classCode: '2', itemCode: '05', categoryCode: '002' } }) });
    await op.expect(200, 'POST', `/entries/${next.id}/submit`);
    expect((await admin.expect(200, 'POST', `/entries/${next.id}/approve`, {})).resourceCode).toBe('205002/000002');
    expect((await outboxEvents('catalog.entry.retired', draft.id))[0]).toMatchObject({ comment: '职能划转', status: 'retired' });
  });
});

describe('visibility', () => {
  it('hides other departments’ drafts and shows published entries to all staff', async () => {
    const draft = await op.expect(201, 'POST', '/entries', { metadata: compliantMetadata(systemId, { name: '内部草稿信息' }) });
    expect((await otherOp.call('GET', `/entries/${draft.id}`)).status).toBe(404);
    expect((await otherOp.call('PUT', `/entries/${draft.id}`, { metadata: {} })).status).toBe(404);
    expect((await otherOp.expect(200, 'GET', '/entries?status=draft')).hits.map((h: { entryId: string }) => h.entryId)).not.toContain(draft.id);
    expect((await op.expect(200, 'GET', '/entries?status=draft')).hits.map((h: { entryId: string }) => h.entryId)).toContain(draft.id);
    expect((await admin.expect(200, 'GET', '/entries?status=draft')).hits.map((h: { entryId: string }) => h.entryId)).toContain(draft.id);
  });
});

describe('deadlines in working days', () => {
  it('opens a 20-working-day limit for a new system, meets it on submission and flags overdue ones', async () => {
    const system = await op.expect(201, 'POST', '/systems', { name: '信用监管系统' });
    const [deadline] = (await op.expect(200, 'GET', '/deadlines?status=open&pageSize=100')).items.filter((d: { subjectId: string }) => d.subjectId === system.id);
    expect(deadline).toMatchObject({ kind: 'register_linked_resource', limitWorkingDays: 20 });
    expect(deadline.dueOn).toBe(new WorkingDayCalendar().addWorkingDays(toShanghaiDate(new Date()), 20));
    expect(deadline.remainingWorkingDays).toBe(20);

    // Another system whose limit has passed is flagged once, with an event.
    const late = await op.expect(201, 'POST', '/systems', { name: '网络交易监测系统' });
    await p.pool.query(`UPDATE catalog.deadline SET due_on = current_date - 10 WHERE subject_id = $1`, [late.id]);
    expect((await admin.expect(200, 'POST', '/deadlines/sweep')).flagged).toBe(1);
    expect((await admin.expect(200, 'POST', '/deadlines/sweep')).flagged).toBe(0);
    const overdue = (await op.expect(200, 'GET', '/deadlines?status=overdue')).items;
    expect(overdue.map((d: { subjectId: string }) => d.subjectId)).toEqual([late.id]);
    expect(overdue[0].remainingWorkingDays).toBeLessThan(0);
    expect((await otherOp.expect(200, 'GET', '/deadlines?status=overdue')).total).toBe(0);
    expect((await admin.expect(200, 'GET', '/deadlines?status=overdue&pageSize=100')).items.map((d: { subjectId: string }) => d.subjectId)).toContain(late.id);
    const events = await p.pool.query(`SELECT envelope->'payload' AS payload FROM catalog.outbox WHERE event_name = 'catalog.deadline.overdue'`);
    expect(events.rows.map((r) => r.payload.subjectId)).toEqual([late.id]);

    const entry = await op.expect(201, 'POST', '/entries', { metadata: compliantMetadata(system.id, { name: '信用监管信息' }) });
    await op.expect(200, 'POST', `/entries/${entry.id}/submit`);
    const met = (await op.expect(200, 'GET', '/deadlines?status=met&pageSize=100')).items.map((d: { subjectId: string }) => d.subjectId);
    expect(met).toContain(system.id);

    // Paged earliest due first with an id tie-break: one-item pages walk the same order as one big page.
    const all = await op.expect(200, 'GET', '/deadlines?pageSize=100');
    expect(all.total).toBeGreaterThanOrEqual(3);
    const walked: string[] = [];
    for (const page of [1, 2, 3]) walked.push(...(await op.expect(200, 'GET', `/deadlines?page=${page}&pageSize=1`)).items.map((d: { id: string }) => d.id));
    expect(walked).toEqual(all.items.slice(0, 3).map((d: { id: string }) => d.id));
    expect(all.items.map((d: { dueOn: string }) => d.dueOn)).toEqual([...all.items.map((d: { dueOn: string }) => d.dueOn)].sort());
  });
});
