import { startTestPlatform, eventually, TestPlatform } from '../../../test/test-platform';
import { ServiceApi } from '../../ingest/test/ingest-fixtures';
import { OpenApi, publishOpenDataset, relaxLimits } from './open-fixtures';

/** Columns ingest's discovery found personal but the catalog does not flag are withheld from every open output. */
let p: TestPlatform;
let open: OpenApi;
let entryId: string;
let datasetId: string;
let ingestOp: ServiceApi;
let ingestAdmin: ServiceApi;

const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨勇'];

beforeAll(async () => {
  p = await startTestPlatform();
  relaxLimits(p);
  open = new OpenApi(p.baseUrl);
  const [op, admin] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
  ingestOp = new ServiceApi(p.baseUrl, 'ingest', op);
  ingestAdmin = new ServiceApi(p.baseUrl, 'ingest', admin);
  const rows = Array.from({ length: 30 }, (_, i) => `示范门店${i + 1},${NAMES[i % NAMES.length]},${(i + 1) * 10}`);
  ({ entryId, datasetId } = await publishOpenDataset(p, new ServiceApi(p.baseUrl, 'catalog', op), new ServiceApi(p.baseUrl, 'catalog', admin), ingestOp, {
    name: '门店检查记录（敏感列测试）',
    items: [
      { name: '门店名称', dataType: 'C', length: 100 },
      { name: '联系人', dataType: 'C', length: 50 },
      { name: '检查得分', dataType: 'I', length: 3 },
    ],
    csv: ['门店名称,联系人,检查得分', ...rows].join('\n'),
  }));
}, 90_000);
afterAll(async () => {
  await p?.close();
});

async function previewNames(): Promise<string[]> {
  const page = await open.expect(200, 'GET', `/v1/datasets/${entryId}`);
  return page.preview.rows.map((r: Record<string, string>) => r['联系人']);
}

it('withholds an unflagged column of personal names, and opens it once the data bureau accepts the explanation', async () => {
  const findings = await ingestOp.expect(200, 'GET', `/datasets/${datasetId}/sensitive-findings`);
  expect(findings.blockedColumns).toEqual(['联系人']);
  const withheld = await previewNames();
  expect(withheld.length).toBeGreaterThan(0);
  for (const v of withheld) expect(v).toMatch(/^\*+$/);
  const stored = await p.pool.query(`SELECT table_name FROM openapi.open_dataset WHERE entry_id = $1`, [entryId]);
  const raw = await p.pool.query(`SELECT "联系人" AS v FROM openapi."${stored.rows[0].table_name}"`);
  expect(raw.rows.filter((r) => NAMES.includes(r.v))).toEqual([]); // never stored in the open schema either

  const finding = findings.findings.find((f: any) => f.column === '联系人');
  await ingestOp.expect(200, 'POST', `/sensitive-findings/${finding.id}/justify`, { reason: '联系人为门店公示的负责人姓名，已在门店张贴公开' });
  await ingestAdmin.expect(200, 'POST', `/sensitive-findings/${finding.id}/decide`, { accept: true, comment: '同意公开' });
  const opened = await eventually(async () => {
    const names = await previewNames();
    return names.some((n) => NAMES.includes(n)) ? names : undefined;
  }, 20_000);
  expect(opened.every((n) => NAMES.includes(n))).toBe(true);
}, 60_000);
