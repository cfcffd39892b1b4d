import { gzipSync } from 'node:zlib';
import type { CatalogMetadata } from '@gov/shared';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { demoCreditCode } from '../src/demo/demo-city.seeder';
import { Api, compliantMetadata } from './catalog-fixtures';

/** 市区两级联动: the city exports its published catalog and imports its district's, over HTTP. */
let p: TestPlatform;
let admin: Api;
let auditor: Api;
let op: Api; // 市场监管局经办人
let districtOp: Api; // 示范区数据局经办人
let adminToken: string;
let systemId: string;
const published: { id: string; code: string; name: string }[] = [];
let retiredCode: string;
let draftId: string;

const CITY = '420700';
const DISTRICT = '420702';
const DISTRICT_BUREAU = demoCreditCode(DISTRICT, 0); // 示范区数据局, seeded
const DISTRICT_SCJG = demoCreditCode(DISTRICT, 1); // not registered in the city yet

beforeAll(async () => {
  p = await startTestPlatform();
  adminToken = await p.login('admin');
  admin = new Api(p.baseUrl, adminToken);
  [auditor, op, districtOp] = await Promise.all(['auditor', 'scjg_op', 'qsjj_op'].map(async (u) => new Api(p.baseUrl, await p.login(u))));
  systemId = (await op.expect(201, 'POST', '/systems', { name: '市场主体登记管理系统' })).id;
  const publish = async (metadata: CatalogMetadata) => {
    const draft = await op.expect(201, 'POST', '/entries', { metadata });
    await op.expect(200, 'POST', `/entries/${draft.id}/submit`);
    return admin.expect(200, 'POST', `/entries/${draft.id}/approve`, {});
  };
  for (const m of [
    compliantMetadata(systemId),
    compliantMetadata(systemId, { name: '食品经营许可信息', updateCycle: 'MONTHLY', open: { type: 'CONDITIONAL', condition: '实名注册后申请' }, tags: ['食品安全', '许可'] }),
  ]) {
    const e = await publish(m);
    published.push({ id: e.id, code: e.resourceCode, name: m.name! });
  }
  const gone = await publish(compliantMetadata(systemId, { name: '已下架的广告信息' }));
  retiredCode = gone.resourceCode;
  await admin.expect(200, 'POST', `/entries/${gone.id}/retire`, { reason: '职能划转' });
  draftId = (await op.expect(201, 'POST', '/entries', { metadata: compliantMetadata(systemId, { name: '草稿中的信息' }) })).id;
}, 90_000);
afterAll(async () => {
  await p?.close();
});

