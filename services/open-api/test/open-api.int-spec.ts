import { toShanghaiDate } from '@gov/shared';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { eventually, startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { demoCreditCode } from '../../catalog/src/demo/demo-city.seeder';
import { ServiceApi } from '../../ingest/test/ingest-fixtures';
import { accessEvents, idNumber, mobile, OpenApi, openSettingsOf, publishOpenDataset, relaxLimits } from './open-fixtures';

/** 开放: catalog, records, downloads, developers and keys, limits, blacklist, conditional opening, interaction, statistics, harvesting. */
let p: TestPlatform;
let api: OpenApi;
let op: ServiceApi;
let admin: ServiceApi;
let ingest: ServiceApi;
let adminToken: string;
let revToken: string;
let otherRevToken: string;
let enterprise: { entryId: string; datasetId: string };
let relief: { entryId: string; datasetId: string };
let devToken: string;
let appId: string;
let apiKey: string;

const ROWS = 300;
const ITEMS = [
  { name: '统一社会信用代码', dataType: 'C', length: 18 },
  { name: '企业名称', dataType: 'C', length: 100, description: '登记的企业名称' },
  { name: '法定代表人', dataType: 'C', length: 50, personal: true, masking: 'chineseName' },
  { name: '公民身份号码', dataType: 'C', length: 18, personal: true, masking: 'idNumber' },
  { name: '手机号码', dataType: 'C', length: 11, personal: true },
  { name: '注册资本', dataType: 'Y', length: 20 },
  { name: '成立日期', dataType: 'D' },
  { name: '区县', dataType: 'C', length: 20 },
  { name: '备注', dataType: 'C', length: 500 },
];
const DISTRICTS = ['黄石港区', '西塞山区', '下陆区', '铁山区'];

function enterpriseCsv(): string {
  const lines = ['统一社会信用代码,企业名称,法定代表人,公民身份号码,手机号码,注册资本,成立日期,区县,备注'];
  for (let i = 0; i < ROWS; i++) {
    const note = i === 0 ? '=1+2' : i === 1 ? `联系人 ${idNumber(9000 + i)} 电话 ${mobile(9000 + i)}` : `备注${i}`;
    lines.push([demoCreditCode('420200', i), `黄石企业${i}`, `张${'伟芳娜敏静'[i % 5]}${i}`, idNumber(i), mobile(i), String(1000 + i * 10), `2020-01-${String((i % 28) + 1).padStart(2, '0')}`, DISTRICTS[i % 4], note].join(','));
  }
  return lines.join('\n') + '\n';
}

beforeAll(async () => {
  p = await startTestPlatform();
  relaxLimits(p);
  const [opToken, aToken, rev, otherRev] = await Promise.all([p.login('scjg_op'), p.login('admin'), p.login('scjg_rev'), p.login('rsj_rev')]);
  adminToken = aToken;
  revToken = rev;
  otherRevToken = otherRev;
  op = new ServiceApi(p.baseUrl, 'catalog', opToken);
  admin = new ServiceApi(p.baseUrl, 'catalog', aToken);
  ingest = new ServiceApi(p.baseUrl, 'ingest', opToken);
  api = new OpenApi(p.baseUrl);
  enterprise = await publishOpenDataset(p, op, admin, ingest, { name: '黄石市企业联系人信息', items: ITEMS, csv: enterpriseCsv(), tags: ['营商环境'] });
  relief = await publishOpenDataset(p, op, admin, ingest, {
    name: '困难群众救助对象信息',
    items: [
      { name: '姓名', dataType: 'C', length: 50, personal: true, masking: 'chineseName' },
      { name: '救助类别', dataType: 'C', length: 20 },
      { name: '救助金额', dataType: 'Y', length: 20 },
    ],
    open: 'CONDITIONAL',
    grade: 'L3',
    domainCode: '02',
    csv: '姓名,救助类别,救助金额\n王小明,低保,800\n李大红,特困,1200\n',
  });
  await publishOpenDataset(p, op, admin, ingest, { name: '不予开放的内部数据', items: [{ name: '事项', dataType: 'C', length: 50 }], open: 'NOT_OPEN', grade: 'L4', csv: '事项\n甲\n' });
  const dev = await api.expect(201, 'POST', '/v1/developers', { body: { email: 'dev@example.com', password: 'Secret#2026', name: '开发者甲', organisation: '黄石数据科技有限公司' } });
  devToken = dev.accessToken;
  const app = await api.expect(201, 'POST', '/v1/developers/me/apps', { token: devToken, body: { name: '企业查询小程序' } });
  appId = app.id;
  apiKey = app.key.apiKey;
}, 180_000);

afterAll(async () => {
  await p?.close();
}, 30_000);

describe('public catalog', () => {
  it('lists only open entries, searches Chinese keywords with facets and sorts', async () => {
    const all = await api.expect(200, 'GET', '/v1/datasets');
    expect(all.items.map((i: any) => i.name).sort()).toEqual(['困难群众救助对象信息', '黄石市企业联系人信息']);
    const hit = await api.expect(200, 'GET', `/v1/datasets?q=${encodeURIComponent('企业 联系人')}`);
    expect(hit.items.map((i: any) => i.name)).toEqual(['黄石市企业联系人信息']);
    expect(hit.facets.openType).toEqual([{ value: 'UNCONDITIONAL', label: '无条件开放', count: 1 }]);
    const cond = await api.expect(200, 'GET', '/v1/datasets?openType=CONDITIONAL');
    expect(cond.items.map((i: any) => i.name)).toEqual(['困难群众救助对象信息']);
    // Facets count over the other filters: both open types stay visible while one is chosen.
    expect(cond.facets.openType.map((f: any) => f.value).sort()).toEqual(['CONDITIONAL', 'UNCONDITIONAL']);
    expect(all.facets.domain.length).toBe(2);
    expect((await api.call('GET', '/v1/datasets?sort=bogus')).status).toBe(400);
    expect((await api.expect(200, 'GET', `/v1/datasets?q=${encodeURIComponent('不存在的词语')}`)).total).toBe(0);
  });

  it('serves the dataset page with items, licence, counts and a masked preview', async () => {
    const page = await api.expect(200, 'GET', `/v1/datasets/${enterprise.entryId}`);
    expect(page).toMatchObject({ name: '黄石市企业联系人信息', rows: ROWS, hasData: true, openType: { code: 'UNCONDITIONAL' } });
    expect(page.licence).toContain('开放数据');
    expect(page.items.find((i: any) => i.name === '公民身份号码')).toMatchObject({ personal: true, masked: true });
    expect(page.items.find((i: any) => i.name === '企业名称')).toMatchObject({ description: '登记的企业名称', masked: false });
    expect(page.preview.rows).toHaveLength(10);
    expect(page.preview.rows[0]['公民身份号码']).toBe(`${idNumber(0)[0]}${'*'.repeat(15)}${idNumber(0).slice(-2)}`);
    expect(page.preview.rows[0]['手机号码']).toBe('138****0000');
    expect(page.preview.rows[1]['备注']).not.toContain(idNumber(9001));
    expect(page.examples.curl).toContain('X-API-Key');
    expect((await api.call('GET', '/v1/datasets/00000000-0000-0000-0000-000000000000')).body.code).toBe('OPEN_DATASET_NOT_FOUND');
  });
});

describe('developers, apps and keys', () => {
  it('shows a key once and stores only its hash', async () => {
    expect(apiKey).toMatch(/^gdk_[0-9a-f]{8}_/);
    const apps = await api.expect(200, 'GET', '/v1/developers/me/apps', { token: devToken });
    expect(JSON.stringify(apps)).not.toContain(apiKey);
    expect(apps[0].keys[0].prefix).toBe(apiKey.slice(4, 12));
    const stored = await p.pool.query(`SELECT hash FROM openapi.api_key`);
    expect(stored.rows.map((r) => r.hash)).not.toContain(apiKey);
    expect((await api.call('POST', '/v1/developers', { body: { email: 'DEV@example.com', password: 'Secret#2026', name: 'x' } })).body.code).toBe('OPEN_EMAIL_TAKEN');
    expect((await api.call('POST', '/v1/developers/login', { body: { email: 'dev@example.com', password: 'wrong-password' } })).status).toBe(401);
    expect((await api.expect(200, 'POST', '/v1/developers/login', { body: { email: 'dev@example.com', password: 'Secret#2026' } })).accessToken).toBeTruthy();
    expect((await api.call('GET', '/v1/developers/me/apps')).body.code).toBe('OPEN_DEVELOPER_REQUIRED');
  });

  it('rotates and revokes keys: the old key stops working at once', async () => {
    const app = await api.expect(201, 'POST', '/v1/developers/me/apps', { token: devToken, body: { name: '轮换测试' } });
    const first = app.key;
    await api.expect(200, 'GET', `/v1/datasets/${enterprise.entryId}/records?limit=1`, { key: first.apiKey });
    const rotated = await api.expect(201, 'POST', `/v1/developers/me/apps/${app.id}/keys/${first.id}/rotate`, { token: devToken });
    expect((await api.call('GET', `/v1/datasets/${enterprise.entryId}/records?limit=1`, { key: first.apiKey })).status).toBe(401);
    await api.expect(200, 'GET', `/v1/datasets/${enterprise.entryId}/records?limit=1`, { key: rotated.apiKey });
    await api.expect(200, 'POST', `/v1/developers/me/apps/${app.id}/keys/${rotated.id}/revoke`, { token: devToken });
    const refused = await api.call('GET', `/v1/datasets/${enterprise.entryId}/records?limit=1`, { key: rotated.apiKey });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect((await api.call('POST', `/v1/developers/me/apps/${app.id}/keys/${rotated.id}/revoke`, { token: devToken })).body.code).toBe('OPEN_KEY_REVOKED');
    const events = await accessEvents(p);
    expect(events.some((e) => e.outcome === 'denied' && e.reasonCode === 'KEY_REVOKED' && e.keyPrefix === rotated.prefix)).toBe(true);
  });
});

describe('records API', () => {
  const records = (qs: string, key = apiKey, headers?: Record<string, string>) => api.call('GET', `/v1/datasets/${enterprise.entryId}/records?${qs}`, { key, headers });

  it('needs a key; anonymous callers are refused with a clear code', async () => {
    const res = await records('limit=1', '');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('OPEN_KEY_REQUIRED');
  });

  it('selects, filters, orders and pages with a cursor through every matching row', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs: string = `fields=${encodeURIComponent('企业名称,注册资本')}&filter=${encodeURIComponent('区县:eq:下陆区')}&order=-${encodeURIComponent('注册资本')}&limit=20&count=true${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await records(qs);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(ROWS / 4);
      expect(Object.keys(res.body.records[0] ?? { 企业名称: 1, 注册资本: 1 })).toEqual(['企业名称', '注册资本']);
      for (const r of res.body.records) seen.push(r['企业名称']);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    const expected = Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 4 === 2).sort((a, b) => b - a).map((i) => `黄石企业${i}`);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(ROWS / 4 / 20));
  });

  it('supports ranges, IN, prefix, full text, null checks, aggregates and CSV', async () => {
    const range = await records(`filter=${encodeURIComponent('注册资本:between:1000,1040')}&filter=${encodeURIComponent('成立日期:gte:2020-01-02')}&order=${encodeURIComponent('注册资本')}`);
    expect(range.body.records.map((r: any) => r['注册资本'])).toEqual([1010, 1020, 1030, 1040]);
    const inList = await records(`filter=${encodeURIComponent('企业名称:in:黄石企业1,黄石企业2,没有这家')}&count=true`);
    expect(inList.body.total).toBe(2);
    expect((await records(`filter=${encodeURIComponent('企业名称:prefix:黄石企业29')}&count=true`)).body.total).toBe(11);
    expect((await records(`q=${encodeURIComponent('企业29')}&count=true&limit=1`)).body.total).toBe(11);
    expect((await records(`filter=${encodeURIComponent('备注:search:联系人')}&count=true`)).body.total).toBe(1);
    expect((await records(`filter=${encodeURIComponent('备注:null')}&count=true`)).body.total).toBe(0);
    const agg = await records(`groupBy=${encodeURIComponent('区县')}&agg=${encodeURIComponent('count,sum:注册资本')}&order=${encodeURIComponent('区县')}`);
    expect(agg.body.records).toHaveLength(4);
    expect(agg.body.records.find((r: any) => r['区县'] === '黄石港区')).toMatchObject({ count: ROWS / 4 });
    const csv = await records(`fields=${encodeURIComponent('企业名称,备注')}&limit=2&format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.raw.toString('utf8')).toBe("\ufeff企业名称,备注\r\n黄石企业0,'=1+2\r\n黄石企业1,联系人 4***************" + idNumber(9001).slice(-2) + ' 电话 138****9001\r\n');
  });

  it('refuses bad queries with 400 and a stable code', async () => {
    const cases: [string, string][] = [
      ['fields=nope', 'QUERY_UNKNOWN_FIELD'],
      [`filter=${encodeURIComponent('注册资本:gt:abc')}`, 'QUERY_BAD_VALUE'],
      [`filter=${encodeURIComponent("企业名称:eq:x' OR '1'='1")}&count=true`, ''],
      ['limit=1001', 'QUERY_LIMIT_EXCEEDED'],
      ['cursor=abc', 'QUERY_BAD_CURSOR'],
      ['select=*', 'QUERY_UNKNOWN_PARAMETER'],
      [`filter=${encodeURIComponent('注册资本:drop:1')}`, 'QUERY_BAD_OPERATOR'],
      ['format=xml', 'OPEN_BAD_FORMAT'],
    ];
    for (const [qs, code] of cases) {
      const res = await records(qs);
      if (code === '') {
        expect(res.status).toBe(200);
        expect(res.body.total).toBe(0);
      } else {
        expect({ qs, status: res.status, code: res.body.code }).toEqual({ qs, status: 400, code });
      }
    }
  });

  it('documents each dataset as OpenAPI 3 with code samples', async () => {
    const doc = await api.expect(200, 'GET', `/v1/datasets/${enterprise.entryId}/openapi.json`);
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.components.schemas.Record.properties['注册资本']).toMatchObject({ type: 'number' });
    expect(doc.components.schemas.Record.properties['公民身份号码'].description).toContain('已脱敏');
    const op = doc.paths[`/v1/datasets/${enterprise.entryId}/records`].get;
    expect(op['x-codeSamples'].map((s: any) => s.lang)).toEqual(['Shell', 'JavaScript', 'Python']);
  });

  it('emits access events with app, key, fields, rows and the correlation id, and counts usage per day', async () => {
    await records('limit=7', apiKey, { 'x-correlation-id': 'open-test-corr-0001' });
    const events = await accessEvents(p);
    const mine = events.find((e) => e.correlationId === 'open-test-corr-0001');
    expect(mine).toMatchObject({ channel: 'open', kind: 'records', outcome: 'allowed', appId, keyPrefix: apiKey.slice(4, 12), rowCount: 7, entryId: enterprise.entryId, datasetId: enterprise.datasetId, personalData: true });
    expect(mine!.fields).toContain('公民身份号码');
    expect(mine!.actor).toMatchObject({ type: 'app', id: appId });
    expect(events.some((e) => e.appId === appId && e.outcome === 'denied' && e.reasonCode === 'QUERY_LIMIT_EXCEEDED')).toBe(true);
    const usage = await api.expect(200, 'GET', `/v1/developers/me/apps/${appId}/usage`, { token: devToken });
    expect(usage.days[0].calls).toBeGreaterThan(5);
    expect(usage.days[0].errors).toBeGreaterThan(3);
    expect(usage.days[0].rows).toBeGreaterThan(ROWS / 4);
    // The audit service receives them.
    await eventually(async () => Number((await p.pool.query(`SELECT count(*) FROM audit.audit_record WHERE event_name = 'open.data.accessed'`).catch(() => ({ rows: [{ count: 0 }] }))).rows[0].count) > 0, 15_000);
  });
});

