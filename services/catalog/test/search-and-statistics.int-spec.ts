import type { CatalogMetadata, DataItem } from '@gov/shared';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { Api } from './catalog-fixtures';

/**
 * 目录检索 and 统计 over HTTP. A handful of entries across departments, domains, formats, share and
 * open types are published; searches and facet counts are compared with what was published, and
 * the statistics with counts taken before publishing (so entries seeded elsewhere do not matter).
 */
let p: TestPlatform;
let admin: Api;
let auditor: Api;
const api: Record<string, Api> = {};
const dept: Record<string, { id: string; name: string }> = {};
const system: Record<string, string> = {};

/** Every published abstract carries this word, so facets can be scoped to this file's entries. */
const MARK = '样例批次';

interface Spec {
  key: string;
  dept: 'scjg' | 'rsj' | 'gaj' | 'wjw';
  name: string;
  classification: [string, string, string];
  domain: string;
  format: [string, string];
  items: DataItem[];
  share: { type: string; condition?: string; basis?: string; methodType?: string };
  open: { type: string; condition?: string; basis?: string };
  cycle: string;
  grade: string;
}

const c = (name: string, length = 50): DataItem => ({ name, dataType: 'C', length });
const d = (name: string): DataItem => ({ name, dataType: 'D' });
const LAW = '依据《中华人民共和国个人信息保护法》第十三条';

const PUBLISHED: Spec[] = [
  {
    key: 'license',
    dept: 'scjg',
    name: '营业执照信息',
    classification: ['1', '02', '001'],
    domain: '01',
    format: ['3', 'PostgreSQL'],
    items: [c('营业执照号', 30), c('市场主体类型', 20), d('核准日期')],
    share: { type: 'UNCONDITIONAL', methodType: 'API' },
    open: { type: 'UNCONDITIONAL' },
    cycle: 'DAILY',
    grade: 'L1',
  },
  {
    key: 'food',
    dept: 'scjg',
    name: '食品生产许可信息',
    classification: ['2', '04', '001'],
    domain: '01',
    format: ['2', 'xlsx'],
    items: [c('许可证编号', 30), c('生产者名称', 200), d('有效期至')],
    share: { type: 'CONDITIONAL', condition: '仅向市场监管、卫健部门提供', methodType: 'FILE' },
    open: { type: 'CONDITIONAL', condition: '经申请审核后开放' },
    cycle: 'WEEKLY',
    grade: 'L2',
  },
  {
    key: 'employment',
    dept: 'rsj',
    name: '就业失业登记信息',
    classification: ['2', '03', '001'],
    domain: '02',
    format: ['3', 'Oracle'],
    items: [c('登记编号', 30), c('人员类别', 20), d('登记日期')],
    share: { type: 'CONDITIONAL', condition: '仅向民政、医保部门提供，用于资格核验', methodType: 'DATABASE' },
    open: { type: 'NOT_OPEN', basis: LAW },
    cycle: 'MONTHLY',
    grade: 'L3',
  },
  {
    key: 'subsidy',
    dept: 'rsj',
    name: '职业培训补贴发放信息',
    classification: ['2', '03', '002'],
    domain: '02',
    format: ['7', 'REST'],
    items: [{ name: '培训机构名称' }, { name: '补贴金额' }],
    share: { type: 'UNCONDITIONAL', methodType: 'API' },
    open: { type: 'NOT_OPEN', basis: '涉及个人补贴信息' },
    cycle: 'QUARTERLY',
    grade: 'L2',
  },
  {
    key: 'exam',
    dept: 'gaj',
    name: '机动车驾驶人考试场地信息',
    classification: ['3', '07', '001'],
    domain: '16',
    format: ['1', 'pdf'],
    items: [],
    share: { type: 'NOT_SHARED', basis: '依据《中华人民共和国保守国家秘密法》第二十八条' },
    open: { type: 'NOT_OPEN', basis: '涉密' },
    cycle: 'YEARLY',
    grade: 'L4',
  },
  {
    key: 'hospital',
    dept: 'wjw',
    name: '医疗机构执业登记信息',
    classification: ['2', '02', '001'],
    domain: '09',
    format: ['3', 'MySQL'],
    items: [c('医疗机构名称', 200), c('执业许可证号', 30), c('地址', 300)],
    share: { type: 'UNCONDITIONAL', methodType: 'API' },
    open: { type: 'UNCONDITIONAL' },
    cycle: 'QUARTERLY',
    grade: 'L1',
  },
];
/** Published, then retired: in neither search nor statistics. */
const RETIRED: Spec = { ...PUBLISHED[0], key: 'retired', name: '广告发布登记信息', items: [c('营业执照号', 30), c('广告类别', 20)] };
/** Never published: invisible to the default search. */
const DRAFT: Spec = { ...PUBLISHED[2], key: 'draft', name: '用人单位营业执照备案', items: [c('营业执照号', 30)] };

