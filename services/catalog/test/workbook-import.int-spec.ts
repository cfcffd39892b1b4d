import ExcelJS from 'exceljs';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import type { CatalogMetadata } from '@gov/shared';
import { parseConfirmationWorkbook } from '../src/workbook/confirmation-workbook.parser';
import { buildCatalogWorkbook } from '../src/workbook/confirmation-workbook.writer';
import { editZip } from '../src/workbook/workbook.fixtures';
import { Api, compliantMetadata } from './catalog-fixtures';

/** 目录确认表: template → filled table → import (dry run, all-or-nothing) → export → re-import. */
// Building and reading workbooks takes seconds on a busy 2-core machine.
jest.setTimeout(30_000);

let p: TestPlatform;
let op: Api;
let admin: Api;
let opToken: string;
const SYSTEM = '市场主体登记管理系统';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

beforeAll(async () => {
  p = await startTestPlatform();
  opToken = await p.login('scjg_op');
  op = new Api(p.baseUrl, opToken);
  admin = new Api(p.baseUrl, await p.login('admin'));
  await op.expect(201, 'POST', '/systems', { name: SYSTEM });
}, 60_000);
afterAll(async () => {
  await p?.close();
});

const domains = () => p.pool.query(`SELECT code, label FROM catalog.data_domain ORDER BY code`).then((r) => r.rows);

/** A filled table; `overrides[i]` changes row i (values are written as they are, valid or not). */
async function filledTable(names: string[], overrides: Record<number, Partial<CatalogMetadata>> = {}, codes: Record<number, string> = {}): Promise<Buffer> {
  return buildCatalogWorkbook(
    names.map((name, i) => {
      const { systemId: _ignored, ...metadata } = compliantMetadata('unused', { name, ...overrides[i] });
      return { metadata, systemName: SYSTEM, resourceCode: codes[i] };
    }),
    { domains: await domains(), systems: [SYSTEM] },
  );
}

async function upload(body: Buffer, query = ''): Promise<{ status: number; body: any }> {
  const res = await fetch(`${p.baseUrl}/api/catalog/imports${query}`, { method: 'POST', headers: { authorization: `Bearer ${opToken}`, 'content-type': XLSX }, body });
  return { status: res.status, body: await res.json() };
}

const entryCount = async () => (await p.pool.query(`SELECT count(*)::int AS n FROM catalog.catalog_entry`)).rows[0].n;

