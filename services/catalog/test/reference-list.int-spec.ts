import type { CatalogMetadata } from '@gov/shared';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { Api, compliantMetadata } from './catalog-fixtures';

/**
 * 参考清单 over HTTP: the data bureau loads the data each department is expected to open; each
 * department sees its own items and covers each by cataloguing it or by giving 不开放依据及理由.
 */
let p: TestPlatform;
let admin: Api;
let scjg: Api; // 市场监管局经办人
let scjgRev: Api; // 市场监管局审核人
let zrzy: Api; // 自然资源和规划局经办人
let gaj: Api; // 公安局经办人 (no items in the list)
const dept: Record<string, string> = {};
const system: Record<string, string> = {};

const LIST = '2026年公共数据开放参考清单';
const ITEMS = {
  scjg: ['企业信用评价结果', '食品抽检结果', '行政处罚信息'],
  zrzy: ['地名地址信息', '国土空间规划成果'],
};

beforeAll(async () => {
  p = await startTestPlatform();
  const token = async (u: string) => new Api(p.baseUrl, await p.login(u));
  [admin, scjg, scjgRev, zrzy, gaj] = await Promise.all([token('admin'), token('scjg_op'), token('scjg_rev'), token('zrzy_op'), token('gaj_op')]);
  for (const [code, api] of [['scjg', scjg], ['zrzy', zrzy], ['gaj', gaj]] as const) {
    dept[code] = (await api.expect(200, 'GET', '/auth/me')).deptId;
    system[code] = (await api.expect(201, 'POST', '/systems', { name: `${code}业务系统（参考清单测试）`, newSystem: false })).id;
  }
}, 60_000);
afterAll(async () => {
  await p?.close();
});

const count = async () => (await p.pool.query(`SELECT count(*)::int AS n FROM catalog.reference_item`)).rows[0].n as number;
const itemsOf = async (api: Api, query = '') => (await api.expect(200, 'GET', `/reference-items${query}`)) as any[];
const byName = async (api: Api, name: string) => (await itemsOf(api)).find((i) => i.name === name);
const listBody = (): { listName: string; items: { name: string; deptId: string; domainCode?: string; description?: string }[] } => ({
  listName: LIST,
  items: [
    ...ITEMS.scjg.map((name) => ({ name, deptId: dept.scjg, domainCode: '01', description: `${name}（参考清单）` })),
    ...ITEMS.zrzy.map((name) => ({ name, deptId: dept.zrzy, domainCode: name === '地名地址信息' ? '20' : '05' })),
  ],
});
const meta = (over: Partial<CatalogMetadata>) => compliantMetadata(system.scjg, { tags: [], ...over });

describe('loading a reference list', () => {
  it('is for the data bureau only', async () => {
    const res = await scjg.call('POST', '/reference-lists', listBody());
    expect(res.status).toBe(403);
    expect(await count()).toBe(0);
  });

  it('refuses a list naming an unknown department, loading nothing', async () => {
    const body = listBody();
    body.items.splice(1, 0, { name: '不存在部门的事项', deptId: '00000000-0000-4000-8000-000000000000', domainCode: '01', description: '' });
    const res = await admin.call('POST', '/reference-lists', body);
    expect(res.status).toBe(422);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.code).toBe('REFERENCE_LIST_INVALID');
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'items[1].deptId' })]);
    expect(await count()).toBe(0);
    expect(await itemsOf(admin)).toEqual([]);
  });

  it('refuses a list naming an unknown domain, loading nothing', async () => {
    const body = listBody();
    body.items[4].domainCode = '99';
    const res = await admin.call('POST', '/reference-lists', body);
    expect(res.status).toBe(422);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'items[4].domainCode' })]);
    expect(await count()).toBe(0);
  });

  it('refuses malformed items', async () => {
    expect((await admin.call('POST', '/reference-lists', { listName: LIST, items: [] })).status).toBe(400);
    expect((await admin.call('POST', '/reference-lists', { listName: LIST, items: [{ name: '某', deptId: dept.scjg }] })).status).toBe(400);
    expect((await admin.call('POST', '/reference-lists', { listName: LIST, items: [{ name: '事项名称', deptId: 'scjg' }] })).status).toBe(400);
    expect(await count()).toBe(0);
  });

  it('loads a list for two departments; loading it again does not duplicate items', async () => {
    expect(await admin.expect(201, 'POST', '/reference-lists', listBody())).toEqual({ loaded: 5 });
    expect(await admin.expect(201, 'POST', '/reference-lists', listBody())).toEqual({ loaded: 5 });
    expect(await count()).toBe(5);
    const all = await itemsOf(admin);
    expect(all.map((i) => i.name).sort()).toEqual([...ITEMS.scjg, ...ITEMS.zrzy].sort());
    expect(all.find((i) => i.name === '地名地址信息')).toMatchObject({ listName: LIST, deptId: dept.zrzy, domainCode: '20', coverage: 'missing', entryId: null, exemptionReason: null });
  });
});