function metadataOf(s: Spec): CatalogMetadata {
  const [classCode, itemCode, categoryCode] = s.classification;
  return {
    classification: { classCode, itemCode, categoryCode },
    name: s.name,
    abstract: `${s.name}（${MARK}）`,
    format: { classCode: s.format[0], type: s.format[1] },
    items: s.items,
    share: s.share.type === 'NOT_SHARED' ? { type: 'NOT_SHARED', basis: s.share.basis } : { type: s.share.type, condition: s.share.condition, methodClass: 'PLATFORM', methodType: s.share.methodType },
    open: s.open,
    updateCycle: s.cycle,
    securityGrade: s.grade,
    domainCode: s.domain,
    systemId: system[s.dept],
  };
}

async function draftOf(s: Spec) {
  const entry = await api[s.dept].expect(201, 'POST', '/entries', { metadata: metadataOf(s) });
  expect(entry.working.findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([]);
  return entry;
}
async function publish(s: Spec) {
  const entry = await draftOf(s);
  await api[s.dept].expect(200, 'POST', `/entries/${entry.id}/submit`);
  return admin.expect(200, 'POST', `/entries/${entry.id}/approve`, {});
}

const ids: Record<string, string> = {};
const codes: Record<string, string> = {};
let before: any; // statistics before this file published anything

beforeAll(async () => {
  p = await startTestPlatform();
  const token = async (u: string) => new Api(p.baseUrl, await p.login(u));
  [admin, auditor] = await Promise.all([token('admin'), token('auditor')]);
  for (const code of ['scjg', 'rsj', 'gaj', 'wjw']) {
    api[code] = await token(`${code}_op`);
    const me = await api[code].expect(200, 'GET', '/auth/me');
    dept[code] = { id: me.deptId, name: me.deptName };
    system[code] = (await api[code].expect(201, 'POST', '/systems', { name: `${code}业务系统（检索测试）`, newSystem: false })).id;
  }
  before = await admin.expect(200, 'GET', '/statistics');
  for (const s of [...PUBLISHED, RETIRED]) {
    const e = await publish(s);
    ids[s.key] = e.id;
    codes[s.key] = e.resourceCode;
  }
  await (await token('scjg_rev')).expect(200, 'POST', `/entries/${ids.retired}/retire`, { reason: '职能调整' });
  ids.draft = (await draftOf(DRAFT)).id;
}, 60_000);
afterAll(async () => {
  await p?.close();
});

const search = async (query: string, as: Api = api.gaj) => as.expect(200, 'GET', `/entries?${query}`);
const q = (text: string) => `q=${encodeURIComponent(text)}`;
const hitIds = (r: any) => r.hits.map((h: { entryId: string }) => h.entryId);
/** Keys of this file's entries among the hits, in order (entries seeded by the platform itself are left out). */
const keysOf = (r: any) => r.hits.map((h: { entryId: string }) => Object.keys(ids).find((k) => ids[k] === h.entryId)).filter(Boolean);
const bucketCounts = (buckets: { value: string; count: number }[]) => Object.fromEntries(buckets.map((b) => [b.value, b.count]));
const countBy = (specs: Spec[], f: (s: Spec) => string) => specs.reduce<Record<string, number>>((acc, s) => ({ ...acc, [f(s)]: (acc[f(s)] ?? 0) + 1 }), {});

describe('keyword search', () => {
  it('finds an entry by an item name and reports the matched item', async () => {
    const r = await search(q('营业执照'));
    expect(keysOf(r)).toEqual(['license']); // the retired entry and the draft have the item too
    expect(r.total).toBe(r.hits.length);
    expect(r.hits.find((h: any) => h.entryId === ids.license)).toMatchObject({ name: '营业执照信息', resourceCode: codes.license, deptName: dept.scjg.name, matchedItems: ['营业执照号'], status: 'published', domainCode: '01' });
  });

  it('requires every term (AND)', async () => {
    expect(keysOf(await search(q(`许可 ${MARK}`))).sort()).toEqual(['food', 'hospital']);
    expect(keysOf(await search(q('许可 食品')))).toEqual(['food']);
    expect(keysOf(await search(q('许可　执业')))).toEqual(['hospital']); // full-width space separates too
    const none = await search(q('许可 驾驶人'));
    expect(none).toMatchObject({ total: 0, hits: [] });
  });

  it('ranks a name match above an item match', async () => {
    const r = await search(q('许可'));
    expect(keysOf(r)).toEqual(['food', 'hospital']);
    expect(r.hits.find((h: any) => h.entryId === ids.hospital).matchedItems).toEqual(['执业许可证号']);
    expect(r.hits.find((h: any) => h.entryId === ids.food).matchedItems).toEqual(['许可证编号']);
  });

  it('finds entries by department name', async () => {
    expect(keysOf(await search(q(`人力资源和社会保障 ${MARK}`))).sort()).toEqual(['employment', 'subsidy']);
    expect(keysOf(await search(q('卫生健康委员会')))).toEqual(['hospital']);
  });

  it('finds an entry by its resource code', async () => {
    expect(keysOf(await search(q(codes.hospital)))).toContain('hospital');
  });

  it('shows drafts to their own department only when asked for', async () => {
    expect(hitIds(await search(`status=draft&${q('营业执照')}`, api.rsj))).toEqual([ids.draft]);
    expect(hitIds(await search(`status=draft&${q('营业执照')}`, api.gaj))).toEqual([]);
    expect(hitIds(await search(`status=retired&${q('营业执照')}`))).toEqual([ids.retired]);
  });
});

describe('facets and filters', () => {
  it('counts every facet of the published entries', async () => {
    const r = await search(`${q(MARK)}&pageSize=100`);
    expect(r.total).toBe(PUBLISHED.length);
    expect(bucketCounts(r.facets.domain)).toEqual(countBy(PUBLISHED, (s) => s.domain));
    expect(bucketCounts(r.facets.dept)).toEqual(Object.fromEntries(Object.entries(countBy(PUBLISHED, (s) => s.dept)).map(([k, n]) => [dept[k].id, n])));
    expect(bucketCounts(r.facets.shareType)).toEqual(countBy(PUBLISHED, (s) => s.share.type));
    expect(bucketCounts(r.facets.openType)).toEqual(countBy(PUBLISHED, (s) => s.open.type));
    expect(bucketCounts(r.facets.format)).toEqual(countBy(PUBLISHED, (s) => s.format[0]));
    expect(bucketCounts(r.facets.updateCycle)).toEqual(countBy(PUBLISHED, (s) => s.cycle));
    expect(bucketCounts(r.facets.grade)).toEqual(countBy(PUBLISHED, (s) => s.grade));
    expect(bucketCounts(r.facets.classCode)).toEqual(countBy(PUBLISHED, (s) => s.classification[0]));
    // Spot checks of the literal numbers and of the labels.
    expect(r.facets.shareType).toEqual([
      { value: 'UNCONDITIONAL', label: '无条件共享', count: 3 },
      { value: 'CONDITIONAL', label: '有条件共享', count: 2 },
      { value: 'NOT_SHARED', label: '不予共享', count: 1 },
    ]);
    expect(r.facets.domain.find((b: any) => b.value === '01')).toEqual({ value: '01', label: '市场监管', count: 2 });
    expect(r.facets.dept.find((b: any) => b.value === dept.rsj.id)).toEqual({ value: dept.rsj.id, label: '示范市人力资源和社会保障局', count: 2 });
    expect(r.facets.format.find((b: any) => b.value === '3')).toEqual({ value: '3', label: '数据库', count: 3 });
    expect(r.facets.updateCycle.find((b: any) => b.value === 'QUARTERLY')).toEqual({ value: 'QUARTERLY', label: '每季度', count: 2 });
    expect(r.facets.grade.find((b: any) => b.value === 'L4')).toEqual({ value: 'L4', label: '敏感', count: 1 });
    expect(r.facets.classCode.find((b: any) => b.value === '2')).toEqual({ value: '2', label: '主题信息资源', count: 4 });
  });

  it.each([
    ['domain=01', ['food', 'license']],
    ['domain=02', ['employment', 'subsidy']],
    ['shareType=CONDITIONAL&openType=NOT_OPEN', ['employment']],
    ['openType=UNCONDITIONAL', ['hospital', 'license']],
    ['format=7', ['subsidy']],
    ['format=3&grade=L1', ['hospital', 'license']],
    ['updateCycle=QUARTERLY', ['hospital', 'subsidy']],
    ['grade=L4', ['exam']],
    ['classCode=3', ['exam']],
    ['classCode=2&shareType=UNCONDITIONAL', ['hospital', 'subsidy']],
  ])('%s narrows the results and the facets', async (filter, expected) => {
    const r = await search(`${q(MARK)}&${filter}`);
    expect(keysOf(r).sort()).toEqual(expected);
    expect(r.total).toBe(expected.length);
    const specs = PUBLISHED.filter((s) => expected.includes(s.key));
    expect(bucketCounts(r.facets.domain)).toEqual(countBy(specs, (s) => s.domain));
    expect(bucketCounts(r.facets.grade)).toEqual(countBy(specs, (s) => s.grade));
    expect(bucketCounts(r.facets.openType)).toEqual(countBy(specs, (s) => s.open.type));
  });

  it('filters by department', async () => {
    const r = await search(`deptId=${dept.rsj.id}&${q(MARK)}`);
    expect(keysOf(r).sort()).toEqual(['employment', 'subsidy']);
    expect(r.facets.dept).toEqual([{ value: dept.rsj.id, label: dept.rsj.name, count: 2 }]);
    expect(bucketCounts(r.facets.format)).toEqual({ '3': 1, '7': 1 });
  });

  it('a filter that matches nothing gives no hits and empty facets', async () => {
    const r = await search(`${q(MARK)}&grade=L4&domain=01`);
    expect(r).toMatchObject({ total: 0, hits: [] });
    expect(Object.values(r.facets).every((b: any) => b.length === 0)).toBe(true);
  });
});

describe('sorting and paging', () => {
  it('sorts by name and pages through the results with the total', async () => {
    const names = PUBLISHED.map((s) => s.name);
    const sorted: string[] = (await p.pool.query(`SELECT n FROM unnest($1::text[]) n ORDER BY n`, [names])).rows.map((r) => r.n);
    const page1 = await search(`${q(MARK)}&sort=name&pageSize=4&page=1`);
    const page2 = await search(`${q(MARK)}&sort=name&pageSize=4&page=2`);
    expect(page1).toMatchObject({ total: 6, page: 1, pageSize: 4 });
    expect(page2).toMatchObject({ total: 6, page: 2, pageSize: 4 });
    expect(page1.hits.map((h: any) => h.name)).toEqual(sorted.slice(0, 4));
    expect(page2.hits.map((h: any) => h.name)).toEqual(sorted.slice(4));
    const beyond = await search(`${q(MARK)}&sort=name&pageSize=4&page=3`);
    expect(beyond).toMatchObject({ total: 6, page: 3, hits: [] });
    // Facets describe the whole result, not the page.
    expect(page2.facets.dept.reduce((n: number, b: any) => n + b.count, 0)).toBe(6);
  });

  it('sorts by publication, newest first, by default without keywords', async () => {
    const r = await search(`${q(MARK)}&pageSize=100&sort=published`);
    expect(keysOf(r)).toEqual([...PUBLISHED].reverse().map((s) => s.key));
    const times = r.hits.map((h: any) => Date.parse(h.publishedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});

describe('invalid search requests', () => {
  it.each([
    ['shareType=PARTIAL', 'shareType'],
    ['openType=OPEN', 'openType'],
    ['grade=L9', 'grade'],
    ['format=9', 'format'],
    ['updateCycle=HOURLY', 'updateCycle'],
    ['classCode=4', 'classCode'],
    ['status=deleted', 'status'],
    ['sort=random', 'sort'],
    ['deptId=scjg', 'deptId'],
    ['page=0', 'page'],
    ['pageSize=500', 'pageSize'],
    ['color=red', 'color'],
  ])('%s → 400 problem+json naming the parameter', async (query, field) => {
    const res = await api.gaj.call('GET', `/entries?${query}`);
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('an unknown domain code → 400, not an empty result', async () => {
    const res = await api.gaj.call('GET', '/entries?domain=99');
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('domain');
  });
});

describe('statistics', () => {
  const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
  const ratio = (a: number, b: number) => (b === 0 ? 0 : round4(a / b));
  const isOpen = (s: Spec) => s.open.type !== 'NOT_OPEN';
  const deptRow = (stats: any, code: string) => stats.byDepartment.find((r: any) => r.key === dept[code].id) ?? { count: 0, open: 0, overdue: 0 };
  const bucket = (list: any[], key: string) => list.find((b) => b.key === key) ?? { count: 0 };

  it('is for the data bureau and auditors only', async () => {
    const res = await api.scjg.call('GET', '/statistics');
    expect(res.status).toBe(403);
    expect(res.type).toContain('application/problem+json');
    expect((await auditor.expect(200, 'GET', '/statistics')).published).toBeGreaterThanOrEqual(PUBLISHED.length);
  });

  it('counts published entries per department and domain; retired ones are not counted', async () => {
    const s = await admin.expect(200, 'GET', '/statistics');
    expect(s.published).toBe(before.published + PUBLISHED.length);
    for (const code of ['scjg', 'rsj', 'gaj', 'wjw']) {
      const mine = PUBLISHED.filter((x) => x.dept === code);
      expect(deptRow(s, code)).toMatchObject({ label: dept[code].name, count: deptRow(before, code).count + mine.length, open: deptRow(before, code).open + mine.filter(isOpen).length });
    }
    expect(s.byDepartment).toHaveLength(before.byDepartment.length);
    for (const [domain, n] of Object.entries(countBy(PUBLISHED, (x) => x.domain))) expect(bucket(s.byDomain, domain).count).toBe(bucket(before.byDomain, domain).count + n);
    expect(bucket(s.byDomain, '01').label).toBe('市场监管');
    expect(bucket(s.byClass, '2/03')).toMatchObject({ label: '主题信息资源 / 社会保障', count: bucket(before.byClass, '2/03').count + 2 });
    for (const [type, n] of Object.entries(countBy(PUBLISHED, (x) => x.share.type))) expect(bucket(s.byShareType, type).count).toBe(bucket(before.byShareType, type).count + n);
    for (const [type, n] of Object.entries(countBy(PUBLISHED, (x) => x.open.type))) expect(bucket(s.byOpenType, type).count).toBe(bucket(before.byOpenType, type).count + n);
    expect(bucket(s.byOpenType, 'NOT_OPEN').label).toBe('不予开放');
  });

  it('open rate, interface share and goal progress follow from the published entries', async () => {
    const s = await admin.expect(200, 'GET', '/statistics');
    const open = before.openCount + PUBLISHED.filter(isOpen).length;
    const published = before.published + PUBLISHED.length;
    expect(s.openCount).toBe(open);
    expect(s.openRate).toBe(ratio(open, published));
    // Shareable = not 不予共享; interface = 共享平台方式/接口. Counted from the published versions themselves.
    const [all] = (
      await p.pool.query(
        `SELECT count(*) FILTER (WHERE v.metadata->'share'->>'type' <> 'NOT_SHARED')::int AS shareable,
                count(*) FILTER (WHERE v.metadata->'share'->>'type' <> 'NOT_SHARED' AND v.metadata->'share'->>'methodType' = 'API')::int AS api
         FROM catalog.catalog_entry e JOIN catalog.entry_version v ON v.entry_id = e.id AND v.version = e.published_version WHERE e.status = 'published'`,
      )
    ).rows;
    expect(s.interfaceShare).toBe(ratio(all.api, all.shareable));
    if (before.published === 0) {
      expect(s.openRate).toBe(0.5); // 3 of 6
      expect(s.interfaceShare).toBe(0.6); // 3 of the 5 shared entries
    }
    expect(s.goals.target).toEqual({ openDatasets: 600, openRate: 0.2, interfaceShare: 0.5 });
    expect(s.goals.progress.openDatasets).toBe(ratio(open, 600));
    expect(s.goals.progress.openRate).toBe(ratio(s.openRate, 0.2));
    expect(s.goals.progress.interfaceShare).toBe(ratio(s.interfaceShare, 0.5));
  });

  it('counts entries waiting for review and overdue obligations, overall and per department', async () => {
    const pending = await draftOf({ ...PUBLISHED[3], key: 'pending', name: '创业担保贷款信息' });
    await api.rsj.expect(200, 'POST', `/entries/${pending.id}/submit`);
    const late = await api.gaj.expect(201, 'POST', '/systems', { name: '交通管理综合应用平台' });
    await p.pool.query(`UPDATE catalog.deadline SET due_on = current_date - 30 WHERE subject_id = $1`, [late.id]);
    expect((await admin.expect(200, 'POST', '/deadlines/sweep')).flagged).toBe(1);

    const s = await admin.expect(200, 'GET', '/statistics');
    expect(s.pendingReview).toBe(before.pendingReview + 1);
    expect(s.overdue).toBe(before.overdue + 1);
    expect(deptRow(s, 'gaj').overdue).toBe(deptRow(before, 'gaj').overdue + 1);
    expect(deptRow(s, 'rsj').overdue).toBe(deptRow(before, 'rsj').overdue);
    // A submitted entry is not published yet.
    expect(s.published).toBe(before.published + PUBLISHED.length);
  });

  it('a published entry with a change under way still counts once, as published', async () => {
    await api.wjw.expect(201, 'POST', `/entries/${ids.hospital}/versions`, { reason: '调整开放属性' });
    const s = await admin.expect(200, 'GET', '/statistics');
    expect(s.published).toBe(before.published + PUBLISHED.length);
    expect(deptRow(s, 'wjw').count).toBe(deptRow(before, 'wjw').count + 1);
  });
});