it('serves the template as an xlsx download', async () => {
  const res = await fetch(`${p.baseUrl}/api/catalog/workbook/template`, { headers: { authorization: `Bearer ${opToken}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(XLSX);
  expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('目录确认表.xlsx'));
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await res.arrayBuffer()) as never);
  expect(wb.worksheets.map((w) => w.name)).toEqual(expect.arrayContaining(['目录', '信息项']));
});

it('previews a dry run without saving, then imports every row as a draft', async () => {
  const file = await filledTable(['企业注册登记信息', '个体工商户登记信息', '农民专业合作社登记信息']);
  const before = await entryCount();
  const preview = await upload(file, '?dryRun=true');
  expect(preview.status).toBe(200);
  expect(preview.body).toMatchObject({ dryRun: true, rows: 3, created: [] });
  expect(preview.body.preview.map((r: { action: string }) => r.action)).toEqual(['create', 'create', 'create']);
  expect(await entryCount()).toBe(before);

  const done = await upload(file);
  expect(done.status).toBe(200);
  expect(done.body.created).toHaveLength(3);
  expect(await entryCount()).toBe(before + 3);
  const drafts = await op.expect(200, 'GET', '/entries?status=draft&q=登记信息');
  expect(drafts.hits.map((h: { name: string }) => h.name).sort()).toEqual(['个体工商户登记信息', '企业注册登记信息', '农民专业合作社登记信息']);
  const entry = await op.expect(200, 'GET', `/entries/${done.body.created[0]}`);
  expect(entry.working.findings).toEqual([]);
  expect(entry.working.metadata.items.map((i: { name: string }) => i.name)).toEqual(['企业名称', '营业执照号', '成立日期']);
});

it('refuses the whole table when one row is wrong, naming sheet, row and column in Chinese', async () => {
  const bad = await filledTable(['特种设备使用登记信息', '计量器具检定信息'], { 1: { share: { type: '部分共享', methodClass: 'PLATFORM', methodType: 'API' } } });
  const before = await entryCount();
  const res = await upload(bad);
  expect(res.status).toBe(422);
  expect(res.body.code).toBe('IMPORT_INVALID');
  const problem = res.body.errors.find((e: { row: number }) => e.row === 3);
  expect(problem).toMatchObject({ sheet: '目录', row: 3, header: '共享类型' });
  expect(problem.zh).toMatch(/目录.*第 3 行.*共享类型/);
  expect(problem.zh).toContain('部分共享');
  expect(await entryCount()).toBe(before);
});

it('reports compliance failures on their cells (有条件共享 without a condition)', async () => {
  const bad = await filledTable(['检验检测机构资质信息'], { 0: { share: { type: 'CONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' } } });
  const res = await upload(bad);
  expect(res.status).toBe(422);
  expect(res.body.errors).toEqual([expect.objectContaining({ code: 'SHARE_CONDITION_REQUIRED', sheet: '目录', row: 2, header: '共享条件' })]);
});

it('refuses files that are not workbooks, with a stable code', async () => {
  const csv = Buffer.from('信息资源名称,共享类型\n企业信息,无条件共享\n', 'utf8');
  const res = await upload(csv);
  expect(res.status).toBe(422);
  expect(res.body.code).toBe('NOT_A_WORKBOOK');
  expect(res.body.message.zh).toMatch(/xlsx|工作簿/);
  const empty = await upload(Buffer.alloc(0));
  expect(empty.status).toBe(400);
});

it('exports the department catalog in the template layout; re-importing it changes nothing', async () => {
  const draft = await op.expect(201, 'POST', '/entries', { metadata: compliantMetadata((await op.expect(200, 'GET', '/systems'))[0].id, { name: '商标质押登记信息' }) });
  await op.expect(200, 'POST', `/entries/${draft.id}/submit`);
  const published = await admin.expect(200, 'POST', `/entries/${draft.id}/approve`, {});

  const res = await fetch(`${p.baseUrl}/api/catalog/exports/catalog?format=xlsx`, { headers: { authorization: `Bearer ${opToken}` } });
  expect(res.status).toBe(200);
  const exported = await parseConfirmationWorkbook(Buffer.from(await res.arrayBuffer()), { domains: await domains() });
  const row = exported.entries.find((e) => e.resourceCode === published.resourceCode)!;
  expect(row.metadata).toMatchObject({ name: '商标质押登记信息', share: { type: 'UNCONDITIONAL' }, updateCycle: 'DAILY' });
  expect(row.systemName).toBe(SYSTEM);

  const json = await op.expect(200, 'GET', '/exports/catalog?format=json');
  expect(json.entries.find((e: { resourceCode: string }) => e.resourceCode === published.resourceCode).metadata.name).toBe('商标质押登记信息');

  // Only the published entry has a code; keep that row alone to re-import it.
  const onlyPublished = await buildCatalogWorkbook([{ resourceCode: published.resourceCode, metadata: { ...published.published.metadata, systemId: undefined }, systemName: SYSTEM }], { domains: await domains(), systems: [SYSTEM] });
  const again = await upload(onlyPublished, '?dryRun=true');
  expect(again.status).toBe(200);
  expect(again.body.preview).toEqual([expect.objectContaining({ action: 'unchanged', resourceCode: published.resourceCode })]);

  const withCode = async (code: string) => {
    const { systemId: _s, publishDate: _d, ...metadata } = published.published.metadata;
    return buildCatalogWorkbook([{ resourceCode: code, metadata, systemName: SYSTEM }], { domains: await domains(), systems: [SYSTEM] });
  };
  const unknown = await upload(await withCode('201001/999999'));
  expect(unknown.status).toBe(422);
  expect(unknown.body.errors[0]).toMatchObject({ code: 'RESOURCE_CODE_UNKNOWN', row: 2 });
  const malformed = await upload(await withCode('20x/1'));
  expect(malformed.body.errors[0]).toMatchObject({ code: 'RESOURCE_CODE_INVALID', row: 2 });
});

it('refuses an empty template with its own code', async () => {
  const res = await fetch(`${p.baseUrl}/api/catalog/workbook/template`, { headers: { authorization: `Bearer ${opToken}` } });
  const empty = await upload(Buffer.from(await res.arrayBuffer()), '?dryRun=true');
  expect(empty.status).toBe(422);
  expect(empty.body.code).toBe('IMPORT_NO_ROWS');
});

it('refuses a macro-enabled workbook and a zip bomb over HTTP, saving nothing', async () => {
  const good = await filledTable(['排污许可信息']);
  const before = await entryCount();
  const macro = await upload(await editZip(good, { 'xl/vbaProject.bin': Buffer.alloc(2048, 1) }));
  expect(macro.status).toBe(422);
  expect(macro.body.code).toBe('MACRO_NOT_ALLOWED');
  const bomb = await upload(await editZip(good, { 'xl/media/padding.bin': Buffer.alloc(150 * 1024 * 1024) }));
  expect(bomb.status).toBe(422);
  expect(bomb.body.code).toBe('ZIP_BOMB');
  expect(bomb.body.message.zh).toMatch(/[\u4e00-\u9fa5]/);
  expect(await entryCount()).toBe(before);
}, 30_000);