/** Posts a body as is (for content types and encodings the Api helper does not send). */
async function postRaw(path: string, body: Buffer | string, headers: Record<string, string>) {
  const res = await fetch(`${p.baseUrl}/api/catalog${path}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, type: res.headers.get('content-type') ?? '' };
}

async function getText(api: 'json' | 'jsonld', token = adminToken) {
  const res = await fetch(`${p.baseUrl}/api/catalog/cascade/${api === 'json' ? 'export' : 'export.jsonld'}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

const count = async (sql: string, params: unknown[] = []) => (await p.pool.query(sql, params)).rows[0].n as number;
const footprint = async () => ({
  entries: await count(`SELECT count(*)::int AS n FROM catalog.catalog_entry`),
  versions: await count(`SELECT count(*)::int AS n FROM catalog.entry_version`),
  departments: await count(`SELECT count(*)::int AS n FROM catalog.department`),
  events: await count(`SELECT count(*)::int AS n FROM catalog.outbox`),
});
const publishedEvents = async (entryId: string) =>
  (await p.pool.query(`SELECT envelope->'payload' AS payload FROM catalog.outbox WHERE event_name = 'catalog.entry.published' AND envelope->'payload'->>'entryId' = $1 ORDER BY seq`, [entryId])).rows.map((r) => r.payload);

/** A district export crafted by hand, as the district's platform would write it. */
function districtEntry(resourceCode: string, name: string, overrides: Record<string, unknown> = {}) {
  return {
    resourceCode,
    sourceRegion: DISTRICT,
    version: 1,
    publishedAt: '2026-03-02T08:00:00.000Z',
    provider: { name: '示范区市场监督管理局', creditCode: DISTRICT_SCJG, regionCode: DISTRICT, level: 'district' },
    metadata: { ...compliantMetadata('00000000-0000-4000-8000-000000000001', { name, abstract: `${name}（示范区）。` }), publishDate: '2026-03-02' },
    ...overrides,
  };
}
function districtExport(entries: unknown[], regionCode = DISTRICT) {
  return { format: 'govdata-catalog-export', formatVersion: 1, platform: { regionCode, name: '示范区数据局' }, exportedAt: '2026-03-03T00:00:00.000Z', entries };
}

describe('export', () => {
  it('streams exactly the published entries, with their codes, provider and the platform region', async () => {
    const res = await getText('json');
    expect(res.status).toBe(200);
    expect(res.type).toContain('application/json');
    const doc = JSON.parse(res.body);
    expect(doc).toMatchObject({ format: 'govdata-catalog-export', formatVersion: 1, platform: { regionCode: CITY, name: '示范市数据局' } });
    expect(Number.isNaN(Date.parse(doc.exportedAt))).toBe(false);
    expect(doc.entries.map((e: { resourceCode: string }) => e.resourceCode).sort()).toEqual(published.map((e) => e.code).sort());
    expect(doc.entries.map((e: { resourceCode: string }) => e.resourceCode)).not.toContain(retiredCode);
    expect(JSON.stringify(doc)).not.toContain('草稿中的信息');
    const first = doc.entries.find((e: { resourceCode: string }) => e.resourceCode === published[0].code);
    expect(first).toMatchObject({
      sourceRegion: CITY,
      version: 1,
      provider: { name: '示范市市场监督管理局', creditCode: expect.stringMatching(/^11420700/), regionCode: CITY, level: 'city' },
      metadata: { name: '市场主体登记信息', classification: { classCode: '2', itemCode: '01', categoryCode: '001' } },
    });
    // The exporting platform's local references mean nothing elsewhere.
    expect(first.metadata).not.toHaveProperty('systemId');
    expect(first.metadata.publishDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(draftId).toBeDefined();
  });

  it('is for the data bureau and auditors only', async () => {
    expect((await getText('json', await p.login('auditor'))).status).toBe(200);
    const refused = await op.call('GET', '/cascade/export');
    expect(refused.status).toBe(403);
    expect(refused.type).toContain('application/problem+json');
    expect((await op.call('GET', '/cascade/export.jsonld')).status).toBe(403);
    expect(auditor).toBeDefined();
  });

  it('writes DCAT-AP JSON-LD with a context, the mapped fields and gov: terms for the rest', async () => {
    const res = await getText('jsonld');
    expect(res.status).toBe(200);
    expect(res.type).toContain('application/ld+json');
    const doc = JSON.parse(res.body);
    expect(doc['@context']).toMatchObject({ dcat: 'http://www.w3.org/ns/dcat#', dct: 'http://purl.org/dc/terms/', foaf: 'http://xmlns.com/foaf/0.1/', skos: 'http://www.w3.org/2004/02/skos/core#', gov: expect.any(String) });
    expect(doc['@type']).toBe('dcat:Catalog');
    expect(doc['dct:title']['@value']).toContain('示范市数据局');
    expect(doc['dcat:dataset']).toHaveLength(published.length);

    const byCode = (code: string) => doc['dcat:dataset'].find((d: Record<string, unknown>) => d['dct:identifier'] === code);
    const ds = byCode(published[0].code);
    expect(ds['@type']).toBe('dcat:Dataset');
    expect(ds['@id']).toBe(`${p.baseUrl}/api/catalog/entries/${published[0].id}`);
    expect(ds['dct:title']).toEqual({ '@value': '市场主体登记信息', '@language': 'zh' });
    expect(ds['dct:description']['@value']).toContain('市场主体');
    expect(ds['dct:publisher']).toMatchObject({ '@type': 'foaf:Organization', 'foaf:name': { '@value': '示范市市场监督管理局' }, 'skos:notation': { '@value': expect.stringMatching(/^11420700/) } });
    expect(ds['dct:issued']).toEqual({ '@value': expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), '@type': 'xsd:date' });
    expect(ds['dct:accrualPeriodicity']).toEqual({ '@id': 'http://publications.europa.eu/resource/authority/frequency/DAILY' });
    expect(ds['dct:accessRights']).toEqual({ '@id': 'http://publications.europa.eu/resource/authority/access-right/PUBLIC' });
    expect(ds['dcat:theme']).toMatchObject({ 'skos:notation': '01', 'skos:prefLabel': { '@value': '市场监管' } });
    expect(ds['dcat:keyword'].map((k: { '@value': string }) => k['@value'])).toEqual(expect.arrayContaining(['市场监管', '营商环境']));
    expect(ds['dcat:distribution'][0]).toMatchObject({ '@type': 'dcat:Distribution', 'dct:format': { 'skos:notation': '3', 'skos:prefLabel': { '@value': '数据库' } }, 'gov:formatType': 'PostgreSQL' });
    expect(ds['gov:classification']).toMatchObject({ 'gov:classCode': '2', 'gov:itemCode': '01', 'gov:categoryCode': '001' });
    expect(ds['gov:shareType']).toMatchObject({ 'skos:notation': 'UNCONDITIONAL', 'skos:prefLabel': { '@value': '无条件共享' } });
    expect(ds['gov:securityGrade']).toBe('L1');
    expect(ds['gov:sourceRegion']).toBe(CITY);
    expect(ds['gov:dataItem'].map((i: Record<string, { '@value': string }>) => i['gov:name']['@value'])).toEqual(['企业名称', '营业执照号', '成立日期']);

    const conditional = byCode(published[1].code);
    expect(conditional['dct:accrualPeriodicity']['@id']).toMatch(/\/frequency\/MONTHLY$/);
    expect(conditional['dct:accessRights']['@id']).toMatch(/\/access-right\/RESTRICTED$/);
    expect(conditional['gov:openCondition']['@value']).toBe('实名注册后申请');

    // Every compact IRI uses a prefix the context declares.
    const prefixes = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!v || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v)) {
        if (!k.startsWith('@')) prefixes.add(k.split(':')[0]);
        if (k === '@type') [x].flat().forEach((t) => prefixes.add(String(t).split(':')[0]));
        if (k !== '@context') walk(x);
      }
    };
    walk(doc);
    for (const prefix of prefixes) expect(Object.keys(doc['@context'])).toContain(prefix);
  });
});