describe('a department’s reference items', () => {
  it('each department sees only its own items, all missing at first', async () => {
    const mine = await itemsOf(scjg);
    expect(mine.map((i) => i.name).sort()).toEqual([...ITEMS.scjg].sort());
    expect(mine.every((i) => i.deptId === dept.scjg && i.coverage === 'missing' && i.entryId === null)).toBe(true);
    expect((await itemsOf(zrzy)).map((i) => i.name).sort()).toEqual([...ITEMS.zrzy].sort());
    expect(await itemsOf(gaj)).toEqual([]);
    // Asking for another department's items does not widen the scope.
    expect(await itemsOf(scjg, `?deptId=${dept.zrzy}`)).toEqual([]);
    expect((await itemsOf(admin, `?deptId=${dept.zrzy}`)).map((i) => i.name).sort()).toEqual([...ITEMS.zrzy].sort());
  });

  it('an exemption with 不开放依据及理由 marks the item exempted', async () => {
    const item = await byName(scjg, '行政处罚信息');
    expect((await scjg.call('PUT', `/reference-items/${item.id}/exemption`, { reason: '短' })).status).toBe(400);
    const saved = await scjg.expect(200, 'PUT', `/reference-items/${item.id}/exemption`, { reason: '依据《中华人民共和国行政处罚法》第四十八条，仅公开一般程序作出的处罚决定' });
    expect(saved).toMatchObject({ referenceItemId: item.id, reason: expect.stringContaining('行政处罚法') });
    expect(await byName(scjg, '行政处罚信息')).toMatchObject({ coverage: 'exempted', exemptionReason: saved.reason, entryId: null });
    // The reviewer may change the reason; the item stays exempted with the new one.
    await scjgRev.expect(200, 'PUT', `/reference-items/${item.id}/exemption`, { reason: '处罚决定已通过信用中国网站公示，不重复开放' });
    expect(await byName(scjg, '行政处罚信息')).toMatchObject({ coverage: 'exempted', exemptionReason: '处罚决定已通过信用中国网站公示，不重复开放' });
    // Other items are untouched.
    expect((await byName(scjg, '食品抽检结果')).coverage).toBe('missing');
  });

  it('another department cannot exempt the item', async () => {
    const item = await byName(zrzy, '地名地址信息');
    const res = await scjg.call('PUT', `/reference-items/${item.id}/exemption`, { reason: '不属于本部门职责范围' });
    expect(res.status).toBe(404);
    expect((await byName(zrzy, '地名地址信息')).coverage).toBe('missing');
    expect((await scjg.call('PUT', '/reference-items/00000000-0000-4000-8000-000000000000/exemption', { reason: '不存在的事项' })).status).toBe(404);
  });

  it('cataloguing an entry for the item marks it catalogued, with the entry', async () => {
    const item = await byName(scjg, '企业信用评价结果');
    const entry = await scjg.expect(201, 'POST', '/entries', { metadata: meta({ name: '企业信用评价结果信息', referenceItemId: item.id }) });
    expect(entry.working.findings).toEqual([]);
    expect(await byName(scjg, '企业信用评价结果')).toMatchObject({ coverage: 'catalogued', entryId: entry.id });
    await scjg.expect(200, 'POST', `/entries/${entry.id}/submit`);
    const published = await admin.expect(200, 'POST', `/entries/${entry.id}/approve`, {});
    expect(published.published.metadata.referenceItemId).toBe(item.id);
    expect(await byName(scjg, '企业信用评价结果')).toMatchObject({ coverage: 'catalogued', entryId: entry.id });
    expect((await byName(admin, '企业信用评价结果')).coverage).toBe('catalogued');

    // Retired, the entry no longer covers the item.
    await scjgRev.expect(200, 'POST', `/entries/${entry.id}/retire`, { reason: '评价办法废止' });
    expect(await byName(scjg, '企业信用评价结果')).toMatchObject({ coverage: 'missing', entryId: null });
  });

  it('a catalogued entry takes precedence over an exemption', async () => {
    const item = await byName(scjg, '行政处罚信息');
    const entry = await scjg.expect(201, 'POST', '/entries', { metadata: meta({ name: '行政处罚决定信息', referenceItemId: item.id }) });
    expect(await byName(scjg, '行政处罚信息')).toMatchObject({ coverage: 'catalogued', entryId: entry.id });
  });

  it('an entry for a reference item that is not opened needs 不开放依据及理由', async () => {
    const item = await byName(scjg, '食品抽检结果');
    const notOpen = { type: 'NOT_OPEN' };
    const entry = await scjg.expect(201, 'POST', '/entries', { metadata: meta({ name: '食品安全抽检信息', referenceItemId: item.id, open: notOpen }) });
    expect(entry.working.findings).toEqual([expect.objectContaining({ field: 'open.basis', code: 'REFERENCE_NOT_OPEN_BASIS_REQUIRED', severity: 'error' })]);
    const refused = await scjg.call('POST', `/entries/${entry.id}/submit`);
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'open.basis', code: 'REFERENCE_NOT_OPEN_BASIS_REQUIRED' })]);

    const blank = await scjg.expect(200, 'PUT', `/entries/${entry.id}`, { metadata: meta({ name: '食品安全抽检信息', referenceItemId: item.id, open: { type: 'NOT_OPEN', basis: '  ' } }) });
    expect(blank.working.findings.map((f: { code: string }) => f.code)).toEqual(['REFERENCE_NOT_OPEN_BASIS_REQUIRED']);

    const fixed = await scjg.expect(200, 'PUT', `/entries/${entry.id}`, { metadata: meta({ name: '食品安全抽检信息', referenceItemId: item.id, open: { type: 'NOT_OPEN', basis: '抽检结果涉及企业商业秘密，依据《中华人民共和国食品安全法》第一百一十八条由省级统一公布' } }) });
    expect(fixed.working.findings).toEqual([]);
    expect((await scjg.expect(200, 'POST', `/entries/${entry.id}/submit`)).status).toBe('submitted');
  });

  it('the basis rule applies only to entries for a reference item', async () => {
    const entry = await scjg.expect(201, 'POST', '/entries', { metadata: meta({ name: '内部监管工作台账', open: { type: 'NOT_OPEN' } }) });
    expect(entry.working.findings).toEqual([]);
  });

  it('an entry may not claim another department’s reference item', async () => {
    const theirs = await byName(zrzy, '国土空间规划成果');
    const entry = await scjg.expect(201, 'POST', '/entries', { metadata: meta({ name: '国土空间规划成果信息', referenceItemId: theirs.id }) });
    const refused = await scjg.call('POST', `/entries/${entry.id}/submit`);
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'referenceItemId', code: 'REFERENCE_ITEM_UNKNOWN' })]);
    expect((await byName(zrzy, '国土空间规划成果')).coverage).toBe('missing');
  });
});
