import { randomUUID } from 'node:crypto';
import { startTestPlatform, TestPlatform } from '../../../../test/test-platform';
import { OpenApi, relaxLimits } from '../../test/open-fixtures';

/** 我的提交: a developer sees exactly what they submitted, with the public answers and states, paged. */
let p: TestPlatform;
let api: OpenApi;
let ds: { entryId: string };
let alice: string;
let bob: string;

const register = async (name: string) =>
  (await api.expect(201, 'POST', '/v1/developers', { body: { name, email: `${name}@example.com`, password: 'Dev@2026pass' } })).accessToken as string;

beforeAll(async () => {
  p = await startTestPlatform();
  relaxLimits(p);
  api = new OpenApi(p.baseUrl);
  // An open dataset of 市场监管局 as the open catalog holds it (no data needed: only its page is commented on).
  const { rows } = await p.pool.query(`SELECT id, name FROM catalog.department WHERE code = 'scjg'`);
  ds = { entryId: randomUUID() };
  await p.pool.query(
    `INSERT INTO openapi.open_dataset (entry_id, catalog_version, resource_code, name, dept_id, dept_name, open_type, metadata, licence, published_at)
     VALUES ($1, 1, 'TEST-SUBMISSIONS-1', '企业名录（我的提交测试）', $2, $3, 'UNCONDITIONAL', '{}', 'CC BY 4.0', now())`,
    [ds.entryId, rows[0].id, rows[0].name],
  );
  [alice, bob] = await Promise.all([register('alice'), register('bob')]);
}, 60_000);

afterAll(async () => {
  await p?.close();
});

it('lists the caller’s own ratings, comments, feedback and showcase apps with answers and states, never another developer’s', async () => {
  const d = ds.entryId;
  await api.expect(200, 'POST', `/v1/datasets/${d}/ratings`, { token: alice, body: { usability: 5, completeness: 4, accuracy: 4, timeliness: 3 } });
  await api.expect(201, 'POST', `/v1/datasets/${d}/comments`, { token: alice, body: { body: '字段说明清楚，更新及时' } });
  const report = await api.expect(201, 'POST', '/v1/feedback', { token: alice, body: { kind: 'error_report', datasetId: d, title: '行业分类有误', body: '示范乙公司应为批发业' } });
  await api.expect(201, 'POST', '/v1/feedback', { token: alice, body: { kind: 'data_request', title: '希望开放企业年报', body: '用于行业研究与分析' } });
  await api.expect(201, 'POST', '/v1/showcase', { token: alice, body: { title: '企业地图', description: '按行业展示企业分布的地图应用', datasetIds: [d] } });
  // Bob's and an anonymous visitor's submissions are never Alice's.
  await api.expect(201, 'POST', `/v1/datasets/${d}/comments`, { token: bob, body: { body: 'Bob 的评论' } });
  await api.expect(201, 'POST', '/v1/feedback', { token: bob, body: { kind: 'data_request', title: 'Bob 的需求', body: 'Bob 希望开放更多数据' } });
  await api.expect(201, 'POST', '/v1/feedback', { body: { kind: 'suggestion', title: '匿名建议', body: '匿名访客的意见建议' } });
  await api.expect(200, 'POST', `/v1/admin/feedback/${report.id}/answer`, { token: await p.login('scjg_rev'), body: { answer: '已核实，将在下一版本更正' } });

  const mine = await api.expect(200, 'GET', '/v1/developers/me/submissions', { token: alice });
  expect(mine).toMatchObject({ total: 5, page: 1, pageSize: 20, counts: { rating: 1, comment: 1, error_report: 1, data_request: 1, suggestion: 0, showcase: 1 } });
  expect(mine.items.map((s: any) => s.kind).sort()).toEqual(['comment', 'data_request', 'error_report', 'rating', 'showcase']);
  expect(JSON.stringify(mine)).not.toMatch(/Bob|匿名/);
  const byKind = Object.fromEntries(mine.items.map((s: any) => [s.kind, s]));
  expect(byKind.rating).toMatchObject({ datasetId: d, datasetName: '企业名录（我的提交测试）', scores: { usability: 5, completeness: 4, accuracy: 4, timeliness: 3 } });
  expect(byKind.error_report).toMatchObject({ id: report.id, status: 'answered', answer: '已核实，将在下一版本更正', datasetName: '企业名录（我的提交测试）', overdue: false });
  expect(byKind.data_request).toMatchObject({ status: 'open', answer: null, dueOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  expect(byKind.showcase).toMatchObject({ title: '企业地图', status: 'published', datasets: [{ id: d, name: '企业名录（我的提交测试）' }] });

  const theirs = await api.expect(200, 'GET', '/v1/developers/me/submissions', { token: bob });
  expect(theirs.total).toBe(2);
  expect(theirs.items.map((s: any) => s.body)).toEqual(['Bob 希望开放更多数据', 'Bob 的评论']);
  const aliceIds = new Set(mine.items.map((s: any) => s.id));
  expect(theirs.items.some((s: any) => aliceIds.has(s.id))).toBe(false);
});

it('filters by kind and pages in a fixed order (newest first)', async () => {
  const all = await api.expect(200, 'GET', '/v1/developers/me/submissions?pageSize=100', { token: alice });
  const paged: string[] = [];
  for (let page = 1; page <= all.total; page++) {
    const one = await api.expect(200, 'GET', `/v1/developers/me/submissions?pageSize=1&page=${page}`, { token: alice });
    expect(one).toMatchObject({ total: all.total, page, pageSize: 1 });
    paged.push(`${one.items[0].kind}:${one.items[0].id}`);
  }
  expect(paged).toEqual(all.items.map((s: any) => `${s.kind}:${s.id}`));
  const times = all.items.map((s: any) => s.createdAt);
  expect([...times].sort().reverse()).toEqual(times);
  const reports = await api.expect(200, 'GET', '/v1/developers/me/submissions?kind=error_report', { token: alice });
  expect(reports).toMatchObject({ total: 1, items: [expect.objectContaining({ kind: 'error_report' })] });
  expect((await api.expect(200, 'GET', '/v1/developers/me/submissions?kind=suggestion', { token: alice })).items).toEqual([]);
});

it('needs a developer session and valid parameters', async () => {
  expect((await api.call('GET', '/v1/developers/me/submissions')).status).toBe(401);
  // A staff token is not a developer token.
  expect((await api.call('GET', '/v1/developers/me/submissions', { token: await p.login('admin') })).status).toBe(401);
  for (const bad of ['kind=application', 'page=0', 'pageSize=0', 'pageSize=101', 'page=x'])
    expect((await api.call('GET', `/v1/developers/me/submissions?${bad}`, { token: alice })).status).toBe(400);
});