describe('import of a district export', () => {
  const exported = () =>
    districtExport([
      // Same code as the city's first entry: the district issued it, so both coexist.
      districtEntry(published[0].code, '示范区夜市摊位登记信息'),
      districtEntry('101001/000007', '示范区数据资源汇聚清单', {
        provider: { name: '示范区数据局', creditCode: DISTRICT_BUREAU, regionCode: DISTRICT, level: 'district' },
        metadata: { ...compliantMetadata('00000000-0000-4000-8000-000000000002', { name: '示范区数据资源汇聚清单', classification: { classCode: '1', itemCode: '01', categoryCode: '001' }, tags: ['级联测试'] }), publishDate: '2026-03-01' },
      }),
    ]);
  let created: { resourceCode: string; entryId: string }[];

  it('reports what would happen in a dry run and writes nothing', async () => {
    const before = await footprint();
    const res = await admin.expect(200, 'POST', '/cascade/import?dryRun=true', exported());
    expect(res).toMatchObject({ dryRun: true, platform: { regionCode: CITY }, source: { regionCode: DISTRICT }, counts: { total: 2, created: 2, updated: 0, unchanged: 0, skipped: 0 } });
    expect(res.departments).toEqual({ matched: 1, registered: [{ name: '示范区市场监督管理局', creditCode: DISTRICT_SCJG, regionCode: DISTRICT, level: 'district' }] });
    expect(res.changes.map((c: { action: string }) => c.action)).toEqual(['created', 'created']);
    expect(await footprint()).toEqual(before);
  });

  it('creates published entries keeping the district’s codes and region, registers the new provider, indexes and announces them', async () => {
    const res = await admin.expect(200, 'POST', '/cascade/import?dryRun=false', exported());
    expect(res.counts).toEqual({ total: 2, created: 2, updated: 0, unchanged: 0, skipped: 0 });
    created = res.changes;

    const [sameCode, bureau] = await Promise.all(created.map((c) => districtOp.expect(200, 'GET', `/entries/${c.entryId}`)));
    expect(sameCode).toMatchObject({ status: 'published', resourceCode: published[0].code, sourceRegion: DISTRICT, publishedVersion: 1, deptName: '示范区市场监督管理局', publishedAt: '2026-03-02T08:00:00.000Z' });
    expect(sameCode.published.metadata).not.toHaveProperty('systemId');
    expect(bureau).toMatchObject({ resourceCode: '101001/000007', sourceRegion: DISTRICT, deptName: '示范区数据局' });
    // The city's own entry with the same code is untouched.
    expect((await op.expect(200, 'GET', `/entries/${published[0].id}`)).sourceRegion).toBeNull();

    const dept = (await p.pool.query(`SELECT level, parent_id, region_code FROM catalog.department WHERE credit_code = $1`, [DISTRICT_SCJG])).rows[0];
    expect(dept).toEqual({ level: 'district', parent_id: null, region_code: DISTRICT });
    expect(await count(`SELECT count(*)::int AS n FROM catalog.outbox WHERE event_name = 'org.department.registered' AND envelope->'payload'->>'creditCode' = $1`, [DISTRICT_SCJG])).toBe(1);

    const hits = (await op.expect(200, 'GET', `/entries?q=${encodeURIComponent('夜市摊位')}`)).hits;
    expect(hits.map((h: { entryId: string }) => h.entryId)).toEqual([sameCode.id]);
    expect(hits[0]).toMatchObject({ resourceCode: published[0].code, deptName: '示范区市场监督管理局', status: 'published' });
    expect((await op.expect(200, 'GET', `/entries?q=${encodeURIComponent('级联测试')}`)).hits.map((h: { entryId: string }) => h.entryId)).toEqual([bureau.id]);

    const [event] = await publishedEvents(sameCode.id);
    expect(event).toMatchObject({ version: 1, status: 'published', resourceCode: published[0].code, regionCode: DISTRICT, providerCode: DISTRICT_SCJG, deptName: '示范区市场监督管理局', publishedAt: '2026-03-02T08:00:00.000Z', metadata: { name: '示范区夜市摊位登记信息' } });
    expect((await publishedEvents(bureau.id)).map((e) => e.regionCode)).toEqual([DISTRICT]);
  });

  it('changes nothing when the same export is imported again', async () => {
    const before = await footprint();
    const res = await admin.expect(200, 'POST', '/cascade/import', exported());
    expect(res.counts).toEqual({ total: 2, created: 0, updated: 0, unchanged: 2, skipped: 0 });
    expect(res.changes).toEqual([]);
    expect(res.departments).toEqual({ matched: 2, registered: [] });
    expect(await footprint()).toEqual(before);
  });

  it('publishes a new version when the district changed an entry', async () => {
    const doc = exported();
    (doc.entries[0] as ReturnType<typeof districtEntry>).metadata.abstract = '示范区夜市摊位的登记信息，2020 年以来。';
    (doc.entries[0] as ReturnType<typeof districtEntry>).version = 2;
    const res = await admin.expect(200, 'POST', '/cascade/import', doc);
    expect(res.counts).toEqual({ total: 2, created: 0, updated: 1, unchanged: 1, skipped: 0 });
    expect(res.changes).toEqual([expect.objectContaining({ index: 0, action: 'updated', version: 2, entryId: created[0].entryId })]);
    const versions = await op.expect(200, 'GET', `/entries/${created[0].entryId}/versions`);
    expect(versions.map((v: { version: number; state: string }) => [v.version, v.state])).toEqual([[1, 'superseded'], [2, 'approved']]);
    expect((await publishedEvents(created[0].entryId)).map((e) => e.version)).toEqual([1, 2]);
    expect((await admin.expect(200, 'POST', '/cascade/import', doc)).counts.unchanged).toBe(2);
  });

  it('exports the imported entries with their source region next to the city’s own', async () => {
    const doc = JSON.parse((await getText('json')).body);
    const keys = doc.entries.map((e: { sourceRegion: string; resourceCode: string }) => `${e.sourceRegion}|${e.resourceCode}`);
    expect(keys).toEqual(expect.arrayContaining([`${CITY}|${published[0].code}`, `${DISTRICT}|${published[0].code}`, `${DISTRICT}|101001/000007`]));
    expect(doc.entries.find((e: { sourceRegion: string }) => e.sourceRegion === DISTRICT).provider.level).toBe('district');
  });

  it('lets the district’s new version overtake a change started in the city', async () => {
    const id = created[1].entryId;
    await admin.expect(201, 'POST', `/entries/${id}/versions`, { reason: '市级补充说明' });
    // An export may hold part of a catalog; entries it leaves out are left alone.
    const entry = exported().entries[1] as ReturnType<typeof districtEntry>;
    entry.metadata.tags = ['级联测试', '第二版'];
    const res = await admin.expect(200, 'POST', '/cascade/import', districtExport([entry]));
    expect(res.changes).toEqual([expect.objectContaining({ index: 0, action: 'updated', version: 3 })]);
    expect(await districtOp.expect(200, 'GET', `/entries/${id}`)).toMatchObject({ status: 'published', changeStatus: null, publishedVersion: 3, latestVersion: 3 });
    const versions = await admin.expect(200, 'GET', `/entries/${id}/versions`);
    expect(versions.map((v: { version: number; state: string }) => [v.version, v.state])).toEqual([[1, 'superseded'], [2, 'superseded'], [3, 'approved']]);
    expect((await admin.expect(200, 'GET', '/reviews?pageSize=100')).items.map((e: { id: string }) => e.id)).not.toContain(id);
  });

  it('skips an entry the city retired, and says so', async () => {
    const id = created[1].entryId;
    await admin.expect(200, 'POST', `/entries/${id}/retire`, { reason: '市级下架' });
    const entry = exported().entries[1] as ReturnType<typeof districtEntry>;
    entry.metadata.tags = ['级联测试', '第三版'];
    const before = await footprint();
    const res = await admin.expect(200, 'POST', '/cascade/import', districtExport([entry]));
    expect(res.counts).toEqual({ total: 1, created: 0, updated: 0, unchanged: 0, skipped: 1 });
    expect(res.changes).toEqual([expect.objectContaining({ index: 0, action: 'skipped', reason: 'retired', entryId: id })]);
    expect((await districtOp.expect(200, 'GET', `/entries/${id}`)).status).toBe('retired');
    expect(await footprint()).toEqual(before);
  });
});

