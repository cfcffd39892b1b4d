/**
 * The 数据安全官 console and the developer's 我的提交 in a real browser (Debian's Chromium through
 * playwright-core). The test creates what the officer reviews through the services: an upload with
 * unflagged mobile numbers (a blocking discovery finding), a row-level sandbox query (refused), an
 * approval whose quasi-identifiers single people out (aggregation refusal). `aqg` logs in, filters,
 * opens the dataset and re-scans it, exports a list as CSV; a developer finds their data request and
 * the bureau's public answer under 我的提交. Screenshots go to test-artifacts/portal/ (and docs/screenshots/ with UPDATE_DOC_SCREENSHOTS=1).
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { publishDataset, ServiceApi, uploadFile, waitForJob } from '../../../services/ingest/test/ingest-fixtures';
import { OpenApi } from '../../../services/open-api/test/open-fixtures';
import { Api } from '../../../services/sharing/test/sharing-fixtures';
import { activeGrant, dataset, deptIds, dropSandboxRoles, PEOPLE_ITEMS, peopleRows, pendingRequest } from '../../../services/sharing/test/security-fixtures';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { browserSkipReason, launch, logIn, PORTAL_DIST, shoot, shootDoc, unlabelledControls, watchErrors } from './browser';

jest.setTimeout(180_000);

const skip = browserSkipReason();
if (skip) console.warn(skip);
const maybe = skip ? describe.skip : describe;

const LICENCES = '食品经营许可（安全核查）';
const DEV = { name: '赵开发', email: 'zhao.dev@example.com', password: 'Dev@2026pass' };

maybe('portal in a browser: the security officer console and 我的提交', () => {
  let p: TestPlatform;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let depts: Record<string, string>;
  let licences: { id: string };
  let refusalCode: string;
  const grants: string[] = [];

  beforeAll(async () => {
    if (!existsSync(PORTAL_DIST)) throw new Error(`${PORTAL_DIST} missing: run npm run build first`);
    p = await startTestPlatform();
    depts = await deptIds(p);
    const [op, admin, rsjOp, scjgRev] = await Promise.all(['scjg_op', 'admin', 'rsj_op', 'scjg_rev'].map((u) => p.login(u)));

    // 1. An upload whose 联系电话 holds mobile numbers the catalog did not flag as personal: a blocking finding.
    const ingest = new ServiceApi(p.baseUrl, 'ingest', op);
    const items = [
      { name: '许可证号', dataType: 'C', length: 30 },
      { name: '单位名称', dataType: 'C', length: 100 },
      { name: '联系电话', dataType: 'C', length: 20 },
    ];
    licences = await publishDataset(p, { op: new ServiceApi(p.baseUrl, 'catalog', op), admin: new ServiceApi(p.baseUrl, 'catalog', admin) }, ingest, LICENCES, items);
    const csv = ['许可证号,单位名称,联系电话', ...Array.from({ length: 200 }, (_, i) => `XK${String(i).padStart(6, '0')},示范单位${i},139${String(10000000 + i)}`)].join('\n');
    const job = await waitForJob(ingest, (await uploadFile(ingest, licences.id, 'licences.csv', Buffer.from(csv))).body.id);
    expect(job.state).toBe('succeeded');

    // 2. A row-level query in a department's sandbox (refused) and 3. an approval with too much aggregation risk.
    const people = await dataset(p, depts.scjg, '居民就诊信息（安全核查）', PEOPLE_ITEMS, peopleRows());
    grants.push(await activeGrant(p, people, depts.rsj, depts.scjg, ['区县', '性别', '费用']));
    const sandbox = await new Api(p.baseUrl, 'sharing', rsjOp).call('POST', '/sandbox/jobs', { tables: { people: grants[0] }, sql: 'SELECT "区县", "费用" FROM people' });
    expect(sandbox.status).toBeGreaterThanOrEqual(400);
    refusalCode = sandbox.body.code;
    const requestId = await pendingRequest(p, people, depts.rsj, depts.scjg, ['区县', '性别', '出生年份', '诊断']);
    expect((await new Api(p.baseUrl, 'sharing', scjgRev).call('POST', `/requests/${requestId}/approve`, {})).body.code).toBe('AGGREGATION_RISK');

    // 4. A developer's data request, answered in public by the bureau.
    const open = new OpenApi(p.baseUrl);
    const { accessToken } = await open.expect(201, 'POST', '/v1/developers', { body: DEV });
    const request = await open.expect(201, 'POST', '/v1/feedback', { token: accessToken, body: { kind: 'data_request', title: '希望开放食品抽检结果', body: '用于餐饮安全地图，按季度更新即可' } });
    await open.expect(200, 'POST', `/v1/admin/feedback/${request.id}/answer`, { token: admin, body: { answer: '已列入下季度开放计划' } });

    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    errors = watchErrors(page);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await p?.close();
    await dropSandboxRoles(grants);
  });

  afterEach(async () => {
    if (page) await shoot(page, `last-security-${(expect.getState().currentTestName ?? 'step').replace(/[^\w\u4e00-\u9fa5]+/g, '-').slice(-50)}`);
    expect(errors).toEqual([]);
  });

  it('aqg reviews findings, opens and re-scans the dataset, reads the refusals and exports them, changing nothing', async () => {
    await logIn(page, p.baseUrl, 'aqg');
    await page.waitForURL(/\/security\/findings/);
    const nav = page.getByRole('navigation', { name: '工作台导航' });
    for (const item of ['敏感数据发现', '沙箱拒绝', '聚合风险拒绝', '授权运营']) await nav.getByRole('link', { name: item }).waitFor();
    const findings = page.getByTestId('sensitive-findings');
    const row = findings.getByRole('row').filter({ hasText: '联系电话' });
    await row.getByText('阻止开放').waitFor();
    await row.getByText('市场监督管理局').waitFor();
    // Read-only: neither 说明理由 (the department's) nor 决定 (the bureau's).
    expect(await findings.getByRole('button').filter({ hasText: /说明理由|决\s*定/ }).count()).toBe(0);
    expect(await unlabelledControls(page)).toEqual([]);
    await shootDoc(page, '40-security-findings', 'security-findings');

    // Another department's filter: the designed empty state, paged on the server.
    await page.goto(`${p.baseUrl}/security/findings?deptId=${depts.rsj}`);
    await findings.getByText('没有待处理的敏感数据发现').waitFor();
    await page.goto(`${p.baseUrl}/security/findings`);

    await findings.getByRole('link', { name: `查看数据集 ${LICENCES} 的敏感数据发现` }).click();
    await page.waitForURL(new RegExp(`/security/datasets/${licences.id}`));
    await page.getByTestId('blocked-columns').getByText('联系电话').waitFor();
    await page.getByRole('button', { name: '立即重新核查' }).click();
    await page.getByText('核查完成：联系电话 阻止开放').waitFor();
    await shoot(page, '41-security-dataset');

    await nav.getByRole('link', { name: '沙箱拒绝' }).click();
    const refusals = page.getByTestId('sandbox-refusals');
    await refusals.getByText(refusalCode).waitFor();
    await refusals.getByText('人力资源和社会保障局').first().waitFor();
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()]);
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
    expect(await unlabelledControls(page)).toEqual([]);
    await shoot(page, '42-security-sandbox');
    await page.getByRole('tab', { name: '开发者沙箱（有条件开放）' }).click();
    await page.getByTestId('open-sandbox-refusals').getByText('没有被拒绝或终止的开发者沙箱作业').waitFor();

    await nav.getByRole('link', { name: '聚合风险拒绝' }).click();
    const aggregation = page.getByTestId('aggregation-refusals');
    await aggregation.getByText('居民就诊信息（安全核查）').waitFor();
    await aggregation.getByText('出生年份').first().waitFor();
    await shoot(page, '43-security-aggregation');

    await nav.getByRole('link', { name: '授权运营' }).click();
    await page.getByTestId('operators').getByText('尚未登记授权运营主体').waitFor();
  });

  it('a developer sees their own data request and the public answer under 我的提交', async () => {
    await page.goto(`${p.baseUrl}/developer`);
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`${p.baseUrl}/developer`);
    const form = page.getByRole('form', { name: '开发者登录' });
    await form.getByLabel('邮箱').fill(DEV.email);
    await form.getByLabel('密码').fill(DEV.password);
    await form.getByRole('button', { name: /^登\s*录$/ }).click();
    await page.getByRole('tab', { name: '我的提交' }).click();
    const mine = page.getByTestId('my-submissions');
    const item = mine.getByTestId('submission').filter({ hasText: '希望开放食品抽检结果' });
    await item.getByText('已答复').waitFor();
    await item.getByText(/公开答复.*已列入下季度开放计划/).waitFor();
    expect(await mine.getByTestId('submission').count()).toBe(1);
    expect(await unlabelledControls(page)).toEqual([]);
    await shootDoc(page, '44-developer-submissions', 'developer-submissions');
  });
});
