import type { CatalogMetadata, DataItem } from '@gov/shared';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { Api, compliantMetadata } from './catalog-fixtures';

/**
 * 一数一源 over HTTP: the data bureau designates the 数源部门 of a data element; another department
 * that catalogs the element is told where to request it, may only submit with a justification,
 * and lands on the conflicts list; near-duplicate entries of two departments are listed with a
 * score; the bureau resolves conflicts by designating the source, merging or noting a justification.
 */
let p: TestPlatform;
let admin: Api;
let scjg: Api; // 市场监管局经办人
let rsj: Api; // 人社局经办人
let gaj: Api; // 公安局经办人 (unrelated to the conflicts below)
const dept: Record<string, { id: string; name: string }> = {};
const system: Record<string, string> = {};

beforeAll(async () => {
  p = await startTestPlatform();
  const token = async (u: string) => new Api(p.baseUrl, await p.login(u));
  [admin, scjg, rsj, gaj] = await Promise.all([token('admin'), token('scjg_op'), token('rsj_op'), token('gaj_op')]);
  for (const [code, api] of [['scjg', scjg], ['rsj', rsj], ['gaj', gaj]] as const) {
    const me = await api.expect(200, 'GET', '/auth/me');
    dept[code] = { id: me.deptId, name: me.deptName };
    system[code] = (await api.expect(201, 'POST', '/systems', { name: `${code}业务系统（一数一源测试）` })).id;
  }
}, 60_000);
afterAll(async () => {
  await p?.close();
});

const item = (name: string, dataType = 'C', length: number | undefined = 50, extra: Partial<DataItem> = {}): DataItem => ({ name, dataType, ...(dataType === 'D' ? {} : { length }), ...extra });
const meta = (code: string, name: string, items: DataItem[], over: Partial<CatalogMetadata> = {}) =>
  compliantMetadata(system[code], { name, abstract: `${name}（一数一源测试数据）`, items, tags: [], domainCode: code === 'rsj' ? '02' : '01', ...over });

async function draft(api: Api, metadata: CatalogMetadata) {
  return api.expect(201, 'POST', '/entries', { metadata });
}
async function publish(api: Api, metadata: CatalogMetadata) {
  const d = await draft(api, metadata);
  await api.expect(200, 'POST', `/entries/${d.id}/submit`);
  return admin.expect(200, 'POST', `/entries/${d.id}/approve`, {});
}
const element = async (code: string) => (await admin.expect(200, 'GET', `/data-elements?q=${code}`)).items.find((e: { code: string }) => e.code === code);
const conflictsOf = async (api: Api, query = '') => (await api.expect(200, 'GET', `/conflicts${query}${query ? '&' : '?'}pageSize=100`)).items as any[];

const USCC = { name: '统一社会信用代码', aliases: ['社会信用代码', '信用代码'], description: '法人和其他组织统一社会信用代码' };

