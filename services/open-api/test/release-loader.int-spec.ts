import { eventually, startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { ServiceApi, uploadFile, waitForJob } from '../../ingest/test/ingest-fixtures';
import { OpenDatasetLoader } from '../src/catalog/open-dataset-loader';
import { OpenApi, publishOpenDataset, relaxLimits } from './open-fixtures';

/**
 * Opening a version (issue 7 and issue 10 §2), against real PostgreSQL:
 * - a release whose quasi-identifiers single people out (k below OPEN_MIN_K) is refused, named,
 *   audited, and shown as such; a generalised version is opened;
 * - the snapshot is loaded outside the event handler's transaction: readers keep the previous
 *   version until the new table is complete, and a load that fails is retried;
 * - files built for byte ranges of a superseded version are removed, and old ones by age.
 */
let p: TestPlatform;
let api: OpenApi;
let ingest: ServiceApi;
let key: string;
let loader: OpenDatasetLoader;

const STREETS = ['团城山街道', '下陆街道', '铁山街道'];
const ITEMS = [
  { name: '出生日期', dataType: 'D' },
  { name: '性别', dataType: 'C', length: 2 },
  { name: '街道', dataType: 'C', length: 20 },
  { name: '慢病类别', dataType: 'C', length: 20 },
];
/** 30 people, each with their own birth date: every one of them is alone in a group (k = 1). */
const identifying = () => ['出生日期,性别,街道,慢病类别', ...Array.from({ length: 30 }, (_, i) => `1980-01-${String(i + 1).padStart(2, '0')},${i % 2 ? '女' : '男'},${STREETS[(i >> 1) % 3]},高血压`)].join('\n') + '\n';
/** The same people generalised (birth date to the year's first day): 2 sexes × 3 streets, 5 people each. */
const generalised = () => ['出生日期,性别,街道,慢病类别', ...Array.from({ length: 30 }, (_, i) => `1980-01-01,${i % 2 ? '女' : '男'},${STREETS[(i >> 1) % 3]},糖尿病`)].join('\n') + '\n';

const SHOPS = (version: number) => ['门店名称,检查得分', ...Array.from({ length: 40 }, (_, i) => `示范门店${i + 1},${version * 100 + i}`)].join('\n') + '\n';

async function dataVersion(entryId: string): Promise<number | null> {
  const { rows } = await p.pool.query(`SELECT data_version FROM openapi.open_dataset WHERE entry_id = $1`, [entryId]);
  return rows[0]?.data_version ?? null;
}

beforeAll(async () => {
  p = await startTestPlatform({ extra: { OPEN_MIN_K: '5', OPEN_LOAD_RETRY_MS: '1500', OPEN_LOAD_POLL_MS: '100', OPEN_LOAD_DROP_GRACE_MS: '100' } });
  relaxLimits(p);
  api = new OpenApi(p.baseUrl);
  loader = p.server.apps['open-api'].get(OpenDatasetLoader);
  const dev = await api.expect(201, 'POST', '/v1/developers', { body: { email: 'release@example.com', password: 'Secret#2026', name: '开放测试' } });
  key = (await api.expect(201, 'POST', '/v1/developers/me/apps', { token: dev.accessToken, body: { name: '开放测试应用' } })).key.apiKey;
}, 90_000);

afterAll(async () => {
  await p?.close();
}, 30_000);

async function publish(name: string, items: typeof ITEMS | { name: string; dataType: string; length?: number }[], csv: string) {
  const [opToken, adminToken] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
  const op = new ServiceApi(p.baseUrl, 'catalog', opToken);
  ingest = new ServiceApi(p.baseUrl, 'ingest', opToken);
  return publishOpenDataset(p, op, new ServiceApi(p.baseUrl, 'catalog', adminToken), ingest, { name, items, csv });
}

describe('k-anonymity before opening (聚合风险)', () => {
  it('refuses a version whose quasi-identifiers single people out, names the columns, audits it, and opens a generalised version', async () => {
    const ds = await publish('慢病患者随访样本', ITEMS, identifying());

    const records = await api.call('GET', `/v1/datasets/${ds.entryId}/records`, { key });
    expect(records.status).toBe(403);
    expect(records.headers.get('content-type')).toContain('application/problem+json');
    expect(records.body.code).toBe('OPEN_RELEASE_REFUSED_K_ANONYMITY');
    expect(records.body.message.zh).toContain('出生日期');
    expect(records.body.message.en).toContain('re-identified');
    expect(records.body).toMatchObject({ offending: ['出生日期'], k: 1, requiredK: 5 });
    const download = await api.call('GET', `/v1/datasets/${ds.entryId}/download?format=csv`, { key });
    expect(download.status).toBe(403);
    expect(download.body.code).toBe('OPEN_RELEASE_REFUSED_K_ANONYMITY');
    const range = await api.call('GET', `/v1/datasets/${ds.entryId}/download?format=csv`, { key, headers: { range: 'bytes=0-10' } });
    expect(range.status).toBe(403);

    const page = await api.expect(200, 'GET', `/v1/datasets/${ds.entryId}`);
    expect(page.release).toMatchObject({ state: 'refused', offending: ['出生日期'], k: 1, requiredK: 5 });
    expect(page.hasData).toBe(false);
    expect(page.preview.rows).toEqual([]);
    expect(JSON.stringify(page)).not.toContain('1980-01-07');

    // The refusal is an event of open-api's outbox, and audit logs it.
    const { rows: events } = await p.pool.query(`SELECT envelope FROM openapi.outbox WHERE event_name = 'security.aggregation.refused'`);
    const refusal = events.map((r) => r.envelope).find((e) => e.payload.entryId === ds.entryId);
    expect(refusal).toMatchObject({ producer: 'open-api', payload: { context: 'open', offending: ['出生日期'], k: 1, requiredK: 5, rowsAtRisk: 30 } });
    expect(refusal.payload.columns.sort()).toEqual(['出生日期', '性别', '街道'].sort());
    await eventually(async () => {
      const { rows } = await p.pool.query(`SELECT 1 FROM audit.audit_record WHERE event_id = $1`, [refusal.id]);
      return rows.length ? true : undefined;
    }, 20_000);

    // Version 2, generalised: groups of 5, opened.
    const upload = await uploadFile(ingest, ds.datasetId, 'v2.csv', Buffer.from(generalised(), 'utf8'));
    expect((await waitForJob(ingest, upload.body.id)).state).toBe('succeeded');
    await eventually(async () => ((await dataVersion(ds.entryId)) === 2 ? true : undefined), 30_000);
    const opened = await api.call('GET', `/v1/datasets/${ds.entryId}/records?limit=100`, { key });
    expect(opened.status).toBe(200);
    expect(opened.body.records).toHaveLength(30);
    expect((await api.expect(200, 'GET', `/v1/datasets/${ds.entryId}`)).release).toMatchObject({ state: 'released' });
  }, 90_000);


  it('checks a 有条件开放 dataset and shows the risk without refusing it (OPEN_CONDITIONAL_MIN_K unset)', async () => {
    const [opToken, adminToken] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
    const ds = await publishOpenDataset(p, new ServiceApi(p.baseUrl, 'catalog', opToken), new ServiceApi(p.baseUrl, 'catalog', adminToken), new ServiceApi(p.baseUrl, 'ingest', opToken), {
      name: '慢病患者随访样本（有条件开放）',
      items: ITEMS,
      csv: identifying(),
      open: 'CONDITIONAL',
      grade: 'L2',
    });
    const { rows } = await p.pool.query(`SELECT release_state, release_check FROM openapi.open_dataset WHERE entry_id = $1`, [ds.entryId]);
    expect(rows[0].release_state).toBe('released');
    expect(rows[0].release_check).toMatchObject({ offending: ['出生日期'], k: 1, enforced: false });
    const page = await api.expect(200, 'GET', `/v1/datasets/${ds.entryId}`);
    expect(page.release).toMatchObject({ state: 'released', reidentificationRisk: { offending: ['出生日期'], k: 1 } });
    const { rows: events } = await p.pool.query(`SELECT 1 FROM openapi.outbox WHERE event_name = 'security.aggregation.refused' AND envelope->'payload'->>'entryId' = $1`, [ds.entryId]);
    expect(events).toEqual([]);
  }, 60_000);
});

describe('loading outside the event handler', () => {
  let shop: { entryId: string; datasetId: string };

  beforeAll(async () => {
    shop = await publish('门店检查得分（加载测试）', [
      { name: '门店名称', dataType: 'C', length: 100 },
      { name: '检查得分', dataType: 'I', length: 5 },
    ], SHOPS(1));
  }, 60_000);

  it('serves the previous version until the next one is loaded, retries a failed load, and removes superseded download files', async () => {
    // A range download builds the file of version 1.
    const part = await api.call('GET', `/v1/datasets/${shop.entryId}/download?format=csv`, { key, headers: { range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    const storage = p.runtime.objectStorage;
    const filesOf = async (prefix: string) => {
      const keys: string[] = [];
      for await (const k of storage.list(prefix)) keys.push(k);
      return keys;
    };
    const { rows: [v1] } = await p.pool.query(`SELECT table_name FROM openapi.open_dataset WHERE entry_id = $1`, [shop.entryId]);
    expect(await filesOf(`open-downloads/${v1.table_name}/`)).toHaveLength(1);

    // Version 2's snapshot: the open-api loader's first read fails, as if the process died mid-load.
    // (Not held open instead: a COPY left waiting for data holds up DROP DATABASE on the whole server.)
    const get = storage.get.bind(storage);
    const snapshotKey = `snapshots/${shop.datasetId}/2.tsv`;
    let failures = 0;
    storage.get = async (k, r) => {
      if (k === snapshotKey && failures === 0 && /open-dataset-loader/.test(new Error().stack ?? '')) {
        failures++;
        throw new Error('simulated crash while reading the snapshot');
      }
      return get(k, r);
    };
    try {
      const upload = await uploadFile(ingest, shop.datasetId, 'v2.csv', Buffer.from(SHOPS(2), 'utf8'));
      expect((await waitForJob(ingest, upload.body.id)).state).toBe('succeeded');
      // The handler has committed version 2; the failed load waits for its retry (OPEN_LOAD_RETRY_MS) …
      const during = await eventually(async () => {
        const { rows } = await p.pool.query(
          `SELECT snapshot_version, data_version, load_attempts, load_error, load_wanted > load_done AS pending FROM openapi.open_dataset WHERE entry_id = $1`,
          [shop.entryId],
        );
        return rows[0].load_attempts === 1 ? rows[0] : undefined;
      }, 20_000);
      expect(during).toMatchObject({ snapshot_version: 2, data_version: 1, pending: true });
      expect(during.load_error).toContain('simulated crash');
      // … and readers are still served version 1, complete.
      const served = await api.call('GET', `/v1/datasets/${shop.entryId}/records?limit=100`, { key });
      expect(served.status).toBe(200);
      expect(served.headers.get('x-dataset-version')).toBe('1');
      expect(served.body.records).toHaveLength(40);
      expect(served.body.records[0]['检查得分']).toBe(100);
    } finally {
      storage.get = get;
    }
    expect(failures).toBe(1);
    await eventually(async () => ((await dataVersion(shop.entryId)) === 2 ? true : undefined), 20_000);
    const next = await api.call('GET', `/v1/datasets/${shop.entryId}/records?limit=1`, { key });
    expect(next.body.records[0]['检查得分']).toBe(200);
    expect(next.headers.get('x-dataset-version')).toBe('2');

    // The superseded table and its download files go after the grace period.
    await eventually(async () => {
      const { rows } = await p.pool.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'openapi' AND tablename = $1`, [v1.table_name]);
      return rows.length === 0 && (await filesOf(`open-downloads/${v1.table_name}/`)).length === 0 ? true : undefined;
    }, 10_000);

    // Files of the current version go by age (rebuilt on the next range request).
    expect((await api.call('GET', `/v1/datasets/${shop.entryId}/download?format=csv`, { key, headers: { range: 'bytes=0-9' } })).status).toBe(206);
    const { rows: [v2] } = await p.pool.query(`SELECT table_name FROM openapi.open_dataset WHERE entry_id = $1`, [shop.entryId]);
    expect(await filesOf(`open-downloads/${v2.table_name}/`)).toHaveLength(1);
    expect((await loader.sweep(new Date())).files).toBe(0);
    expect((await loader.sweep(new Date(Date.now() + 8 * 86_400_000))).files).toBe(1);
    expect(await filesOf(`open-downloads/${v2.table_name}/`)).toHaveLength(0);
    const again = await api.call('GET', `/v1/datasets/${shop.entryId}/download?format=csv`, { key, headers: { range: 'bytes=0-9' } });
    expect(again.status).toBe(206);
    expect(Buffer.compare(again.raw, part.raw.subarray(0, 10))).toBe(0);
  }, 90_000);

  it('a table left by a crashed load is dropped by the sweep, not the one being served', async () => {
    const { rows: [cur] } = await p.pool.query(`SELECT table_name FROM openapi.open_dataset WHERE entry_id = $1`, [shop.entryId]);
    const orphan = `${cur.table_name.replace(/_\d+$/, '')}_999`;
    await p.pool.query(`CREATE TABLE openapi."${orphan}" (_row bigint)`);
    const swept = await loader.sweep();
    expect(swept.tables).toBeGreaterThanOrEqual(1);
    const { rows } = await p.pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'openapi' AND tablename IN ($1, $2)`, [orphan, cur.table_name]);
    expect(rows.map((r) => r.tablename)).toEqual([cur.table_name]);
    expect((await api.call('GET', `/v1/datasets/${shop.entryId}/records?limit=1`, { key })).status).toBe(200);
  });
});
