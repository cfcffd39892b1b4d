import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TestPlatform } from '../../../test/test-platform';

/**
 * Data-security fixtures written straight into sharing's read models (a published entry, its current
 * dataset copy, requests and grants): the sandbox and aggregation checks are about what happens to
 * data already in sharing, so the tests skip the catalog and ingest round trip.
 */
export interface Fixture {
  entryId: string;
  datasetId: string;
  table: string;
}

export const PEOPLE_ITEMS = [
  { name: '身份证号', personal: true, type: 'text' },
  { name: '区县', personal: false, type: 'text' },
  { name: '性别', personal: false, type: 'text' },
  { name: '出生年份', personal: false, type: 'text' },
  { name: '诊断', personal: false, type: 'text' },
  { name: '费用', personal: false, type: 'numeric' },
];

export const DISTRICTS = ['鄂城区', '华容区', '梁子湖区', '葛店', '临空', '红莲湖'];
export const idOf = (i: number) => `420704${String(19500101 + i).padStart(8, '0')}${String(1000 + i).slice(-4)}`;

/** 300 people: 6 districts × 2 sexes × 50 birth years (many singletons by birth year), 100 of them with 感冒. */
export function peopleRows(n = 300): unknown[][] {
  return Array.from({ length: n }, (_, i) => [idOf(i), DISTRICTS[i % 6], i % 2 ? '女' : '男', String(1950 + (i % 50)), i % 3 === 0 ? '感冒' : '高血压', (i % 10) * 100 + 50]);
}

export async function deptIds(p: TestPlatform): Promise<Record<string, string>> {
  const { rows } = await p.pool.query(`SELECT id, code FROM catalog.department`);
  return Object.fromEntries(rows.map((r) => [r.code, r.id]));
}

export async function dataset(p: TestPlatform, providerDeptId: string, name: string, items: { name: string; personal: boolean; type: string }[], rows: unknown[][]): Promise<Fixture> {
  const entryId = randomUUID();
  const datasetId = randomUUID();
  const table = `ds_${datasetId.replace(/-/g, '')}_1`;
  await p.pool.query(
    `INSERT INTO sharing.catalog_entry (entry_id, version, dept_id, dept_name, region_code, resource_code, name, share_type, share_condition, items, status)
     VALUES ($1, 1, $2, '市卫生健康委员会', '420700', $3, $4, 'CONDITIONAL', '仅用于履职', $5, 'published')`,
    [entryId, providerDeptId, `3${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}/000001`, name, JSON.stringify(items.map((i) => ({ name: i.name, personal: i.personal, dataType: 'C' })))],
  );
  await p.pool.query(`CREATE TABLE sharing."${table}" (_row bigint NOT NULL, ${items.map((i) => `"${i.name}" ${i.type}`).join(', ')})`);
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500);
    const params: unknown[] = [];
    const values = chunk.map((r, j) => `($${params.push(start + j + 1)}, ${r.map((v) => `$${params.push(v)}`).join(', ')})`);
    await p.pool.query(`INSERT INTO sharing."${table}" VALUES ${values.join(', ')}`, params);
  }
  await p.pool.query(`INSERT INTO sharing.dataset (dataset_id, entry_id, dept_id, version, table_name, columns, row_count) VALUES ($1,$2,$3,1,$4,$5,$6)`, [
    datasetId,
    entryId,
    providerDeptId,
    table,
    JSON.stringify(items.map((i) => ({ name: i.name, type: i.type }))),
    rows.length,
  ]);
  return { entryId, datasetId, table };
}

/** A pending share request (for the approval path) from `requester` to the entry's provider. */
export async function pendingRequest(p: TestPlatform, f: Fixture, requester: string, provider: string, items: string[], deliveryMethod = 'download'): Promise<string> {
  const id = randomUUID();
  await p.pool.query(
    `INSERT INTO sharing.share_request (id, batch_id, requester_dept_id, requester_user_id, provider_dept_id, entry_id, entry_version, share_type, items, purpose, legal_basis, scenario,
       period_from, period_to, delivery_method, system_name, status, submitted_on, due_date)
     VALUES ($1, gen_random_uuid(), $2, 'u-test', $3, $4, 1, 'CONDITIONAL', $5, '医保基金监管统计分析', '《医疗保障基金使用监督管理条例》', '基金监管', '2026-01-01', '2027-12-31', $6, '医保监管系统', 'pending', '2026-11-20', '2026-12-04')`,
    [id, requester, provider, f.entryId, items, deliveryMethod],
  );
  return id;
}

/** An active grant (a request approved earlier), e.g. of delivery method `sandbox`. */
export async function activeGrant(p: TestPlatform, f: Fixture, consumer: string, provider: string, items: string[], deliveryMethod = 'sandbox'): Promise<string> {
  const requestId = await pendingRequest(p, f, consumer, provider, items, deliveryMethod);
  const id = randomUUID();
  await p.pool.query(
    `INSERT INTO sharing.grant_ (id, request_id, consumer_dept_id, provider_dept_id, system_name, entry_id, items, valid_from, valid_to, delivery_method, status)
     VALUES ($1,$2,$3,$4,'医保监管系统',$5,$6,'2026-01-01','2027-12-31',$7,'active')`,
    [id, requestId, consumer, provider, f.entryId, items, deliveryMethod],
  );
  await p.pool.query(`UPDATE sharing.share_request SET status='approved', grant_id=$2 WHERE id=$1`, [requestId, id]);
  return id;
}

/** Roles are cluster-wide: drop the sandbox roles of this run's grants once the test database is gone. */
export async function dropSandboxRoles(grantIds: string[]): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url || grantIds.length === 0) return;
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const hex = grantIds.map((g) => g.replace(/-/g, ''));
    const { rows } = await c.query(`SELECT rolname FROM pg_roles WHERE rolname LIKE 'sandbox_%'`);
    for (const r of rows) if (hex.some((h) => r.rolname.endsWith(h)) || r.rolname.startsWith('sandbox_set_')) await c.query(`DROP ROLE IF EXISTS "${r.rolname}"`).catch(() => undefined);
  } finally {
    await c.end();
  }
}

/**
 * Lands a new version of a fixture dataset as DatasetStore does: a new table `ds_<dataset>_<version>`
 * (rows numbered from 1 in the new order, so `_row` of the same person changes), made current, the
 * old table dropped.
 */
export async function landVersion(p: TestPlatform, f: Fixture, version: number, items: { name: string; type: string }[], rows: unknown[][]): Promise<Fixture> {
  const table = `ds_${f.datasetId.replace(/-/g, '')}_${version}`;
  await p.pool.query(`CREATE TABLE sharing."${table}" (_row bigint NOT NULL, ${items.map((i) => `"${i.name}" ${i.type}`).join(', ')})`);
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500);
    const params: unknown[] = [];
    const values = chunk.map((r, j) => `($${params.push(start + j + 1)}, ${r.map((v) => `$${params.push(v)}`).join(', ')})`);
    await p.pool.query(`INSERT INTO sharing."${table}" VALUES ${values.join(', ')}`, params);
  }
  await p.pool.query(`UPDATE sharing.dataset SET version=$2, table_name=$3, row_count=$4, updated_at=now() WHERE dataset_id=$1`, [f.datasetId, version, table, rows.length]);
  await p.pool.query(`DROP TABLE IF EXISTS sharing."${f.table}"`);
  return { ...f, table };
}
