import { eventually, startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { ServiceApi } from './ingest-fixtures';

/** First start of the embedded mode: the demo entries' datasets get sample rows, once. */
let p: TestPlatform;

beforeAll(async () => {
  p = await startTestPlatform({ extra: { SEED_DEMO_CATALOG: 'true' } });
}, 60_000);
afterAll(async () => {
  await p?.close();
});

it('loads sample rows into the demo datasets, which the open catalog then serves', async () => {
  const admin = new ServiceApi(p.baseUrl, 'ingest', await p.login('admin'));
  const loaded = await eventually(async () => {
    const datasets = await admin.expect<any[]>(200, 'GET', '/datasets');
    const withData = datasets.filter((d) => d.currentVersion === 1);
    return withData.length === 4 ? withData : undefined;
  }, 45_000);
  expect(loaded.map((d) => d.name).sort()).toEqual(['公交线路及站点信息', '医疗机构执业登记信息', '市场主体登记信息', '食品经营许可证信息'].sort());
  const versions = await admin.expect<any[]>(200, 'GET', `/datasets/${loaded[0].id}/versions`);
  expect(versions[0]).toMatchObject({ version: 1, rowCount: 60, rejectedCount: 0 });
  // Sample data is chosen so that discovery finds nothing to block: masked names, addresses to the street.
  for (const d of loaded) expect((await admin.expect(200, 'GET', `/datasets/${d.id}/sensitive-findings`)).blockedColumns).toEqual([]);

  const stats = await eventually(async () => {
    const s = (await (await fetch(`${p.baseUrl}/api/open/v1/statistics`)).json()) as { datasetsWithData: number; rows: number };
    return s.datasetsWithData >= 4 ? s : undefined;
  }, 30_000);
  expect(stats.rows).toBeGreaterThanOrEqual(240);
}, 90_000);