describe('downloads', () => {
  const url = (qs = '') => `/v1/datasets/${enterprise.entryId}/download${qs}`;

  it('streams CSV with BOM (GBK on request), XLSX and JSON, formulas escaped', async () => {
    const csv = await api.call('GET', url('?format=csv'));
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toContain("filename*=UTF-8''");
    const text = csv.raw.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.split('\r\n')).toHaveLength(ROWS + 2);
    expect(text).toContain(",'=1+2\r\n");
    const gbk = await api.call('GET', url('?format=csv&encoding=gbk'));
    expect(gbk.headers.get('content-type')).toContain('GBK');
    expect(iconv.decode(gbk.raw, 'gbk').split('\r\n')[0]).toBe(ITEMS.map((i) => i.name).join(','));
    const json = await api.call('GET', url('?format=json'));
    expect(JSON.parse(json.raw.toString('utf8'))).toHaveLength(ROWS);
    const xlsx = await api.call('GET', url('?format=xlsx'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.raw as any);
    expect(wb.worksheets[0].rowCount).toBe(ROWS + 1);
    expect(wb.worksheets[0].getCell('I2').value).toBe("'=1+2");
    expect((await api.call('GET', url('?format=pdf'))).body.code).toBe('OPEN_BAD_FORMAT');
  });

  it('answers conditional requests and byte ranges', async () => {
    const full = await api.call('GET', url('?format=csv'));
    const etag = full.headers.get('etag')!;
    expect(etag).toMatch(/^".+-csv-utf-8"$/);
    expect((await api.call('GET', url('?format=csv'), { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await api.call('GET', url('?format=csv'), { headers: { 'if-modified-since': full.headers.get('last-modified')! } })).status).toBe(304);
    const part = await api.call('GET', url('?format=csv'), { headers: { range: 'bytes=3-20' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 3-20/${full.raw.length}`);
    expect(part.raw).toEqual(full.raw.subarray(3, 21));
    const tail = await api.call('GET', url('?format=csv'), { headers: { range: 'bytes=-10' } });
    expect(tail.raw).toEqual(full.raw.subarray(full.raw.length - 10));
    const bad = await api.call('GET', url('?format=csv'), { headers: { range: `bytes=${full.raw.length + 5}-` } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe(`bytes */${full.raw.length}`);
    // After the file was built, a plain download is served from it with a length.
    const again = await api.call('GET', url('?format=csv'));
    expect(again.headers.get('content-length')).toBe(String(full.raw.length));
    expect(again.raw).toEqual(full.raw);
  });

  it('limits anonymous downloads to small datasets', async () => {
    const s = openSettingsOf(p);
    const before = s.tiers.anonymous.maxDownloadRows;
    s.tiers.anonymous.maxDownloadRows = 100;
    try {
      const res = await api.call('GET', url('?format=json'));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('OPEN_ANONYMOUS_LIMIT');
      expect((await api.call('GET', url('?format=json'), { key: apiKey })).status).toBe(200);
    } finally {
      s.tiers.anonymous.maxDownloadRows = before;
    }
  });
});

describe('rate limits, quotas, large-volume registration and blacklist', () => {
  it('answers 429 with Retry-After and RateLimit headers past the per-second limit', async () => {
    // A fresh app, so calls of earlier tests in the same second do not count against this burst.
    const app = await api.expect(201, 'POST', '/v1/developers/me/apps', { token: devToken, body: { name: '限流测试' } });
    const s = openSettingsOf(p);
    const saved = { ...s.tiers.basic };
    s.tiers.basic.perSecond = 3;
    try {
      const results = await Promise.all(Array.from({ length: 12 }, () => api.call('GET', `/v1/datasets/${enterprise.entryId}/records?limit=1`, { key: app.key.apiKey })));
      expect(results.every((r) => r.status === 200 || r.status === 429)).toBe(true);
      const refused = results.filter((r) => r.status === 429);
      expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(6);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0].body.code).toBe('OPEN_RATE_LIMITED');
      expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused[0].headers.get('ratelimit-remaining')).toBe('0');
      expect(results.find((r) => r.status === 200)!.headers.get('ratelimit-policy')).toBe('3;w=1, 20000000;w=86400'.replace('20000000', String(s.tiers.basic.perDay)));
    } finally {
      Object.assign(s.tiers.basic, saved);
    }
  });

  it('warns at 80% of the daily quota, refuses above it, and a registered large-volume app gets the higher tier', async () => {
    const app = await api.expect(201, 'POST', '/v1/developers/me/apps', { token: devToken, body: { name: '额度测试' } });
    const s = openSettingsOf(p);
    const saved = { ...s.tiers.basic };
    s.tiers.basic.perDay = 5;
    try {
      const statuses: number[] = [];
      const warnings: (string | null)[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await api.call('GET', `/v1/datasets/${enterprise.entryId}/records?limit=1`, { key: app.key.apiKey });
        statuses.push(r.status);
        warnings.push(r.headers.get('x-quota-warning'));
        if (r.status === 429) expect(r.body.code).toBe('OPEN_QUOTA_EXCEEDED');
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(warnings.slice(0, 3)).toEqual([null, null, null]);
      expect(warnings[3]).toContain('4/5');
      const warned = await p.pool.query(`SELECT envelope FROM openapi.outbox WHERE event_name = 'open.quota.warned'`);
      expect(warned.rows.map((r) => r.envelope.payload)).toContainEqual(expect.objectContaining({ scope: 'app', subject: app.id, used: 4, limit: 5 }));

      const reg = await api.expect(201, 'POST', `/v1/developers/me/apps/${app.id}/large-volume`, { token: devToken, body: { purpose: '面向全市企业的信用查询服务，持续每日调用', expectedDailyCalls: 50000 } });
      const bureau = new OpenApi(p.baseUrl);
      expect((await bureau.call('POST', `/v1/admin/large-volume/${reg.id}/decide`, { token: revToken, body: { approve: true } })).status).toBe(403);
      await bureau.expect(200, 'POST', `/v1/admin/large-volume/${reg.id}/decide`, { token: adminToken, body: { approve: true } });
      const after = await api.call('GET', `/v1/datasets/${enterprise.entryId}/records?limit=1`, { key: app.key.apiKey });
      expect(after.status).toBe(200);
      expect(after.headers.get('ratelimit-policy')).toContain(`${s.tiers.registered.perDay};w=86400`);
    } finally {
      Object.assign(s.tiers.basic, saved);
    }
  });

  it('blacklists apps and IPs (data bureau only) and lifts it again', async () => {
    const bureau = new OpenApi(p.baseUrl);
    expect((await bureau.call('POST', '/v1/admin/blacklist', { token: revToken, body: { kind: 'app', value: appId, reason: '恶意爬取' } })).status).toBe(403);
    const entry = await bureau.expect(201, 'POST', '/v1/admin/blacklist', { token: adminToken, body: { kind: 'app', value: appId, reason: '恶意爬取' } });
    const refused = await api.call('GET', `/v1/datasets/${enterprise.entryId}/records?limit=1`, { key: apiKey });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('OPEN_BLACKLISTED');
    await bureau.expect(200, 'DELETE', `/v1/admin/blacklist/${entry.id}`, { token: adminToken });
    await api.expect(200, 'GET', `/v1/datasets/${enterprise.entryId}/records?limit=1`, { key: apiKey });

    const ip = await bureau.expect(201, 'POST', '/v1/admin/blacklist', { token: adminToken, body: { kind: 'ip', value: '127.0.0.1', reason: '攻击流量' } });
    // The list pages newest first (id tie-break), only entries in force, for the data bureau only.
    const key = await bureau.expect(201, 'POST', '/v1/admin/blacklist', { token: adminToken, body: { kind: 'key', value: 'ok_nobody', reason: '分页测试' } });
    const first = await bureau.expect(200, 'GET', '/v1/admin/blacklist?pageSize=1', { token: adminToken });
    expect(first).toMatchObject({ total: 2, page: 1, pageSize: 1, items: [{ id: key.id, kind: 'key' }] });
    expect(await bureau.expect(200, 'GET', '/v1/admin/blacklist?page=2&pageSize=1', { token: adminToken })).toMatchObject({ total: 2, items: [{ id: ip.id, kind: 'ip', reason: '攻击流量' }] });
    expect(await bureau.expect(200, 'GET', '/v1/admin/blacklist?kind=app', { token: adminToken })).toMatchObject({ total: 0, items: [] });
    expect((await bureau.call('GET', '/v1/admin/blacklist', { token: revToken })).status).toBe(403);
    await bureau.expect(200, 'DELETE', `/v1/admin/blacklist/${key.id}`, { token: adminToken });
    expect((await api.call('GET', `/v1/datasets/${enterprise.entryId}/download?format=csv`)).body.code).toBe('OPEN_BLACKLISTED');
    await bureau.expect(200, 'DELETE', `/v1/admin/blacklist/${ip.id}`, { token: adminToken });
    expect((await api.call('GET', `/v1/datasets/${enterprise.entryId}`)).status).toBe(200);
    const changes = await p.pool.query(`SELECT count(*)::int AS n FROM openapi.outbox WHERE event_name = 'open.blacklist.changed'`);
    expect(changes.rows[0].n).toBe(6);
  });
});

describe('有条件开放 conditional opening', () => {
  const apply = (body: Record<string, unknown>) =>
    api.call('POST', '/v1/applications', {
      token: devToken,
      body: { datasetId: relief.entryId, appId, organisation: '黄石数据科技有限公司', creditCode: demoCreditCode('420200', 77), purpose: '研究救助政策的覆盖情况', scenario: '学术研究，不对外发布个体信息', commitments: '不尝试重新识别个人，不转让第三方，研究结束后销毁', ...body },
    });

  it('refuses access until the providing department approves; validates the credit code; answers in 5 working days', async () => {
    const denied = await api.call('GET', `/v1/datasets/${relief.entryId}/records`, { key: apiKey });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('OPEN_CONDITIONAL_NOT_APPROVED');
    expect((await api.call('GET', `/v1/datasets/${relief.entryId}/download?format=csv`)).body.code).toBe('OPEN_CONDITIONAL_KEY_REQUIRED');
    // The page is public; the preview waits for an approval.
    const pageBefore = await api.expect(200, 'GET', `/v1/datasets/${relief.entryId}`, { key: apiKey });
    expect(pageBefore.preview.rows).toEqual([]);
    expect(pageBefore.openCondition).toBe('仅限科研用途，须签署安全承诺');

    const bad = await apply({ creditCode: '91350203M0001QAY9B' });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('OPEN_BAD_CREDIT_CODE');
    expect((await api.call('POST', '/v1/applications', { token: devToken, body: { datasetId: enterprise.entryId, appId, organisation: 'x公司', creditCode: demoCreditCode('420200', 77), purpose: '12345', scenario: '12345', commitments: '1234567890' } })).body.code).toBe('OPEN_NOT_CONDITIONAL');

    const created = await apply({});
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('pending');
    expect(created.body.dueOn).toBe(openSettingsOf(p).calendar.addWorkingDays(toShanghaiDate(new Date()), 5));
    expect((await apply({})).body.code).toBe('OPEN_APPLICATION_PENDING');

    const reviewer = new OpenApi(p.baseUrl);
    const queue = await reviewer.expect(200, 'GET', '/v1/admin/applications?status=pending', { token: revToken });
    expect(queue.items.map((a: any) => a.id)).toContain(created.body.id);
    expect(queue.items.find((a: any) => a.id === created.body.id).datasetName).toEqual(expect.any(String));
    // Paging keeps the department scope: another department sees none of them, on any page.
    expect(await reviewer.expect(200, 'GET', '/v1/admin/applications', { token: otherRevToken })).toEqual({ items: [], total: 0, page: 1, pageSize: 20 });
    expect(await reviewer.expect(200, 'GET', '/v1/admin/applications?page=2&pageSize=1', { token: otherRevToken })).toEqual({ items: [], total: 0, page: 2, pageSize: 1 });
    const mine = await api.expect(200, 'GET', '/v1/applications/mine?pageSize=5', { token: devToken });
    expect(mine).toMatchObject({ total: 1, page: 1, pageSize: 5 });
    expect(mine.items[0].id).toBe(created.body.id);
    expect((await reviewer.call('POST', `/v1/admin/applications/${created.body.id}/decide`, { token: otherRevToken, body: { approve: false, reasons: '不是本部门的数据' } })).body.code).toBe('OPEN_NOT_YOUR_DEPARTMENT');
    expect((await reviewer.call('POST', `/v1/admin/applications/${created.body.id}/decide`, { token: revToken, body: { approve: true } })).body.code).toBe('OPEN_DECISION_INCOMPLETE');
    const decided = await reviewer.expect(200, 'POST', `/v1/admin/applications/${created.body.id}/decide`, { token: revToken, body: { approve: true, terms: '仅限研究使用，不得公开个体信息', endDate: '2099-12-31' } });
    expect(decided).toMatchObject({ status: 'approved', endDate: '2099-12-31' });

    const ok = await api.expect(200, 'GET', `/v1/datasets/${relief.entryId}/records?order=${encodeURIComponent('救助金额')}`, { key: apiKey });
    expect((await api.expect(200, 'GET', `/v1/datasets/${relief.entryId}`, { key: apiKey })).preview.rows.map((r: any) => r['姓名'])).toEqual(['王**', '李**']);
    expect(ok.records.map((r: any) => r['姓名'])).toEqual(['王**', '李**']);
    const stats = await reviewer.expect(200, 'GET', '/v1/admin/applications/stats', { token: adminToken });
    expect(stats).toContainEqual(expect.objectContaining({ total: 1, decided: 1, approved: 1, acceptanceRate: 1, onTimeRate: 1, overduePending: 0 }));

    // A cursor of one dataset is refused on another.
    const page = await api.expect(200, 'GET', `/v1/datasets/${relief.entryId}/records?limit=1`, { key: apiKey });
    const other = await api.call('GET', `/v1/datasets/${enterprise.entryId}/records?limit=1&cursor=${encodeURIComponent(page.nextCursor)}`, { key: apiKey });
    expect(other.status).toBe(400);
    expect(other.body.code).toBe('QUERY_CURSOR_MISMATCH');
  });
});

describe('public interaction, statistics and harvesting', () => {
  it('takes ratings, comments, error reports routed to the provider, data requests and showcase entries', async () => {
    const summary = await api.expect(200, 'POST', `/v1/datasets/${enterprise.entryId}/ratings`, { token: devToken, body: { usability: 5, completeness: 4, accuracy: 4, timeliness: 3 } });
    expect(summary).toMatchObject({ count: 1, usability: 5, average: 4 });
    expect((await api.call('POST', `/v1/datasets/${enterprise.entryId}/ratings`, { token: devToken, body: { usability: 9, completeness: 4, accuracy: 4, timeliness: 3 } })).status).toBe(400);
    await api.expect(201, 'POST', `/v1/datasets/${enterprise.entryId}/comments`, { token: devToken, body: { body: '数据很有用，希望增加经营范围字段' } });
    expect((await api.expect(200, 'GET', `/v1/datasets/${enterprise.entryId}/comments`)).items[0]).toMatchObject({ author: '开发者甲' });

    const report = await api.expect(201, 'POST', '/v1/feedback', { token: devToken, body: { kind: 'error_report', datasetId: enterprise.entryId, title: '注册资本有误', body: '黄石企业5 的注册资本与公示系统不一致' } });
    const staff = new OpenApi(p.baseUrl);
    const tasks = await staff.expect(200, 'GET', '/v1/admin/feedback?status=open', { token: revToken });
    expect(tasks.items.map((t: any) => t.id)).toContain(report.id);
    expect(await staff.expect(200, 'GET', '/v1/admin/feedback', { token: otherRevToken })).toMatchObject({ items: [], total: 0 });
    await staff.expect(200, 'POST', `/v1/admin/feedback/${report.id}/answer`, { token: revToken, body: { answer: '已核实并在下一版本中更正' } });
    const request = await api.expect(201, 'POST', '/v1/feedback', { body: { kind: 'data_request', title: '希望开放公交到站数据', body: '用于开发公交出行小程序' } });
    expect((await staff.call('POST', `/v1/admin/feedback/${request.id}/answer`, { token: revToken, body: { answer: '已转交交通运输局' } })).body.code).toBe('OPEN_NOT_YOUR_DEPARTMENT');
    await staff.expect(200, 'POST', `/v1/admin/feedback/${request.id}/answer`, { token: adminToken, body: { answer: '已转交交通运输局，预计下季度开放' } });
    const published = await api.expect(200, 'GET', '/v1/feedback');
    expect(published.items.find((f: any) => f.id === report.id)).toMatchObject({ status: 'answered', answer: '已核实并在下一版本中更正', datasetName: '黄石市企业联系人信息' });
    expect(published.items.find((f: any) => f.id === request.id)).toMatchObject({ kind: 'data_request', status: 'answered' });

    await api.expect(201, 'POST', '/v1/showcase', { token: devToken, body: { title: '企业查询小程序', description: '基于企业联系人信息的查询小程序', url: 'https://example.com/app', datasetIds: [enterprise.entryId] } });
    expect((await api.expect(200, 'GET', `/v1/showcase?datasetId=${enterprise.entryId}`)).items[0]).toMatchObject({ title: '企业查询小程序', author: '开发者甲' });
    const page = await api.expect(200, 'GET', `/v1/datasets/${enterprise.entryId}`);
    expect(page.rating).toMatchObject({ count: 1, average: 4 });
    expect((await api.expect(200, 'GET', '/v1/datasets?sort=rating')).items[0].id).toBe(enterprise.entryId);
  });

  it('pages comments, feedback and the showcase on the server: no overlap, a total, bad paging refused', async () => {
    for (let i = 0; i < 5; i++) await api.expect(201, 'POST', `/v1/datasets/${relief.entryId}/comments`, { token: devToken, body: { body: `分页评论 ${i}` } });
    const pages = [];
    for (const page of [1, 2, 3]) pages.push(await api.expect(200, 'GET', `/v1/datasets/${relief.entryId}/comments?page=${page}&pageSize=2`));
    expect(pages.map((x) => [x.total, x.page, x.pageSize, x.items.length])).toEqual([
      [5, 1, 2, 2],
      [5, 2, 2, 2],
      [5, 3, 2, 1],
    ]);
    const ids = pages.flatMap((x) => x.items.map((c: any) => c.id));
    expect(new Set(ids).size).toBe(5);
    expect(pages.flatMap((x) => x.items.map((c: any) => c.body))).toEqual(['分页评论 4', '分页评论 3', '分页评论 2', '分页评论 1', '分页评论 0']);

    for (const q of ['pageSize=101', 'pageSize=0', 'page=0', 'page=x']) {
      const res = await api.call('GET', `/v1/feedback?${q}`);
      expect([q, res.status, res.body.code]).toEqual([q, 400, 'VALIDATION_FAILED']);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const answered = await api.expect(200, 'GET', '/v1/feedback?kind=data_request&status=answered&pageSize=100');
    expect(answered.items.length).toBe(answered.total);
    expect(answered.items.every((f: any) => f.kind === 'data_request' && f.status === 'answered')).toBe(true);
    expect((await api.expect(200, 'GET', '/v1/feedback?status=open&pageSize=100')).items.every((f: any) => f.status === 'open')).toBe(true);
    const one = await api.expect(200, 'GET', '/v1/showcase?pageSize=1');
    expect(one).toMatchObject({ page: 1, pageSize: 1 });
    expect(one.items.length).toBe(Math.min(1, one.total));
  });

  it('publishes statistics: open rate, domains, downloads, API calls, top datasets, departments', async () => {
    await accessEvents(p);
    const s = await api.expect(200, 'GET', '/v1/statistics');
    expect(s).toMatchObject({ entriesPublished: 3, entriesOpen: 2, datasetsOpen: 2, datasetsWithData: 2, conditionalDatasets: 1, interfaceShare: 1 });
    expect(s.openRate).toBeCloseTo(2 / 3, 3);
    expect(s.downloads).toBeGreaterThan(5);
    expect(s.apiCalls).toBeGreaterThan(10);
    expect(s.topDatasets[0].id).toBe(enterprise.entryId);
    expect(s.domainCoverage.covered).toBe(2);
    expect(s.departments[0]).toMatchObject({ name: '示范市市场监督管理局', published: 3, open: 2 });
  });

  it('exposes the catalog as DCAT-AP JSON-LD and through CKAN package_search / package_show', async () => {
    const dcat = await api.call('GET', '/v1/catalog.jsonld');
    expect(dcat.headers.get('content-type')).toContain('application/ld+json');
    expect(dcat.body['@type']).toBe('dcat:Catalog');
    const ds = dcat.body['dcat:dataset'].find((d: any) => d['dct:title']['@value'] === '黄石市企业联系人信息');
    expect(ds['dcat:distribution'].map((d: any) => d['dct:format'] ?? d['dct:title'])).toEqual(['CSV', 'XLSX', 'JSON', 'API']);
    expect(ds['dct:accrualPeriodicity']['@id']).toMatch(/frequency\/MONTHLY$/);
    const search = await api.expect(200, 'GET', `/ckan/api/3/action/package_search?q=${encodeURIComponent('救助')}`);
    expect(search).toMatchObject({ success: true, result: { count: 1 } });
    const pkg = search.result.results[0];
    expect(pkg.resources.map((r: any) => r.format)).toEqual(['CSV', 'XLSX', 'JSON', 'API']);
    const show = await api.expect(200, 'GET', `/ckan/api/3/action/package_show?id=${pkg.name}`);
    expect(show.result.id).toBe(relief.entryId);
    expect((await api.call('GET', '/ckan/api/3/action/package_show?id=nope')).status).toBe(404);
  });
});