describe('数源部门 and duplicate collection', () => {
  let source: any; // 市场监管局's published entry with 统一社会信用代码
  let duplicate: any; // 人社局's entry collecting it again
  let conflict: any;

  it('lists departments with ids; a user’s department is the one /auth/me names', async () => {
    const departments = await admin.expect(200, 'GET', '/departments');
    const byId = new Map(departments.map((d: { id: string; name: string }) => [d.id, d.name]));
    expect(byId.get(dept.scjg.id)).toBe('示范市市场监督管理局');
    expect(byId.get(dept.rsj.id)).toBe('示范市人力资源和社会保障局');
    expect(departments.find((d: { code: string }) => d.code === 'scjg').id).toBe(dept.scjg.id);
  });

  it('only the data bureau designates the source department of an element', async () => {
    const refused = await scjg.call('PUT', '/data-elements/USCC', { ...USCC, sourceDeptId: dept.scjg.id });
    expect(refused.status).toBe(403);
    expect(refused.type).toContain('application/problem+json');

    // Clearing the source also clears its source entry; naming a department again starts without one.
    const cleared = await admin.expect(200, 'PUT', '/data-elements/USCC', USCC);
    expect(cleared).toMatchObject({ code: 'USCC', sourceDeptId: null, sourceEntryId: null });
    // The register pages by code; q matches a part of the code or the name.
    const all = await scjg.expect(200, 'GET', '/data-elements?pageSize=100');
    expect(all.items.map((e: any) => e.code)).toEqual([...all.items.map((e: any) => e.code)].sort());
    const first = await scjg.expect(200, 'GET', '/data-elements?pageSize=1');
    expect(first).toMatchObject({ total: all.total, page: 1, pageSize: 1, items: [{ code: all.items[0].code }] });
    expect((await scjg.expect(200, 'GET', `/data-elements?q=${encodeURIComponent('信用代码')}`)).items.map((e: any) => e.code)).toContain('USCC');
    expect((await scjg.expect(200, 'GET', '/data-elements?q=uscc')).items.map((e: any) => e.code)).toEqual(['USCC']);
    expect((await scjg.expect(200, 'GET', `/data-elements?q=${encodeURIComponent('社会信用代码')}&pageSize=100`)).items.map((e: any) => e.code)).toContain('USCC');
    const designated = await admin.expect(200, 'PUT', '/data-elements/USCC', { ...USCC, sourceDeptId: dept.scjg.id });
    expect(designated).toMatchObject({ code: 'USCC', name: '统一社会信用代码', aliases: USCC.aliases, sourceDeptId: dept.scjg.id, sourceEntryId: null });
    expect(await element('USCC')).toMatchObject({ sourceDeptId: dept.scjg.id, sourceEntryId: null });

    expect((await admin.call('PUT', '/data-elements/USCC', { ...USCC, sourceDeptId: '00000000-0000-4000-8000-000000000000' })).status).toBe(422);
    expect((await admin.call('PUT', '/data-elements/uscc', USCC)).status).toBe(400);
    expect((await element('USCC')).sourceDeptId).toBe(dept.scjg.id);
  });

  it('the source department’s published entry with the element becomes its source entry', async () => {
    const own = await draft(scjg, meta('scjg', '法人单位基本信息', [item('统一社会信用代码', 'C', 18), item('登记机关', 'C', 100), item('成立日期', 'D')], { classification: { classCode: '1', itemCode: '02', categoryCode: '001' } }));
    expect(own.working.findings).toEqual([]); // the source department collects its own element
    expect((await element('USCC')).sourceEntryId).toBeNull(); // a draft is not a source yet
    await scjg.expect(200, 'POST', `/entries/${own.id}/submit`);
    source = await admin.expect(200, 'POST', `/entries/${own.id}/approve`, {});
    expect(source.resourceCode).toMatch(/^102001\/\d{6}$/);
    expect(await element('USCC')).toMatchObject({ sourceDeptId: dept.scjg.id, sourceEntryId: source.id });

    // A later entry of the same department does not take the place of the first.
    const later = await publish(scjg, meta('scjg', '企业年度报告公示信息', [item('统一社会信用代码', 'C', 18), item('年报年度', 'C', 4)]));
    expect(later.status).toBe('published');
    expect((await element('USCC')).sourceEntryId).toBe(source.id);
  });

  it('another department cataloguing the element (by an alias) is told to request it from the source entry', async () => {
    duplicate = await draft(rsj, meta('rsj', '用人单位参保登记信息', [item('社会信用代码', 'C', 18), item('参保人数', 'I', 8), item('参保登记日期', 'D')]));
    const findings = duplicate.working.findings;
    expect(findings.map((f: any) => [f.field, f.code, f.severity])).toEqual([['items[0]', 'ONE_SOURCE_DUPLICATE', 'error']]);
    const [f] = findings;
    expect(f.zh).toContain('示范市市场监督管理局');
    expect(f.zh).toContain('法人单位基本信息');
    expect(f.zh).toContain(source.resourceCode);
    expect(f.detail).toMatchObject({ elementCode: 'USCC', sourceDeptId: dept.scjg.id, deptName: '示范市市场监督管理局', entryId: source.id, entryName: '法人单位基本信息', resourceCode: source.resourceCode });
  });

  it('refuses to submit the duplicate without a justification', async () => {
    const refused = await rsj.call('POST', `/entries/${duplicate.id}/submit`);
    expect(refused.status).toBe(422);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.code).toBe('CATALOG_NONCOMPLIANT');
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'items[0]', code: 'ONE_SOURCE_DUPLICATE' })]);
    expect((await rsj.expect(200, 'GET', `/entries/${duplicate.id}`)).status).toBe('draft');
    expect((await conflictsOf(admin)).filter((c) => c.entryId === duplicate.id)).toEqual([]);
  });

  it('with a justification the duplicate is a warning, submission goes through and the bureau’s conflicts list has it', async () => {
    const justification = '办理参保登记时由用人单位当面提交营业执照原件核验';
    const items = [item('社会信用代码', 'C', 18, { duplicateJustification: justification }), item('参保人数', 'I', 8), item('参保登记日期', 'D')];
    const saved = await rsj.expect(200, 'PUT', `/entries/${duplicate.id}`, { metadata: meta('rsj', '用人单位参保登记信息', items) });
    expect(saved.working.findings.map((f: any) => [f.field, f.code, f.severity])).toEqual([['items[0]', 'ONE_SOURCE_DUPLICATE_JUSTIFIED', 'warning']]);
    expect((await rsj.expect(200, 'POST', `/entries/${duplicate.id}/submit`)).status).toBe('submitted');

    const listed = (await conflictsOf(admin, '?kind=duplicate_collection')).filter((c) => c.entryId === duplicate.id);
    expect(listed).toHaveLength(1);
    conflict = listed[0];
    expect(conflict).toMatchObject({
      kind: 'duplicate_collection',
      status: 'open',
      deptId: dept.rsj.id,
      otherDeptId: dept.scjg.id,
      otherEntryId: source.id,
      elementCode: 'USCC',
      score: null,
      resolution: null,
      detail: { itemName: '社会信用代码', elementName: '统一社会信用代码', justification },
    });
    const [event] = (await p.pool.query(`SELECT envelope->'payload' AS payload FROM catalog.outbox WHERE event_name = 'catalog.conflict.changed' AND envelope->'payload'->>'conflictId' = $1`, [conflict.id])).rows;
    expect(event.payload).toMatchObject({ kind: 'duplicate_collection', status: 'open', entryId: duplicate.id, elementCode: 'USCC' });
  });

  it('both departments see the conflict, an unrelated department does not', async () => {
    const ids = async (api: Api) => (await conflictsOf(api)).map((c) => c.id);
    expect(await ids(rsj)).toContain(conflict.id);
    expect(await ids(scjg)).toContain(conflict.id);
    expect(await ids(gaj)).not.toContain(conflict.id);
    for (const c of await conflictsOf(gaj)) expect([c.deptId, c.otherDeptId]).toContain(dept.gaj.id);
    expect((await conflictsOf(admin, '?status=open')).map((c) => c.id)).toContain(conflict.id);
    expect((await conflictsOf(admin, '?status=resolved')).map((c) => c.id)).not.toContain(conflict.id);
    expect((await admin.call('GET', '/conflicts?kind=other')).status).toBe(400);
    // Paged newest first with an id tie-break: one-conflict pages walk the same order as one big page.
    const all = await admin.expect(200, 'GET', '/conflicts?pageSize=100');
    expect(all).toMatchObject({ page: 1, pageSize: 100, total: all.items.length });
    const walked: string[] = [];
    for (let page = 1; page <= Math.min(all.total, 3); page++) walked.push(...(await admin.expect(200, 'GET', `/conflicts?page=${page}&pageSize=1`)).items.map((c: any) => c.id));
    expect(walked).toEqual(all.items.slice(0, walked.length).map((c: any) => c.id));
    expect((await gaj.expect(200, 'GET', '/conflicts?pageSize=1')).total).toBe((await conflictsOf(gaj)).length);
    expect((await admin.call('GET', '/conflicts?pageSize=101')).status).toBe(400);
  });

  it('designate_source: only the data bureau, only one of the two departments; the element follows', async () => {
    expect((await rsj.call('POST', `/conflicts/${conflict.id}/resolve`, { resolution: 'designate_source', note: '由人社局作为数源', sourceDeptId: dept.rsj.id })).status).toBe(403);
    const outsider = await admin.call('POST', `/conflicts/${conflict.id}/resolve`, { resolution: 'designate_source', note: '指定公安局', sourceDeptId: dept.gaj.id });
    expect(outsider.status).toBe(400);
    expect(outsider.body.code).toBe('CONFLICT_RESOLUTION_INCOMPLETE');
    expect((await admin.call('POST', `/conflicts/${conflict.id}/resolve`, { resolution: 'designate_source', note: '未指定部门' })).status).toBe(400);
    expect((await conflictsOf(admin)).find((c) => c.id === conflict.id).status).toBe('open');

    const resolved = await admin.expect(200, 'POST', `/conflicts/${conflict.id}/resolve`, { resolution: 'designate_source', note: '参保单位信用代码由人社局负责采集维护', sourceDeptId: dept.rsj.id });
    expect(resolved).toMatchObject({ id: conflict.id, status: 'resolved', resolution: 'designate_source', resolutionNote: '参保单位信用代码由人社局负责采集维护' });
    expect(await element('USCC')).toMatchObject({ sourceDeptId: dept.rsj.id, sourceEntryId: duplicate.id });

    // The roles are now reversed: 人社局 collects its own element, 市场监管局 is pointed to 人社局.
    expect((await draft(rsj, meta('rsj', '劳务派遣单位信息', [item('统一社会信用代码', 'C', 18)]))).working.findings).toEqual([]);
    const reversed = (await draft(scjg, meta('scjg', '商事主体名录', [item('统一社会信用代码', 'C', 18)]))).working.findings;
    expect(reversed.map((f: any) => f.code)).toEqual(['ONE_SOURCE_DUPLICATE']);
    expect(reversed[0].zh).toContain('示范市人力资源和社会保障局');
    expect(reversed[0].zh).toContain('用人单位参保登记信息');

    const again = await admin.call('POST', `/conflicts/${conflict.id}/resolve`, { resolution: 'justify', note: '再次处理' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CONFLICT_ALREADY_RESOLVED');
    expect((await admin.call('POST', '/conflicts/00000000-0000-4000-8000-000000000000/resolve', { resolution: 'justify', note: '不存在' })).status).toBe(404);

    // Restore 市场监管局 as the source, naming its entry explicitly.
    expect((await admin.call('PUT', '/data-elements/USCC', { ...USCC, sourceDeptId: dept.scjg.id, sourceEntryId: duplicate.id })).status).toBe(422);
    await admin.expect(200, 'PUT', '/data-elements/USCC', { ...USCC, sourceDeptId: dept.scjg.id, sourceEntryId: source.id });
    expect(await element('USCC')).toMatchObject({ sourceDeptId: dept.scjg.id, sourceEntryId: source.id });
  });
});