describe('refusals: nothing is written', () => {
  const good = () => districtEntry('201001/000100', '示范区校验用信息');
  const cases: [string, () => unknown, number, string, { field: string; code: string }[]][] = [
    ['a wrong format marker', () => ({ ...districtExport([good()]), format: 'something-else' }), 422, 'CASCADE_FORMAT_UNSUPPORTED', []],
    ['an unsupported format version', () => ({ ...districtExport([good()]), formatVersion: 2 }), 422, 'CASCADE_FORMAT_UNSUPPORTED', []],
    ['a region that is not below the city', () => districtExport([good()], '420802'), 422, 'CASCADE_REGION_NOT_CHILD', []],
    ['the city’s own region', () => districtExport([good()], CITY), 422, 'CASCADE_REGION_NOT_CHILD', []],
    ['an invalid resource code', () => districtExport([good(), districtEntry('9010/01', '坏代码')]), 422, 'CASCADE_IMPORT_INVALID', [{ field: 'entries[1].resourceCode', code: 'RESOURCE_CODE_INVALID' }]],
    [
      'an invalid credit code',
      () => districtExport([good(), districtEntry('201001/000101', '坏信用代码', { provider: { name: '示范区某局', creditCode: '11420702MB0000000X', regionCode: DISTRICT, level: 'district' } })]),
      422,
      'CASCADE_IMPORT_INVALID',
      [{ field: 'entries[1].provider.creditCode', code: 'CREDIT_CODE_INVALID' }],
    ],
    [
      'a code twice in the file (also when spelled differently)',
      () => districtExport([good(), districtEntry('201001/100', '重复代码')]),
      422,
      'CASCADE_IMPORT_INVALID',
      [{ field: 'entries[1].resourceCode', code: 'DUPLICATE_RESOURCE_CODE' }],
    ],
    [
      'metadata failing the shape checks',
      () => districtExport([good(), districtEntry('201001/000102', '坏元数据', { metadata: { ...compliantMetadata('00000000-0000-4000-8000-000000000001', { name: '坏元数据' }), share: { type: '部分共享' } } })]),
      422,
      'CASCADE_IMPORT_INVALID',
      [{ field: 'entries[1].metadata.share.type', code: 'METADATA_INVALID' }],
    ],
    ['an entry from a region outside the export’s', () => districtExport([good(), districtEntry('201001/000103', '外区目录', { sourceRegion: '420703' })]), 422, 'CASCADE_IMPORT_INVALID', [{ field: 'entries[1].sourceRegion', code: 'SOURCE_REGION_INVALID' }]],
    ['a body that is not an object', () => [good()], 422, 'CASCADE_FORMAT_UNSUPPORTED', []],
  ];

  it.each(cases)('refuses %s', async (_label, body, status, code, errors) => {
    const before = await footprint();
    const res = await admin.call('POST', '/cascade/import', body());
    expect(res.status).toBe(status);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.code).toBe(code);
    expect(res.body.message.zh).toMatch(/[\u4e00-\u9fa5]/);
    expect(res.body.message.en).toMatch(/[a-z]/);
    for (const e of errors) expect(res.body.errors).toContainEqual(expect.objectContaining(e));
    if (errors.length) expect(res.body.errors.every((e: { field: string }) => !e.field.startsWith('entries[0]'))).toBe(true);
    expect(await footprint()).toEqual(before);
  });

  it('lists every problem of every entry at once, by index and field', async () => {
    const doc = districtExport([
      districtEntry('bad', '一', { provider: { name: '示范区某局', creditCode: 'nope', regionCode: DISTRICT } }),
      districtEntry('201001/000110', '二', { publishedAt: 'yesterday', version: 0 }),
      districtEntry('201001/000110', '三'),
    ]);
    const res = await admin.call('POST', '/cascade/import?dryRun=true', doc);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string; code: string }) => `${e.field} ${e.code}`)).toEqual([
      'entries[0].resourceCode RESOURCE_CODE_INVALID',
      'entries[0].provider.creditCode CREDIT_CODE_INVALID',
      'entries[1].version VERSION_INVALID',
      'entries[1].publishedAt PUBLISHED_AT_INVALID',
      'entries[2].resourceCode DUPLICATE_RESOURCE_CODE',
    ]);
    expect(res.body.problemCount).toBe(5);
  });

  it('refuses a new provider whose name another department of the region holds', async () => {
    const before = await footprint();
    const clash = districtEntry('201001/000120', '同名部门', { provider: { name: '示范区数据局', creditCode: demoCreditCode(DISTRICT, 9), regionCode: DISTRICT, level: 'district' } });
    const res = await admin.call('POST', '/cascade/import', districtExport([clash]));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'entries[0].provider.name', code: 'PROVIDER_NAME_TAKEN' })]);
    expect(await footprint()).toEqual(before);
  });

  it('is for the data bureau only', async () => {
    expect((await auditor.call('POST', '/cascade/import', districtExport([good()]))).status).toBe(403);
    expect((await districtOp.call('POST', '/cascade/import', districtExport([good()]))).status).toBe(403);
    expect((await admin.call('POST', '/cascade/import?dryRun=maybe', districtExport([good()]))).body.code).toBe('VALIDATION_FAILED');
  });
});

