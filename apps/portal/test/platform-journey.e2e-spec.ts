/**
 * The platform's main journey in a real browser (Debian's Chromium through playwright-core), against
 * the whole platform in this process serving the built portal: a department operator imports a
 * filled 目录确认表 (first with a mistake, reported on its cell) and submits the draft once the
 * compliance check passes; the data bureau approves it; the operator uploads a GBK CSV and reads its
 * quality report; a visitor finds the opened dataset on the public portal; another department asks
 * for it and the provider approves a narrower grant; a developer registers, gets a key shown once
 * and downloads the data; the auditor finds the decision and the accesses in the verified log.
 * Screenshots of every key page go to test-artifacts/portal/ (git-ignored).
 */
import { existsSync } from 'node:fs';
import iconv from 'iconv-lite';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CatalogMetadata, organizationCodeCheckChar, usccCheckChar } from '@gov/shared';
import { buildCatalogWorkbook } from '../../../services/catalog/src/workbook/confirmation-workbook.writer';
import { eventually, startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { browserSkipReason, launch, logIn, logOut, PORTAL_DIST, shoot, watchErrors } from './browser';

jest.setTimeout(240_000);

const skip = browserSkipReason();
if (skip) console.warn(skip);
const maybe = skip ? describe.skip : describe;

const SYSTEM = '市场主体登记管理系统';
const NAME = '网络交易经营主体信息';

const METADATA: CatalogMetadata = {
  classification: { classCode: '2', itemCode: '01', categoryCode: '002' },
  name: NAME,
  abstract: '本市网络交易经营主体的登记信息，供市场监管与税务部门核验。',
  format: { classCode: '3', type: 'PostgreSQL' },
  items: [
    { name: '统一社会信用代码', dataType: 'C', length: 18, personal: false },
    { name: '企业名称', dataType: 'C', length: 100, personal: false },
    { name: '法定代表人', dataType: 'C', length: 50, personal: false },
    { name: '成立日期', dataType: 'D', personal: false },
    { name: '注册资本', dataType: 'Y', length: 20, personal: false },
  ],
  share: { type: 'CONDITIONAL', condition: '仅向人社、税务、民政部门提供，用于资格核验', methodClass: 'PLATFORM', methodType: 'API' },
  open: { type: 'UNCONDITIONAL' },
  updateCycle: 'MONTHLY',
  securityGrade: 'L1',
  domainCode: '01',
};

function uscc(i: number): string {
  const org = `MA4F${String(1000 + i)}`;
  const first17 = `91420700${org}${organizationCodeCheckChar(org)}`;
  return first17 + usccCheckChar(first17);
}

/** 40 rows in GBK, two of them wrong (a bad credit code, an impossible date). */
function gbkCsv(): Buffer {
  const lines = ['统一社会信用代码,企业名称,法定代表人,成立日期,注册资本'];
  for (let i = 0; i < 40; i++) lines.push([i === 5 ? '9142070000000000XX' : uscc(i), `示范市网络商户${i}有限公司`, `张${i}`, i === 7 ? '2021-13-45' : `2020-01-0${1 + (i % 9)}`, String(100 + i)].join(','));
  return iconv.encode(lines.join('\r\n') + '\r\n', 'gbk');
}

maybe('portal in a browser: catalog → review → ingest → open data → sharing → developer → audit', () => {
  let p: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    if (!existsSync(PORTAL_DIST)) throw new Error(`${PORTAL_DIST} missing: run npm run build first`);
    p = await startTestPlatform();
    // The source system the table names must be registered by the department (数据—系统 relation).
    const op = await p.login('scjg_op');
    const res = await fetch(`${p.baseUrl}/api/catalog/systems`, {
      method: 'POST',
      headers: { authorization: `Bearer ${op}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: SYSTEM }),
    });
    if (res.status !== 201 && res.status !== 409) throw new Error(`register system: ${res.status} ${await res.text()}`);
    browser = await launch();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    page = await context.newPage();
    // Generous: CI shares two cores with the rest of the suite.
    page.setDefaultTimeout(30_000);
    errors = watchErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  afterEach(async () => {
    // The page as the step left it: the first thing to look at when a step fails.
    if (page) await shoot(page, `last-${(expect.getState().currentTestName ?? 'step').replace(/[^\w\u4e00-\u9fa5]+/g, '-').slice(-60)}`);
    expect(errors).toEqual([]);
  });

  const domains = async () => (await p.pool.query(`SELECT code, label FROM catalog.data_domain ORDER BY code`)).rows;
  const workbook = async (metadata: CatalogMetadata) => buildCatalogWorkbook([{ metadata, systemName: SYSTEM }], { domains: await domains(), systems: [SYSTEM] });

  it('serves the portal at / with the public home, and index.html for client routes', async () => {
    const res = await fetch(`${p.baseUrl}/workbench/catalog`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('<div id="root">');
    expect((await fetch(`${p.baseUrl}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${p.baseUrl}/api/nowhere`)).headers.get('content-type')).toContain('application/problem+json');

    await page.goto(p.baseUrl);
    await page.getByRole('heading', { name: '公共数据 开放共享' }).waitFor();
    await page.getByTestId('headline-figures').waitFor();
    await shoot(page, '01-public-home');
  });

  it('guards staff pages and shows a failed log-in with the server message and code', async () => {
    await page.goto(`${p.baseUrl}/bureau/reviews`);
    await page.waitForURL(/\/login\?next=%2Fbureau%2Freviews/);
    await page.getByLabel('用户名').fill('scjg_op');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: /^登\s*录$/ }).click();
    const problem = page.getByTestId('problem');
    await problem.waitFor();
    expect(await page.getByTestId('problem-code').textContent()).toMatch(/^[A-Z_]+$/);
    expect(await problem.textContent()).toMatch(/[\u4e00-\u9fa5]/);
    await shoot(page, '02-login-error');
  });

  it('the operator imports a confirmation table: cell errors first, then a clean import', async () => {
    await logIn(page, p.baseUrl, 'scjg_op');
    expect(new URL(page.url()).pathname).toBe('/workbench/catalog');
    // The operator's menu has no bureau pages, and a bureau page answers 无权访问.
    await expect(page.getByRole('link', { name: '目录审核' }).count()).resolves.toBe(0);
    await page.goto(`${p.baseUrl}/bureau/reviews`);
    await page.getByText('无权访问').waitFor();

    await page.goto(`${p.baseUrl}/workbench/import`);
    const template = page.waitForEvent('download');
    await page.getByRole('button', { name: '下载目录确认表模板' }).click();
    expect((await template).suggestedFilename()).toBe('目录确认表.xlsx');

    // 有条件共享 without a condition: the check names the row and the column.
    const bad = await workbook({ ...METADATA, share: { ...METADATA.share, condition: undefined } });
    await page.locator('input[type=file]').setInputFiles({ name: '目录确认表-有误.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bad });
    await page.getByTestId('import-check').click();
    const rowErrors = page.getByTestId('import-errors');
    await rowErrors.waitFor();
    expect(await rowErrors.textContent()).toMatch(/第 2 行.*共享条件/);
    expect(await page.getByTestId('import-confirm').isDisabled()).toBe(true);
    await shoot(page, '03-import-row-errors');
    expect(await entries(p)).toEqual([]);

    await page.locator('input[type=file]').setInputFiles({ name: '目录确认表.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await workbook(METADATA) });
    await page.getByTestId('import-check').click();
    await page.getByTestId('import-preview').waitFor();
    expect(await page.getByTestId('import-preview').textContent()).toContain(NAME);
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('import-created').waitFor();
    await shoot(page, '04-import-done');
    expect((await entries(p)).map((e) => e.status)).toEqual(['draft']);
  });

  it('the operator opens the draft, sees the compliance check pass field by field, and submits it', async () => {
    await page.getByRole('button', { name: '查看草稿' }).click();
    await page.getByRole('link', { name: NAME }).click();
    await page.getByTestId('findings').waitFor();
    expect(await page.getByTestId('compliance-status').textContent()).toBe('通过');
    expect(await page.getByLabel('信息资源名称').inputValue()).toBe(NAME);
    await shoot(page, '05-entry-form');
    await page.getByTestId('submit-entry').click();
    await page.getByText('已提交，等待数据局审核。').waitFor();
    expect((await entries(p)).map((e) => e.status)).toEqual(['submitted']);
    await logOut(page);
  });

  it('the data bureau returns it with a comment on a field; the operator sees it there, fixes it and resubmits', async () => {
    await logIn(page, p.baseUrl, 'admin');
    expect(new URL(page.url()).pathname).toBe('/bureau/reviews');
    await page.getByRole('link', { name: NAME }).click();
    await page.getByTestId('review-fields').waitFor();
    expect(await page.getByTestId('review-fields').textContent()).toContain('统一社会信用代码');
    // Field-level comments are offered for each field; returning needs at least one (or a summary).
    expect(await page.getByTestId('return').isDisabled()).toBe(true);
    await page.getByLabel('信息资源摘要的审核意见').fill('请写明数据覆盖的时间范围');
    await shoot(page, '06-review');
    await page.getByTestId('return').click();
    await page.waitForURL((u) => u.pathname === '/bureau/reviews');
    await page.getByText('审核队列为空').waitFor();
    expect((await entries(p)).map((e) => e.status)).toEqual(['returned']);

    await logIn(page, p.baseUrl, 'scjg_op');
    await page.goto(`${p.baseUrl}/workbench/catalog?status=returned`);
    await page.getByRole('link', { name: NAME }).click();
    expect(await page.getByTestId('review-comments').textContent()).toContain('信息资源摘要：请写明数据覆盖的时间范围');
    // …and beside the field it concerns.
    await page.getByText('审核意见：请写明数据覆盖的时间范围').waitFor();
    await shoot(page, '06b-returned-entry');
    await page.getByLabel('信息资源摘要').fill(`${METADATA.abstract}覆盖 2015 年以来的全部登记记录。`);
    await page.getByTestId('submit-entry').click();
    await page.getByText('已提交，等待数据局审核。').waitFor();
    expect((await entries(p)).map((e) => e.status)).toEqual(['submitted']);
  });

  it('the data bureau approves the corrected entry', async () => {
    await logIn(page, p.baseUrl, 'admin');
    await page.getByRole('link', { name: NAME }).click();
    await page.getByTestId('review-fields').getByText('覆盖 2015 年以来的全部登记记录').waitFor();
    await page.getByTestId('approve').click();
    await page.getByRole('dialog').getByRole('button', { name: '通过并发布' }).click();
    await page.waitForURL((u) => u.pathname === '/bureau/reviews');
    await page.getByText('审核队列为空').waitFor();
    const [row] = await entries(p);
    expect(row.status).toBe('published');
    expect(row.resource_code).toMatch(/^201002\/\d{6}$/);

    await page.getByRole('link', { name: '统计看板' }).click();
    await page.getByTestId('statistics').waitFor();
    await page.locator('[role=img] svg').first().waitFor();
    await shoot(page, '07-statistics');
    // The bureau's other consoles load with data or their designed empty state, never an error.
    for (const [menu, ready] of [
      ['一数一源冲突', '没有待处理的冲突'],
      ['数据元注册', '数据元与数源部门'],
      ['逾期清单', '没有超期事项'],
      ['接口黑名单', '黑名单为空'],
      ['考核评估', '部门明细'],
    ]) {
      await page.getByRole('link', { name: menu }).click();
      await page.getByText(ready).or(page.locator('.ant-table-row').first()).first().waitFor();
      expect(await page.getByTestId('problem').count()).toBe(0);
    }
    await logOut(page);
  });

  it('the operator uploads a GBK CSV to the new dataset and reads its quality report', async () => {
    await logIn(page, p.baseUrl, 'scjg_op');
    // The dataset appears when ingest has consumed catalog.entry.published.
    await eventually(async () => (await p.pool.query(`SELECT 1 FROM ingest.dataset WHERE name = $1`, [NAME])).rowCount, 20_000);
    await page.getByRole('link', { name: '数据归集' }).click();
    await page.getByRole('link', { name: NAME }).click();
    await page.locator('input[type=file]').setInputFiles({ name: '网络交易经营主体.csv', mimeType: 'text/csv', buffer: gbkCsv() });
    await page.getByTestId('start-upload').click();
    await page.getByTestId('quality-report').waitFor({ timeout: 60_000 });
    const report = await page.getByTestId('quality-report').textContent();
    expect(report).toMatch(/读取行数\s*40/);
    expect(report).toMatch(/问题行数\s*2/);
    expect(report).toContain('统一社会信用代码');
    await page.locator('[data-testid=quality-report] [role=img] svg').first().waitFor();
    await shoot(page, '08-quality-report');

    await page.getByRole('tab', { name: '版本与问题数据' }).click();
    const versions = page.getByTestId('versions');
    await versions.getByText('当前版本').waitFor();
    expect(await versions.textContent()).toMatch(/GB18030|GBK/);
    const rejects = page.waitForEvent('download');
    await versions.getByRole('button', { name: /下载 v1 问题数据文件/ }).click();
    const file = await rejects;
    expect(file.suggestedFilename()).toContain('问题数据');
    await shoot(page, '09-versions');

    await page.getByRole('tab', { name: '数据预览' }).click();
    await page.getByText('共 38 行').waitFor();
    await shoot(page, '10-preview');

    // A data user reports a problem; the operator answers the rectification task with reasons.
    const [dataset] = (await p.pool.query(`SELECT id FROM ingest.dataset WHERE name = $1`, [NAME])).rows;
    const reported = await fetch(`${p.baseUrl}/api/ingest/datasets/${dataset.id}/problems`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await p.login('admin')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: '第 7 行成立日期为 2021-13-45，不是有效日期' }),
    });
    expect(reported.status).toBe(201);
    await page.getByRole('link', { name: '整改任务' }).click();
    const task = page.getByRole('row', { name: /不是有效日期/ });
    await task.getByRole('button', { name: /^关\s*闭$/ }).click();
    await page.getByLabel('无需修正的理由').fill('该行已在归集时被拦截，未进入数据集，见问题数据文件第 7 行');
    await page.getByRole('dialog').getByRole('button', { name: /^(OK|确\s*定)$/ }).click();
    await page.getByText('没有待整改的问题').waitFor();
    expect((await p.pool.query(`SELECT status FROM ingest.rectification_task`)).rows).toEqual([{ status: 'closed' }]);
  });

  it('a visitor finds the opened dataset on the public portal, previews it and sees a chart of a column', async () => {
    await logOut(page);
    // open-api loads the published version's snapshot from the ingest event.
    const hit = await eventually(async () => {
      const r = (await (await fetch(`${p.baseUrl}/api/open/v1/datasets?q=${encodeURIComponent('网络交易')}`)).json()) as { items: { id: string; hasData: boolean }[] };
      return r.items.find((i) => i.hasData);
    }, 30_000);
    await page.goto(p.baseUrl);
    await page.getByRole('searchbox', { name: '搜索开放数据' }).fill('网络交易');
    await page.getByRole('searchbox', { name: '搜索开放数据' }).press('Enter');
    const results = page.getByTestId('open-results');
    await results.getByRole('link', { name: NAME }).waitFor();
    expect(await results.locator('mark').first().textContent()).toBe('网络交易');
    await shoot(page, '11-public-search');
    await results.getByRole('link', { name: NAME }).click();
    await page.waitForURL(`**/data/${hit.id}`);
    await page.getByRole('tab', { name: '数据预览' }).click();
    await page.getByRole('cell', { name: '示范市网络商户0有限公司' }).waitFor();
    await page.locator('[role=img] svg').first().waitFor();
    await shoot(page, '12-public-dataset');
    await page.getByRole('tab', { name: '接口调用' }).click();
    await page.getByText(`/api/open/v1/datasets/${hit.id}/records`).first().waitFor();

    await page.getByRole('menuitem', { name: '开放统计' }).click();
    await page.getByTestId('public-statistics').waitFor();
    expect(await page.getByTestId('public-statistics').textContent()).toContain('示范市市场监督管理局');
    await page.locator('[role=img] svg').first().waitFor();
  });
  it('another department asks for the conditionally shared entry and the provider approves it, narrowed', async () => {
    await logIn(page, p.baseUrl, 'rsj_op');
    await page.getByRole('link', { name: '共享申请' }).click();
    const row = page.getByRole('row', { name: new RegExp(NAME) });
    await row.getByRole('button', { name: /^申\s*请$/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('用途').fill('核验参保人名下不动产，用于社会救助资格审核');
    await dialog.getByLabel('履职依据').fill('《社会救助暂行办法》第十一条');
    await dialog.getByLabel('应用场景').fill('救助资格审核');
    await dialog.getByLabel('使用系统').fill('社会保险信息系统');
    await dialog.getByRole('button', { name: '提交申请' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: '我的申请' }).click();
    await page.getByText('待答复').first().waitFor();
    await shoot(page, '13-sharing-request');
    const requests = (await p.pool.query(`SELECT status, items FROM sharing.share_request`)).rows;
    expect(requests).toEqual([{ status: 'pending', items: METADATA.items!.map((i) => i.name) }]);

    await logIn(page, p.baseUrl, 'scjg_rev');
    // The provider's reviewer is told in the inbox.
    await page.getByRole('link', { name: '消息通知' }).click();
    await page.locator('.ant-list-item').first().waitFor();
    await page.getByRole('link', { name: '去处理' }).first().click();
    await page.getByRole('tab', { name: '收到的申请', selected: true }).waitFor();
    await page.getByRole('button', { name: /^答\s*复$/ }).first().click();
    const answer = page.getByRole('dialog');
    // 缩小范围: 法定代表人 is not granted.
    await answer.getByRole('checkbox', { name: '法定代表人' }).uncheck();
    await shoot(page, '14-sharing-answer');
    await answer.getByRole('button', { name: /^同\s*意$/ }).click();
    await answer.waitFor({ state: 'detached' });
    await page.getByText('已同意').first().waitFor();
    const rev = await p.login('scjg_rev');
    const decided = ((await (await fetch(`${p.baseUrl}/api/sharing/requests?side=provider`, { headers: { authorization: `Bearer ${rev}` } })).json()) as { items: { status: string; grantId: string | null }[] }).items;
    expect(decided[0].status).toBe('approved');
    expect(decided[0].grantId).toBeTruthy();
    const [grant] = (await p.pool.query(`SELECT items FROM sharing.grant_ WHERE id = $1`, [decided[0].grantId])).rows;
    expect(grant.items).toEqual(['统一社会信用代码', '企业名称', '成立日期', '注册资本']);
  });

  it('an external developer registers, creates an app (the key is shown once) and downloads the dataset', async () => {
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`${p.baseUrl}/developer`);
    await page.getByRole('tab', { name: '注册' }).click();
    const form = page.getByRole('form', { name: '开发者注册' });
    await form.getByLabel('姓名或昵称').fill('李开发');
    await form.getByLabel('邮箱').fill('li.dev@example.com');
    await form.getByLabel('密码').fill('Dev@2026pass');
    await form.getByRole('button', { name: '注册并登录' }).click();
    await page.getByRole('form', { name: '创建应用' }).getByLabel('应用名称').fill('营商地图');
    await page.getByRole('button', { name: '创建并生成密钥' }).click();
    const key = page.getByTestId('new-api-key');
    await key.waitFor();
    expect(await key.textContent()).toMatch(/^gdk_[0-9a-f]{8}_/);
    await shoot(page, '15-developer-key');
    await page.getByRole('button', { name: '我已保存' }).click();
    await page.getByTestId('developer-app').waitFor();

    const hit = (await (await fetch(`${p.baseUrl}/api/open/v1/datasets?q=${encodeURIComponent('网络交易')}`)).json()) as { items: { id: string }[] };
    await page.goto(`${p.baseUrl}/data/${hit.items[0].id}`);
    const csv = page.waitForEvent('download');
    await page.getByRole('link', { name: '下载 CSV 格式' }).click();
    const file = await csv;
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
  });

  it('the auditor sees the log verified and finds the sharing decision and the open-data accesses', async () => {
    await logIn(page, p.baseUrl, 'auditor');
    expect(new URL(page.url()).pathname).toBe('/audit/records');
    await page.getByTestId('log-verification').getByText('完整').waitFor();
    const auditor = await p.login('auditor');
    await eventually(async () => {
      const r = (await (await fetch(`${p.baseUrl}/api/audit/traces?eventName=open.data.accessed`, { headers: { authorization: `Bearer ${auditor}` } })).json()) as { items: unknown[] };
      return r.items.length > 0;
    }, 30_000);
    const search = page.getByRole('form', { name: '审计检索条件' });
    await search.getByLabel('事件').fill('sharing.request.decided');
    await search.getByRole('button', { name: /^检\s*索$/ }).click();
    await page.getByTestId('traces').getByRole('cell', { name: 'sharing.request.decided' }).first().waitFor();
    await search.getByLabel('事件').fill('open.data.accessed');
    await search.getByRole('button', { name: /^检\s*索$/ }).click();
    await page.getByTestId('traces').getByRole('cell', { name: 'open.data.accessed' }).first().waitFor();
    await shoot(page, '16-audit-traces');

    await page.getByRole('link', { name: '考核评估' }).click();
    await page.getByTestId('assessment').waitFor();
    expect(await page.getByTestId('assessment').textContent()).toContain('示范市市场监督管理局');
    await shoot(page, '17-audit-assessment');
    await page.getByRole('link', { name: '告警队列' }).click();
    await page.getByRole('heading', { name: '告警队列' }).waitFor();
    // Loaded (rows or the designed empty state), not an error.
    await page.getByText('没有待处理的告警').or(page.locator('.ant-table-row').first()).waitFor();
    expect(await page.getByTestId('problem').count()).toBe(0);
  });
});

/** The entries named NAME, with their status and resource code, straight from the catalog's tables. */
async function entries(p: TestPlatform): Promise<{ status: string; resource_code: string | null }[]> {
  const res = await p.pool.query(
    `SELECT e.status, e.resource_code FROM catalog.catalog_entry e
       JOIN catalog.entry_version v ON v.entry_id = e.id AND v.version = e.latest_version
      WHERE v.metadata->>'name' = $1`,
    [NAME],
  );
  return res.rows;
}
