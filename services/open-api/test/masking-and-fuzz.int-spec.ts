import { isChineseIdNumber, quoteIdent } from '@gov/shared';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { demoCreditCode } from '../../catalog/src/demo/demo-city.seeder';
import { ServiceApi } from '../../ingest/test/ingest-fixtures';
import { accessEvents, idNumber, mobile, OpenApi, publishOpenDataset, relaxLimits } from './open-fixtures';

/**
 * 脱敏扫描: a dataset seeded with real-format ID numbers and mobiles (flagged personal, and hidden
 * in a free-text column nobody flagged) goes through every open output; none may carry one
 * unmasked. Then a fuzz run: thousands of generated hostile requests get 4xx, never 500.
 */
let p: TestPlatform;
let api: OpenApi;
let key: string;
let open: { entryId: string; datasetId: string };
let conditional: { entryId: string; datasetId: string };
const N = 250;
const secrets: string[] = [];

function csv(): string {
  const lines = ['姓名,公民身份号码,手机号码,联系电话,家庭住址,电子邮箱,救助类别,情况说明'];
  for (let i = 0; i < N; i++) {
    const id = idNumber(i);
    const m = mobile(i);
    const hidden = idNumber(5000 + i);
    const hiddenMobile = mobile(5000 + i);
    secrets.push(id, m, hidden, hiddenMobile);
    lines.push([`王${'一二三四五'[i % 5]}${i}`, id, m, `0714-${String(6200000 + i)}`, `湖北省黄石市下陆区团城山街道${i}号`, `user${i}@example.com`, i % 2 ? '低保' : '特困', `申请人身份证${hidden}，手机${hiddenMobile}，已核实`].join(','));
  }
  return lines.join('\n') + '\n';
}

const ITEMS = [
  { name: '姓名', dataType: 'C', length: 50, personal: true, masking: 'chineseName' },
  { name: '公民身份号码', dataType: 'C', length: 18, personal: true, masking: 'idNumber' },
  { name: '手机号码', dataType: 'C', length: 11, personal: true, masking: 'mobile' },
  { name: '联系电话', dataType: 'C', length: 20, personal: true, masking: 'fixedPhone' },
  { name: '家庭住址', dataType: 'C', length: 200, personal: true, masking: 'address' },
  { name: '电子邮箱', dataType: 'C', length: 100, personal: true, masking: 'email' },
  { name: '救助类别', dataType: 'C', length: 20 },
  { name: '情况说明', dataType: 'C', length: 500 },
];

beforeAll(async () => {
  p = await startTestPlatform();
  relaxLimits(p);
  const [opToken, adminToken, revToken] = await Promise.all([p.login('mzj_op'), p.login('admin'), p.login('mzj_rev')]);
  const op = new ServiceApi(p.baseUrl, 'catalog', opToken);
  const admin = new ServiceApi(p.baseUrl, 'catalog', adminToken);
  const ingest = new ServiceApi(p.baseUrl, 'ingest', opToken);
  api = new OpenApi(p.baseUrl);
  const data = csv();
  open = await publishOpenDataset(p, op, admin, ingest, { name: '社会救助对象（脱敏开放）', items: ITEMS, csv: data });
  conditional = await publishOpenDataset(p, op, admin, ingest, { name: '社会救助对象（有条件开放）', items: ITEMS, csv: data, open: 'CONDITIONAL', grade: 'L2' });
  const dev = await api.expect(201, 'POST', '/v1/developers', { body: { email: 'scan@example.com', password: 'Secret#2026', name: '扫描者' } });
  const app = await api.expect(201, 'POST', '/v1/developers/me/apps', { token: dev.accessToken, body: { name: '扫描' } });
  key = app.key.apiKey;
  const application = await api.expect(201, 'POST', '/v1/applications', {
    token: dev.accessToken,
    body: { datasetId: conditional.entryId, appId: app.id, organisation: '黄石大学', creditCode: demoCreditCode('420200', 5), purpose: '救助政策研究', scenario: '学术研究统计', commitments: '不重新识别个人，不外传，研究结束后销毁' },
  });
  await api.expect(200, 'POST', `/v1/admin/applications/${application.id}/decide`, { token: revToken, body: { approve: true, terms: '仅限研究', endDate: '2099-12-31' } });
}, 240_000);