describe('near duplicates', () => {
  const registration = ['注册号', '登记机关', '登记状态', '经营范围', '注册资本'];
  let kept: any; // 市场监管局 企业登记信息
  let candidate: any; // 人社局 企业登记数据
  let nearConflict: any;

  it('an entry of another department with a near-identical name and mostly the same items is listed with its score', async () => {
    kept = await publish(scjg, meta('scjg', '企业登记信息', [...registration.map((n) => item(n)), item('成立日期', 'D')]));
    const d = await draft(rsj, meta('rsj', '企业登记数据', [...registration.map((n) => item(n)), item('核准日期', 'D')]));
    expect(d.working.findings).toEqual([]); // a near duplicate does not block submission
    await rsj.expect(200, 'POST', `/entries/${d.id}/submit`);
    candidate = d;

    const near = (await conflictsOf(admin, '?kind=near_duplicate')).filter((c) => c.entryId === d.id);
    expect(near.map((c) => c.otherEntryId)).toEqual([kept.id]);
    nearConflict = near[0];
    // names equal once 信息/数据 are stripped (1.0); items 5 of 7 in common: 0.6 × 1 + 0.4 × 5/7
    expect(nearConflict.score).toBeCloseTo(0.6 + (0.4 * 5) / 7, 4);
    expect(nearConflict).toMatchObject({ kind: 'near_duplicate', status: 'open', deptId: dept.rsj.id, otherDeptId: dept.scjg.id, elementCode: null });
    expect(nearConflict.detail).toMatchObject({ name: '企业登记数据', otherName: '企业登记信息', nameScore: 1 });
    expect(nearConflict.detail.itemScore).toBeCloseTo(5 / 7, 4);
    expect((await conflictsOf(rsj)).map((c) => c.id)).toContain(nearConflict.id);
    expect((await conflictsOf(gaj)).map((c) => c.id)).not.toContain(nearConflict.id);
  });

  it('clearly different entries are not near duplicates', async () => {
    const bus = await draft(rsj, meta('rsj', '公交线路站点', [item('线路名称'), item('站点名称'), item('经度', 'F', 12), item('纬度', 'F', 12)], { domainCode: '04' }));
    await rsj.expect(200, 'POST', `/entries/${bus.id}/submit`);
    expect((await conflictsOf(admin)).filter((c) => c.entryId === bus.id && c.otherEntryId === kept.id)).toEqual([]);

    const d = await draft(rsj, meta('rsj', '职业技能等级认定结果', [item('证书编号', 'C', 30), item('职业工种', 'C', 50), item('技能等级', 'C', 10), item('认定日期', 'D')]));
    await rsj.expect(200, 'POST', `/entries/${d.id}/submit`);
    expect((await conflictsOf(admin)).filter((c) => c.entryId === d.id || c.otherEntryId === d.id)).toEqual([]);
  });

  it('the same department’s similar entries are not conflicts', async () => {
    const d = await draft(scjg, meta('scjg', '企业登记数据', registration.map((n) => item(n))));
    await scjg.expect(200, 'POST', `/entries/${d.id}/submit`);
    const mine = (await conflictsOf(admin)).filter((c) => c.entryId === d.id);
    expect(mine.map((c) => c.otherEntryId)).not.toContain(kept.id);
    expect(mine.every((c) => c.otherDeptId !== dept.scjg.id)).toBe(true);
  });

  it('a conflict is reported once, even when the entry is submitted again', async () => {
    await admin.expect(200, 'POST', `/entries/${candidate.id}/return`, { summary: '请核实是否与市场监管局目录重复' });
    await rsj.expect(200, 'POST', `/entries/${candidate.id}/submit`);
    expect((await conflictsOf(admin)).filter((c) => c.entryId === candidate.id && c.otherEntryId === kept.id)).toHaveLength(1);
  });

  it('merge refuses to retire an entry that is still under review (it would be published afterwards)', async () => {
    const refused = await admin.call('POST', `/conflicts/${nearConflict.id}/resolve`, { resolution: 'merge', note: '企业登记数据以市场监管局为准', keepEntryId: kept.id });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONFLICT_MERGE_TARGET_UNPUBLISHED');
    expect((await conflictsOf(admin)).find((c) => c.id === nearConflict.id)).toMatchObject({ status: 'open', resolution: null });
    expect((await rsj.expect(200, 'GET', `/entries/${candidate.id}`)).status).toBe('submitted');
  });

  it('merge keeps one entry and retires the other, naming the kept code', async () => {
    const published = await admin.expect(200, 'POST', `/entries/${candidate.id}/approve`, {});
    expect(published.status).toBe('published');
    const stranger = await admin.call('POST', `/conflicts/${nearConflict.id}/resolve`, { resolution: 'merge', note: '合并', keepEntryId: source0() });
    expect(stranger.status).toBe(400);
    expect((await admin.call('POST', `/conflicts/${nearConflict.id}/resolve`, { resolution: 'merge', note: '合并' })).status).toBe(400);

    const resolved = await admin.expect(200, 'POST', `/conflicts/${nearConflict.id}/resolve`, { resolution: 'merge', note: '企业登记数据以市场监管局为准', keepEntryId: kept.id });
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'merge', resolutionNote: '企业登记数据以市场监管局为准' });
    const retired = await rsj.expect(200, 'GET', `/entries/${candidate.id}`);
    expect(retired.status).toBe('retired');
    expect(retired.retiredReason).toContain(kept.resourceCode);
    expect(retired.retiredReason).toContain('企业登记数据以市场监管局为准');
    expect((await scjg.expect(200, 'GET', `/entries/${kept.id}`)).status).toBe('published');
    const found = await gaj.expect(200, 'GET', `/entries?q=${encodeURIComponent('企业登记')}`);
    expect(found.hits.map((h: { entryId: string }) => h.entryId)).toContain(kept.id);
    expect(found.hits.map((h: { entryId: string }) => h.entryId)).not.toContain(candidate.id);
    expect((await admin.call('POST', `/conflicts/${nearConflict.id}/resolve`, { resolution: 'merge', note: '再次合并', keepEntryId: kept.id })).status).toBe(409);
  });

  it('justify keeps both entries and records the bureau’s note', async () => {
    const items = ['许可证编号', '经营者名称', '经营场所', '许可项目'].map((n) => item(n));
    const a = await publish(scjg, meta('scjg', '药品经营许可信息', items));
    const b = await draft(rsj, meta('rsj', '药品经营许可数据', items));
    await rsj.expect(200, 'POST', `/entries/${b.id}/submit`);
    const [c] = (await conflictsOf(admin, '?kind=near_duplicate&status=open')).filter((x) => x.entryId === b.id && x.otherEntryId === a.id);
    expect(c.score).toBeCloseTo(1, 4);

    expect((await admin.call('POST', `/conflicts/${c.id}/resolve`, { resolution: 'justify', note: '' })).status).toBe(400);
    const resolved = await admin.expect(200, 'POST', `/conflicts/${c.id}/resolve`, { resolution: 'justify', note: '两部门分别用于许可审批和从业人员管理，口径不同' });
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'justify', resolutionNote: '两部门分别用于许可审批和从业人员管理，口径不同', resolvedBy: expect.any(String) });
    expect((await scjg.expect(200, 'GET', `/entries/${a.id}`)).status).toBe('published');
    expect((await rsj.expect(200, 'GET', `/entries/${b.id}`)).status).toBe('submitted');
    expect((await conflictsOf(rsj, '?status=resolved')).map((x) => x.id)).toContain(c.id);
  });
});