describe('large exports', () => {
  const many = (n: number, from = 1000) =>
    districtExport(Array.from({ length: n }, (_, i) => districtEntry(`201001/${String(from + i).padStart(6, '0')}`, `示范区批量目录${from + i}`)));

  it('takes an export over the JSON body limit as application/octet-stream (gzip too), and streams it back', async () => {
    const doc = many(520);
    const raw = JSON.stringify(doc);
    expect(raw.length).toBeGreaterThan(64 * 1024);
    const asJson = await postRaw('/cascade/import', raw, { 'content-type': 'application/json' });
    expect(asJson.status).toBe(413);
    expect(asJson.body.code).toBe('PAYLOAD_TOO_LARGE');

    const dry = await postRaw('/cascade/import?dryRun=true', gzipSync(raw), { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' });
    expect(dry.status).toBe(200);
    expect(dry.body.counts.created).toBe(520);
    const res = await postRaw('/cascade/import', raw, { 'content-type': 'application/octet-stream' });
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ total: 520, created: 520 });
    expect((await postRaw('/cascade/import', 'text', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await postRaw('/cascade/import', '{"format": ', { 'content-type': 'application/octet-stream' })).body.code).toBe('MALFORMED_JSON');

    // More than one export batch (500) comes back, each entry once.
    const exported = JSON.parse((await getText('json')).body);
    const total = await count(`SELECT count(*)::int AS n FROM catalog.catalog_entry WHERE status = 'published'`);
    expect(exported.entries).toHaveLength(total);
    expect(total).toBeGreaterThan(520);
    expect(new Set(exported.entries.map((e: { sourceRegion: string; resourceCode: string }) => `${e.sourceRegion}|${e.resourceCode}`)).size).toBe(total);
    const ld = JSON.parse((await getText('jsonld')).body);
    expect(ld['dcat:dataset']).toHaveLength(total);
  }, 60_000);
});