afterAll(async () => {
  await p?.close();
}, 30_000);

/** Every raw secret and anything that still looks like an ID number or a mobile. */
function leaks(text: string): string[] {
  const found = secrets.filter((s) => text.includes(s));
  for (const m of text.match(/\d{17}[\dXx]/g) ?? []) if (isChineseIdNumber(m)) found.push(m);
  for (const m of text.match(/(?<!\d)1[3-9]\d{9}(?!\d)/g) ?? []) found.push(m);
  for (const m of text.match(/user\d+@/g) ?? []) found.push(m);
  for (const m of text.match(/0714-62\d{5}/g) ?? []) found.push(m);
  return found;
}

async function xlsxText(buf: Buffer): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as any);
  const out: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((row) => out.push(JSON.stringify(row.values))));
  return out.join('\n');
}

describe('masking scan', () => {
  it('finds no unmasked personal data in any open output of either dataset', async () => {
    const outputs: [string, string][] = [];
    for (const d of [open, conditional]) {
      const base = `/v1/datasets/${d.entryId}`;
      outputs.push([`${d.entryId} page`, (await api.call('GET', base, { key })).raw.toString('utf8')]);
      let cursor: string | null = null;
      let all = '';
      do {
        const r: any = await api.expect(200, 'GET', `${base}/records?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key });
        all += JSON.stringify(r.records);
        cursor = r.nextCursor;
      } while (cursor);
      outputs.push([`${d.entryId} records json`, all]);
      outputs.push([`${d.entryId} records csv`, (await api.call('GET', `${base}/records?limit=1000&format=csv`, { key })).raw.toString('utf8')]);
      outputs.push([`${d.entryId} aggregate`, (await api.call('GET', `${base}/records?groupBy=${encodeURIComponent('救助类别')}&agg=${encodeURIComponent('min:公民身份号码,max:手机号码,max:情况说明')}`, { key })).raw.toString('utf8')]);
      outputs.push([`${d.entryId} search`, (await api.call('GET', `${base}/records?q=${encodeURIComponent(idNumber(3).slice(0, 6))}&limit=1000`, { key })).raw.toString('utf8')]);
      for (const f of ['csv', 'json']) outputs.push([`${d.entryId} download ${f}`, (await api.call('GET', `${base}/download?format=${f}`, { key })).raw.toString('utf8')]);
      outputs.push([`${d.entryId} download gbk`, iconv.decode((await api.call('GET', `${base}/download?format=csv&encoding=gbk`, { key })).raw, 'gbk')]);
      outputs.push([`${d.entryId} download xlsx`, await xlsxText((await api.call('GET', `${base}/download?format=xlsx`, { key })).raw)]);
      outputs.push([`${d.entryId} range`, (await api.call('GET', `${base}/download?format=csv`, { key, headers: { range: 'bytes=0-100000' } })).raw.toString('utf8')]);
      outputs.push([`${d.entryId} openapi`, (await api.call('GET', `${base}/openapi.json`)).raw.toString('utf8')]);
    }
    outputs.push(['dcat', (await api.call('GET', '/v1/catalog.jsonld')).raw.toString('utf8')]);
    outputs.push(['ckan', (await api.call('GET', '/ckan/api/3/action/package_search?rows=100')).raw.toString('utf8')]);

    // The scan can fail: the outputs really contain the (masked) rows.
    const json = outputs.find(([n]) => n === `${open.entryId} records json`)![1];
    expect(json).toContain('4***************');
    expect(json).toContain('138****');
    expect(outputs.find(([n]) => n.endsWith('download xlsx'))![1]).toContain('湖北省黄石市下陆');
    for (const [name, text] of outputs) expect({ name, leaks: leaks(text) }).toEqual({ name, leaks: [] });
    expect(leaks(secrets.slice(0, 4).join(' ')).length).toBeGreaterThan(0);
  });

  it('never stores unmasked personal data in the openapi schema', async () => {
    const tables = await p.pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'openapi' AND table_name LIKE 'od\\_%'`);
    expect(tables.rows).toHaveLength(2);
    for (const t of tables.rows) {
      const rows = await p.pool.query(`SELECT t::text AS line FROM openapi.${quoteIdent(t.table_name)} t`);
      expect(rows.rows).toHaveLength(N);
      expect(leaks(rows.rows.map((r) => r.line).join('\n'))).toEqual([]);
    }
  });
});

describe('fuzz', () => {
  const pieces = [
    '姓名', '公民身份号码', '救助类别', '情况说明', '_row', 'x', '', ':', '::', ',', '-', '--', ';', "'", '"', '\\', '%', '_', '*', '(', ')',
    'eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'between', 'prefix', 'search', 'null', 'notnull', 'like', 'regex',
    '1', '-1', '0', '1e309', 'NaN', 'Infinity', '99999999999999999999999', '2020-02-30', '2020-01-01', 'true',
    "' OR 1=1 --", '"; DROP TABLE openapi.developer; --', '$1', '$$', '\u0000', '\u202e', '😀', '%00', '%27', '%E4', '%ZZ',
    'pg_sleep(5)', 'SELECT', '/*', '*/', 'a'.repeat(600), '低保',
  ];
  const params = ['fields', 'filter', 'q', 'order', 'limit', 'cursor', 'count', 'groupBy', 'agg', 'format', 'encoding', 'select', 'filter[姓名]', 'limit[]', '__proto__', 'constructor'];
  let seed = 20261124;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const piece = () => pieces[rnd(pieces.length)];
  const value = () => Array.from({ length: 1 + rnd(4) }, piece).join(rnd(3) ? ':' : rnd(2) ? ',' : '');
  const enc = (s: string) => (rnd(8) === 0 ? s : encodeURIComponent(s));

  function request(): { path: string; headers: Record<string, string> } {
    const ids = [open.entryId, open.entryId, open.entryId, open.entryId, conditional.entryId, 'not-a-uuid', '00000000-0000-0000-0000-000000000000', enc(piece()), `${open.entryId}'`];
    const id = ids[rnd(ids.length)];
    const endpoints = ['records', 'records', 'records', 'download', 'openapi.json', ''];
    const endpoint = endpoints[rnd(endpoints.length)];
    const qs = Array.from({ length: rnd(5) }, () => `${enc(params[rnd(params.length)])}=${enc(value())}`).join('&');
    const headers: Record<string, string> = {};
    if (rnd(5)) headers['x-api-key'] = rnd(10) ? key : `gdk_${'0'.repeat(8)}_${'x'.repeat(32)}`;
    if (endpoint === 'download' && rnd(2)) headers.range = ['bytes=0-10', 'bytes=-5', 'bytes=10-1', 'bytes=abc', 'items=0-1', 'bytes=0-1,5-9', `bytes=${'9'.repeat(30)}-`][rnd(7)];
    if (rnd(6) === 0) headers['if-none-match'] = value().replace(/[^\x20-\x7e]/g, '');
    return { path: `/v1/datasets/${id}${endpoint ? `/${endpoint}` : ''}${qs ? `?${qs}` : ''}`, headers };
  }

  it('answers thousands of generated hostile requests with 2xx/3xx/4xx, never 5xx', async () => {
    const total = 3000;
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next++;
        const { path, headers } = request();
        let status: number;
        let body = '';
        let code: unknown;
        try {
          const res = await fetch(`${p.baseUrl}/api/open${path}`, { headers });
          status = res.status;
          body = await res.text();
          try {
            code = JSON.parse(body).code;
          } catch {
            code = undefined;
          }
        } catch (err) {
          status = -1;
          body = String(err);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500 || status < 0) failures.push(`${status} ${path.slice(0, 300)} ${JSON.stringify(headers)} → ${body.slice(0, 300)}`);
        else if (status >= 400 && typeof code !== 'string') failures.push(`${status} without problem code: ${path.slice(0, 300)}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    process.stdout.write(`[fuzz] ${total} requests: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}\n`);
    expect(failures.slice(0, 10)).toEqual([]);
    // The generator reaches the query compiler often enough to matter.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(total / 8);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(50);
    // The service is still healthy and answering normally afterwards.
    expect((await api.call('GET', `/v1/datasets/${open.entryId}/records?limit=1`, { key })).status).toBe(200);
    const events = await accessEvents(p);
    expect(events.filter((e) => e.outcome === 'denied' && e.reasonCode?.startsWith('QUERY_')).length).toBeGreaterThan(100);
  }, 240_000);
});
