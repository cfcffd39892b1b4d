/**
 * The portal's engagement pages in a real browser (Debian's Chromium through playwright-core):
 * a developer rates and comments on a conditionally open dataset, reports an error, asks for data,
 * shows an app and applies for conditional opening (the credit code checked in the browser); the
 * providing department approves the application and answers the error report, the data bureau
 * answers the data request in public; another department manages its grant (a credential shown
 * once, rotated), reports a problem the provider acknowledges against a working-day countdown, and
 * publishes a data need the bureau assigns and the provider answers; the auditor opens the
 * dataset's chain and timeline and the tree-head verification. Screenshots go to
 * test-artifacts/portal/ (and docs/screenshots/ with UPDATE_DOC_SCREENSHOTS=1).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { demoCreditCode } from '../../../services/catalog/src/demo/demo-city.seeder';
import { ServiceApi } from '../../../services/ingest/test/ingest-fixtures';
import { publishOpenDataset, relaxLimits } from '../../../services/open-api/test/open-fixtures';
import { eventually, startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { browserSkipReason, launch, logIn, PORTAL_DIST, shoot, shootDoc, unlabelledControls, watchErrors } from './browser';

jest.setTimeout(240_000);

const skip = browserSkipReason();
if (skip) console.warn(skip);
const maybe = skip ? describe.skip : describe;

const NAME = '困难群众救助对象信息';
const DEV = { name: '王开发', email: 'wang.dev@example.com', password: 'Dev@2026pass' };
const ORG_CODE = demoCreditCode('420700', 12);

maybe('portal in a browser: ratings, requests, showcase, conditional opening, grants, needs, audit chain', () => {
  let p: TestPlatform;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let ds: { entryId: string; datasetId: string };
  let grantKey: string;

  beforeAll(async () => {
    if (!existsSync(PORTAL_DIST)) throw new Error(`${PORTAL_DIST} missing: run npm run build first`);
    p = await startTestPlatform();
    relaxLimits(p);
    const [op, admin] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
    ds = await publishOpenDataset(p, new ServiceApi(p.baseUrl, 'catalog', op), new ServiceApi(p.baseUrl, 'catalog', admin), new ServiceApi(p.baseUrl, 'ingest', op), {
      name: NAME,
      items: [
        { name: '姓名', dataType: 'C', length: 50, personal: true, masking: 'chineseName' },
        { name: '救助类别', dataType: 'C', length: 20 },
        { name: '救助金额', dataType: 'Y', length: 20 },
      ],
      open: 'CONDITIONAL',
      grade: 'L2',
      domainCode: '02',
      csv: '姓名,救助类别,救助金额\n王小明,低保,800\n李大红,特困,1200\n张三丰,低保,650\n',
    });
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    errors = watchErrors(page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  afterEach(async () => {
    if (page) await shoot(page, `last-engagement-${(expect.getState().currentTestName ?? 'step').replace(/[^\w\u4e00-\u9fa5]+/g, '-').slice(-50)}`);
    expect(errors).toEqual([]);
  });

  /** Every visible form control has an accessible name, then the screenshot. */
  const checkedShot = async (name: string, doc: string) => {
    expect(await unlabelledControls(page)).toEqual([]);
    await shootDoc(page, name, doc);
  };

  const openDropdowns = () => page.locator('.ant-select-dropdown').filter({ visible: true });

  const okButton = (scope: Page | ReturnType<Page['getByRole']>) => scope.getByRole('button', { name: /^(OK|确\s*定)$/ });

  it('a developer applies for conditional opening: the credit code is checked in the browser, the state is shown', async () => {
    await page.goto(`${p.baseUrl}/developer`);
    await page.getByRole('tab', { name: '注册' }).click();
    const form = page.getByRole('form', { name: '开发者注册' });
    await form.getByLabel('姓名或昵称').fill(DEV.name);
    await form.getByLabel('邮箱').fill(DEV.email);
    await form.getByLabel('密码').fill(DEV.password);
    await form.getByRole('button', { name: '注册并登录' }).click();
    await page.getByRole('form', { name: '创建应用' }).getByLabel('应用名称').fill('社会救助地图');
    await page.getByRole('button', { name: '创建并生成密钥' }).click();
    await page.getByTestId('new-api-key').waitFor();
    await page.getByRole('button', { name: '我已保存' }).click();

    // From the dataset page: 申请使用 opens the application with the dataset chosen.
    await page.goto(`${p.baseUrl}/data/${ds.entryId}`);
    await page.getByRole('button', { name: '申请使用（有条件开放）' }).click();
    await page.waitForURL(/\/developer\?apply=/);
    const apply = page.getByRole('form', { name: '有条件开放申请' });
    await apply.getByText(NAME).waitFor();
    await apply.getByLabel('申请单位').fill('示范市救助研究院');
    // A wrong check digit is caught before anything is sent.
    const wrong = ORG_CODE.slice(0, 17) + (ORG_CODE[17] === '0' ? '1' : '0');
    await apply.getByLabel('统一社会信用代码').fill(wrong);
    await apply.getByText(/校验码错误，第 18 位应为/).waitFor();
    await apply.getByLabel('统一社会信用代码').fill(ORG_CODE.toLowerCase());
    await apply.getByLabel('用途').fill('分析低保对象的区域分布，辅助救助资源配置');
    await apply.getByLabel('应用场景').fill('救助资源配置辅助决策系统');
    await apply.getByRole('checkbox').check();
    await checkedShot('20-conditional-apply', 'conditional-apply');
    await page.getByRole('dialog').getByRole('button', { name: '提交申请' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const state = page.getByTestId('conditional-applications');
    await state.getByText('待审核').waitFor();
    const [row] = (await p.pool.query(`SELECT credit_code, status FROM openapi.conditional_application`)).rows;
    expect(row).toEqual({ credit_code: ORG_CODE, status: 'pending' });
  });

  it('the developer rates the dataset, comments and reports an error on its page', async () => {
    await page.goto(`${p.baseUrl}/data/${ds.entryId}`);
    await page.getByRole('tab', { name: /评价与评论/ }).click();
    const rating = page.getByRole('form', { name: '数据集评分' });
    const rates = rating.locator('.ant-rate');
    for (const [i, stars] of [4, 5, 3, 4].entries()) await rates.nth(i).locator('.ant-rate-star').nth(stars - 1).click();
    await rating.getByRole('button', { name: '提交评分' }).click();
    await page.getByTestId('rating-summary').getByText('1 人评价').waitFor();
    await page.getByRole('tab', { name: '评价与评论（1）' }).waitFor();
    await page.getByRole('form', { name: '发表评论' }).getByLabel('发表评论').fill('数据结构清晰，建议增加区县字段');
    await page.getByRole('form', { name: '发表评论' }).getByRole('button', { name: /^发\s*表$/ }).click();
    await page.getByTestId('comments').getByText('数据结构清晰，建议增加区县字段').waitFor();
    await checkedShot('21-dataset-ratings', 'dataset-ratings');

    await page.getByRole('tab', { name: '数据纠错' }).click();
    const report = page.getByRole('form', { name: '数据纠错' });
    await report.getByLabel('问题概述').fill('张三丰救助金额有误');
    await report.getByLabel('问题详情').fill('张三丰 2026 年起救助金额应为 700 元');
    await report.getByRole('button', { name: '提交纠错' }).click();
    await page.getByTestId('error-reports').getByText('张三丰救助金额有误').waitFor();
    const [r] = (await p.pool.query(`SELECT usability, completeness, accuracy, timeliness FROM openapi.rating`)).rows;
    expect(r).toEqual({ usability: 4, completeness: 5, accuracy: 3, timeliness: 4 });
  });

  it('the developer asks for data (需求征集) and shows an app built on the dataset (应用展示)', async () => {
    await page.getByRole('menuitem', { name: '需求征集' }).click();
    const req = page.getByRole('form', { name: '提出数据需求' });
    await req.getByLabel('需求标题').fill('开放全市养老机构床位数据');
    await req.getByLabel('需求说明').fill('需要机构名称、地址、床位总数和空余床位，按月更新，用于养老服务地图');
    await req.getByRole('button', { name: '提交需求' }).click();
    await page.getByTestId('data-requests').getByText('开放全市养老机构床位数据').waitFor();
    await page.getByTestId('data-requests').getByText(/待答复/).first().waitFor();

    await page.getByRole('menuitem', { name: '应用展示' }).click();
    await page.getByText('还没有应用成果，欢迎提交第一个').waitFor();
    const app = page.getByRole('form', { name: '提交应用成果' });
    await app.getByLabel('应用名称').fill('社会救助地图');
    await app.getByLabel('应用介绍').fill('按区县展示救助对象分布与救助资源，帮助社工规划走访路线。');
    await app.getByLabel('访问地址').fill('https://example.com/relief-map');
    await app.getByLabel('使用的数据集').fill('救助');
    await page.locator('.ant-select-item-option', { hasText: NAME }).click();
    await app.getByLabel('使用的数据集').press('Escape');
    await app.getByRole('button', { name: '提交应用' }).click();
    await page.getByTestId('showcase').getByText('社会救助地图').waitFor();
    await checkedShot('22-showcase', 'showcase');
    await page.goto(`${p.baseUrl}/data/${ds.entryId}`);
    await page.getByRole('tab', { name: '相关应用' }).click();
    await page.getByText('按区县展示救助对象分布与救助资源').waitFor();
  });

  it('the provider approves the application and answers the error report; the bureau answers the data request in public', async () => {
    await logIn(page, p.baseUrl, 'scjg_rev');
    await page.getByRole('link', { name: '开放互动' }).click();
    const apps = page.getByTestId('open-applications');
    await apps.getByText('示范市救助研究院').waitFor();
    await apps.getByTestId('due-countdown').first().waitFor();
    expect(await apps.getByTestId('due-countdown').first().textContent()).toMatch(/剩 \d+ 个工作日|今天到期/);
    await checkedShot('23-open-applications', 'open-applications');
    await apps.getByRole('button', { name: /^审\s*核$/ }).click();
    const decide = page.getByRole('dialog');
    await decide.getByLabel('授权截止日期').fill(`${new Date().getFullYear() + 1}-12-31`);
    await decide.getByRole('button', { name: /^批\s*准$/ }).last().click();
    await decide.waitFor({ state: 'detached' });
    await apps.getByText('没有待审核的有条件开放申请').waitFor();

    await page.getByRole('tab', { name: '纠错与需求' }).click();
    const fb = page.getByTestId('open-feedback');
    await fb.getByText('张三丰救助金额有误').waitFor();
    await fb.getByRole('button', { name: /^答\s*复$/ }).click();
    await page.getByRole('dialog').getByLabel('答复内容').fill('已核实，将在下一版本更正为 700 元');
    await page.getByRole('dialog').getByRole('button', { name: '公开答复' }).click();
    await fb.getByText('没有待答复的纠错或需求').waitFor();

    await logIn(page, p.baseUrl, 'admin');
    await page.getByRole('link', { name: '开放互动' }).click();
    await page.getByRole('tab', { name: '纠错与需求' }).click();
    await page.getByTestId('open-feedback').getByText('开放全市养老机构床位数据').waitFor();
    await page.getByTestId('open-feedback').getByRole('row', { name: /养老机构床位/ }).getByRole('button', { name: /^答\s*复$/ }).click();
    await page.getByRole('dialog').getByLabel('答复内容').fill('已转民政局编目，预计下月开放');
    await page.getByRole('dialog').getByRole('button', { name: '公开答复' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    // The public sees the answer; the developer sees the application approved.
    await page.goto(`${p.baseUrl}/requests`);
    await page.getByTestId('data-requests').getByText('已转民政局编目，预计下月开放').waitFor();
    await checkedShot('24-data-requests', 'data-requests');
    await page.goto(`${p.baseUrl}/developer`);
    const login = page.getByRole('form', { name: '开发者登录' });
    await login.getByLabel('邮箱').fill(DEV.email);
    await login.getByLabel('密码').fill(DEV.password);
    await login.getByRole('button', { name: /^登\s*录$/ }).click();
    await page.getByTestId('conditional-applications').getByText('已批准').waitFor();
  });

  it('another department manages its grant: a credential shown once and rotated, and a problem report', async () => {
    const rsj = await p.login('rsj_op');
    const year = new Date().getFullYear();
    const ask = async (deliveryMethod: string) => {
      const res = await fetch(`${p.baseUrl}/api/sharing/requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${rsj}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          entries: [{ entryId: ds.entryId, items: ['救助类别', '救助金额'] }],
          purpose: '核验参保人救助身份，用于社保费减免',
          legalBasis: '《社会救助暂行办法》第十一条',
          scenario: '社保费减免审核',
          systemName: '社会保险信息系统',
          deliveryMethod,
          periodFrom: `${year}-01-01`,
          periodTo: `${year + 1}-12-31`,
        }),
      });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { requests: { status: string }[] }).requests[0].status).toBe('approved');
    };
    await ask('interface');
    await ask('handover');

    await logIn(page, p.baseUrl, 'rsj_op');
    await page.getByRole('link', { name: '共享授权' }).click();
    const grants = page.getByTestId('grants-consumer');
    await grants.getByText('救助类别、救助金额').first().waitFor();
    await grants.getByRole('row', { name: /接口调用/ }).getByRole('button', { name: `管理授权：${NAME}` }).click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByRole('button', { name: '签发凭证' }).click();
    const key = page.getByTestId('new-grant-key');
    await key.waitFor();
    const first = (await key.locator('code').textContent())!;
    expect(first).toMatch(/^sgk_[0-9a-f]{12}_/);
    await page.getByRole('button', { name: '我已保存' }).click();
    // 轮换 is one call: the new key is shown once, the old one revoked at once (the default; an overlap can be chosen).
    await drawer.getByRole('button', { name: /^轮换凭证 sgk_/ }).click();
    const rotation = page.getByRole('dialog', { name: '轮换授权凭证' });
    await rotation.getByText('立即失效').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await rotation.getByRole('button', { name: /^轮\s*换$/ }).click();
    await key.waitFor();
    grantKey = (await key.locator('code').textContent())!;
    expect(grantKey).not.toBe(first);
    await page.getByRole('button', { name: '我已保存' }).click();
    await page.getByTestId('grant-credentials').getByText('已吊销').waitFor();
    // The old key is refused, the new one reads the granted items only.
    const read = async (k: string) => fetch(`${p.baseUrl}/api/sharing/records/${ds.entryId}`, { headers: { 'x-grant-key': k } });
    expect((await read(first)).status).toBe(401);
    const ok = await read(grantKey);
    expect(ok.status).toBe(200);

    const report = page.getByRole('form', { name: '反馈数据问题' });
    await report.getByLabel('信息项').click();
    await page.locator('.ant-select-item-option', { hasText: '救助金额' }).click();
    await report.getByLabel('问题行').fill('张三丰');
    await report.getByLabel('问题描述').fill('救助金额与民政系统不一致');
    await report.getByRole('button', { name: '提交反馈' }).click();
    await page.getByText(/已反馈，提供部门须在/).waitFor();
    await checkedShot('25-grant', 'grant');

    await logIn(page, p.baseUrl, 'scjg_rev');
    await page.getByRole('link', { name: '共享授权' }).click();
    // 离线交换: the provider records the file it handed over; the hash is computed in the browser.
    await page.getByRole('tab', { name: '我提供的授权' }).click();
    await page.getByTestId('grants-provider').getByRole('row', { name: /离线交换/ }).getByRole('button', { name: `管理授权：${NAME}` }).click();
    const handover = page.getByRole('form', { name: '登记离线交换' });
    const file = Buffer.from('救助类别,救助金额\n低保,800\n特困,1200\n低保,650\n', 'utf8');
    await handover.getByLabel('选择交换文件以计算 SHA-256').setInputFiles({ name: '救助数据-v1.csv', mimeType: 'text/csv', buffer: file });
    const sha = createHash('sha256').update(file).digest('hex');
    await eventually(async () => (await handover.getByLabel('SHA-256', { exact: true }).inputValue()) === sha, 10_000);
    await handover.getByLabel('行数').fill('3');
    await handover.getByLabel('介质').fill('光盘');
    await handover.getByLabel('接收人').fill('人社局 李四');
    await handover.getByRole('button', { name: '登记交换' }).click();
    await page.locator('.ant-drawer').getByText('光盘 → 人社局 李四').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    // Closed by keyboard: the success message lies over the drawer's close button, and a message under
    // the mouse never fades, so a click there can wait forever.
    await page.keyboard.press('Escape');
    await page.locator('.ant-drawer').getByText('光盘 → 人社局 李四').waitFor({ state: 'hidden' });
    await page.getByRole('tab', { name: '纠错反馈' }).click();
    const fb = page.getByTestId('share-feedback');
    await fb.getByText(/救助金额与民政系统不一致/).waitFor();
    expect(await fb.getByTestId('due-countdown').textContent()).toMatch(/剩 \d+ 个工作日|今天到期/);
    await fb.getByRole('button', { name: /^受\s*理$/ }).click();
    await fb.getByText('已受理').waitFor();
  });

  it('供需对接: a department publishes a need, the bureau assigns it, the provider answers with its entry', async () => {
    await logIn(page, p.baseUrl, 'rsj_op');
    await page.getByRole('link', { name: '供需对接' }).click();
    const need = page.getByRole('form', { name: '提出数据需求' });
    await need.getByLabel('需求名称').fill('救助对象救助金额');
    await need.getByLabel('需求说明').fill('社保费减免需核验救助对象的救助类别与金额');
    await need.getByRole('button', { name: '发布需求' }).click();
    await page.getByTestId('need-suggestions').waitFor();
    await page.getByTestId('needs').getByText('救助对象救助金额').waitFor();

    await logIn(page, p.baseUrl, 'admin');
    await page.getByRole('link', { name: '供需对接' }).click();
    await page.getByTestId('needs').getByRole('row', { name: /救助对象救助金额/ }).getByRole('button', { name: /^分\s*派$/ }).click();
    const assign = page.getByRole('dialog');
    // By keyboard: type to filter, Enter picks the first match and closes the list.
    await assign.getByLabel('提供部门').fill('市场监督');
    await assign.getByLabel('提供部门').press('Enter');
    await openDropdowns().waitFor({ state: 'detached' });
    await assign.getByRole('button', { name: /^分\s*派$/ }).click();
    await assign.waitFor({ state: 'detached' });
    const [assigned] = (await p.pool.query(`SELECT n.status, d.name FROM sharing.data_need n JOIN sharing.department_directory d ON d.dept_id = n.assigned_dept_id`)).rows;
    expect(assigned).toEqual({ status: 'assigned', name: '示范市市场监督管理局' });

    await logIn(page, p.baseUrl, 'scjg_op');
    await page.getByRole('link', { name: '供需对接' }).click();
    await page.getByTestId('needs').getByRole('button', { name: /^答\s*复$/ }).click();
    const answer = page.getByRole('dialog');
    await answer.getByLabel('为此需求编目的目录').fill('救助');
    await answer.getByLabel('为此需求编目的目录').press('Enter');
    await openDropdowns().waitFor({ state: 'detached' });
    await answer.getByRole('button', { name: /^答\s*复$/ }).click();
    await answer.waitFor({ state: 'detached' });
    await page.getByTestId('needs').getByText('已答复').waitFor();
    await checkedShot('26-needs', 'needs');
    expect((await p.pool.query(`SELECT status, answer_entry_id FROM sharing.data_need`)).rows).toEqual([{ status: 'answered', answer_entry_id: ds.entryId }]);
  });

  it('the auditor opens the dataset chain, its timeline and the tree-head verification', async () => {
    const auditor = await p.login('auditor');
    await eventually(async () => {
      const r = (await (await fetch(`${p.baseUrl}/api/audit/traces?eventName=sharing.data.accessed`, { headers: { authorization: `Bearer ${auditor}` } })).json()) as { items: unknown[] };
      return r.items.length > 0;
    }, 30_000);
    await logIn(page, p.baseUrl, 'auditor');
    await page.getByRole('link', { name: '数据链条' }).click();
    await page.getByText('选择一个数据集，查看它从编目、归集、授权到每一次读取的完整链条').waitFor();
    const pick = page.getByRole('form', { name: '选择数据集' });
    await pick.getByLabel('数据集').fill('救助');
    await page.locator('.ant-select-item-option', { hasText: NAME }).click();
    await pick.getByRole('button', { name: '查看链条' }).click();
    const chain = page.getByTestId('dataset-chain');
    await chain.waitFor();
    expect(await chain.textContent()).toContain('目录发布');
    expect(await chain.textContent()).toContain('数据版本发布');
    await page.getByTestId('chain-reads').getByText('共享数据访问').first().waitFor();
    await page.getByTestId('log-status').getByText('完整').waitFor();
    await checkedShot('27-audit-chain', 'audit-chain');

    await chain.getByRole('button', { name: '查看该数据集的时间线' }).click();
    await page.waitForURL(/\/audit\/timeline\?datasetId=/);
    await page.getByTestId('audit-timeline').getByText('数据集建立').waitFor();
    expect(await page.getByTestId('audit-timeline').textContent()).toContain('共享数据访问');
    await checkedShot('28-audit-timeline', 'audit-timeline');

    await page.getByRole('link', { name: '日志校验' }).click();
    await page.getByTestId('tree-head').getByRole('button', { name: '立即签名' }).click();
    await page.getByText(/已签名树头/).waitFor();
    await page.getByTestId('log-verification-detail').getByText(/审计日志完整/).waitFor();
    await checkedShot('29-audit-log', 'audit-log');
    expect(await page.getByTestId('problem').count()).toBe(0);
  });
});