/** An entry id that is in no conflict. */
const source0 = () => '00000000-0000-4000-8000-000000000001';

describe('retiring a source entry', () => {
  it('stops pointing other departments at it', async () => {
    await admin.expect(200, 'PUT', '/data-elements/REAL_ESTATE_UNIT_NUMBER', { name: '不动产单元号', aliases: ['不动产单元代码'], sourceDeptId: dept.gaj.id });
    const source = await publish(gaj, meta('gaj', '不动产单元信息（退役测试）', [item('不动产单元号', 'C', 28), item('坐落', 'C', 300)]));
    expect((await element('REAL_ESTATE_UNIT_NUMBER')).sourceEntryId).toBe(source.id);
    await admin.expect(200, 'POST', `/entries/${source.id}/retire`, { reason: '数据并入新系统' });
    expect(await element('REAL_ESTATE_UNIT_NUMBER')).toMatchObject({ sourceDeptId: dept.gaj.id, sourceEntryId: null });
    const other = await draft(rsj, meta('rsj', '住房公积金缴存信息（退役测试）', [item('不动产单元代码', 'C', 28)]));
    const finding = other.working.findings.find((f: { code: string }) => f.code === 'ONE_SOURCE_DUPLICATE');
    expect(finding.detail).toMatchObject({ sourceDeptId: dept.gaj.id });
    expect(finding.detail.entryId ?? null).toBeNull();
  });
});
