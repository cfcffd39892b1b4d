/**
 * bench/security: data sandbox (数据沙箱) latency.
 *
 *   npm run bench:security:sandbox                    # 1,000,000 rows, 5 runs per query
 *   npm run bench:security:sandbox -- --rows 200000 --runs 3
 *
 * A 1,000,000-row table of people (district, sex, birth year, diagnosis, fee, ID number) is the current
 * copy of a dataset under a sandbox grant. Timed end to end through POST /api/sharing/sandbox/jobs
 * (parse and check, role, READ ONLY transaction with limits, hidden group size and row fingerprints, k check,
 * differencing against the released groups, storing and auditing the job) next to the same GROUP BY
 * run directly on the table with pg in the same run. Prints figures; asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { benchDatabase, startBenchPlatform } from '../ingest/platform';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 1_000_000);
const RUNS = arg('runs', 5);
const log = (m: string) => process.stdout.write(`${m}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const QUERIES: { name: string; sql: string }[] = [
  { name: 'GROUP BY 区县', sql: `SELECT "区县", count(*) AS n, avg("费用") AS fee FROM people GROUP BY "区县"` },
  { name: 'GROUP BY 区县, 性别, 诊断', sql: `SELECT "区县", "性别", "诊断", count(*) AS n, sum("费用") AS fee FROM people GROUP BY 1, 2, 3` },
  { name: 'GROUP BY 出生年份, WHERE 诊断 = 高血压', sql: `SELECT "出生年份", count(*) AS n FROM people WHERE "诊断" = '高血压' GROUP BY 1` },
];

async function main(): Promise<void> {
  const db = await benchDatabase(log);
  const p = await startBenchPlatform(db);
  const c = new Client({ connectionString: db.url });
  await c.connect();
  const grants: string[] = [];
  try {
    const { rows: depts } = await c.query(`SELECT id, code FROM catalog.department WHERE code IN ('scjg','rsj')`);
    const dept = Object.fromEntries(depts.map((r) => [r.code, r.id]));
    const entryId = randomUUID();
    const datasetId = randomUUID();
    const table = `ds_${datasetId.replace(/-/g, '')}_1`;
    const items = [
      ['身份证号', true, 'text'],
      ['区县', false, 'text'],
      ['性别', false, 'text'],
      ['出生年份', false, 'text'],
      ['诊断', false, 'text'],
      ['费用', false, 'numeric'],
    ] as const;
    let t = Date.now();
    await c.query(
      `INSERT INTO sharing.catalog_entry (entry_id, version, dept_id, dept_name, region_code, resource_code, name, share_type, share_condition, items, status)
       VALUES ($1,1,$2,'市场监督管理局','420700','301001/000001','居民就诊信息（压测）','CONDITIONAL','仅用于履职',$3,'published')`,
      [entryId, dept.scjg, JSON.stringify(items.map(([name, personal]) => ({ name, personal, dataType: 'C' })))],
    );
    await c.query(`CREATE TABLE sharing."${table}" (_row bigint NOT NULL, ${items.map(([n, , ty]) => `"${n}" ${ty}`).join(', ')})`);
    await c.query(
      `INSERT INTO sharing."${table}" SELECT i, '420704' || (19500101 + i % 500000)::text || lpad((i % 10000)::text, 4, '0'),
         (ARRAY['鄂城区','华容区','梁子湖区','葛店','临空','红莲湖'])[1 + i % 6], CASE WHEN (i / 7) % 2 = 0 THEN '男' ELSE '女' END,
         (1950 + (i / 13) % 50)::text, CASE WHEN (i / 11) % 3 = 0 THEN '感冒' WHEN (i / 11) % 3 = 1 THEN '高血压' ELSE '糖尿病' END, (i % 1000) * 1.5
       FROM generate_series(1, $1) AS i`,
      [ROWS],
    );
    await c.query(`CREATE INDEX ON sharing."${table}" (_row)`);
    await c.query(`ANALYZE sharing."${table}"`);
    await c.query(`INSERT INTO sharing.dataset (dataset_id, entry_id, dept_id, version, table_name, columns, row_count) VALUES ($1,$2,$3,1,$4,$5,$6)`, [
      datasetId,
      entryId,
      dept.scjg,
      table,
      JSON.stringify(items.map(([name, , type]) => ({ name, type }))),
      ROWS,
    ]);
    const requestId = randomUUID();
    await c.query(
      `INSERT INTO sharing.share_request (id, batch_id, requester_dept_id, requester_user_id, provider_dept_id, entry_id, entry_version, share_type, items, purpose, legal_basis, scenario, period_from, period_to, delivery_method, system_name, status, submitted_on)
       VALUES ($1, gen_random_uuid(), $2, 'bench', $3, $4, 1, 'CONDITIONAL', $5, '统计分析', '三定方案', '统计', '2026-01-01', '2099-12-31', 'sandbox', '统计系统', 'approved', '2026-01-01')`,
      [requestId, dept.rsj, dept.scjg, entryId, items.map(([n]) => n)],
    );
    const grant = randomUUID();
    grants.push(grant);
    await c.query(
      `INSERT INTO sharing.grant_ (id, request_id, consumer_dept_id, provider_dept_id, system_name, entry_id, items, valid_from, valid_to, delivery_method, status)
       VALUES ($1,$2,$3,$4,'统计系统',$5,$6,'2026-01-01','2099-12-31','sandbox','active')`,
      [grant, requestId, dept.rsj, dept.scjg, entryId, items.map(([n]) => n)],
    );
    log(`# Data sandbox latency — ${ROWS.toLocaleString('en-US')} rows (loaded in ${((Date.now() - t) / 1000).toFixed(1)} s), ${RUNS} runs per query, median`);
    const token = await p.login('rsj_op');
    const submit = async (sql: string) => {
      const res = await fetch(`${p.baseUrl}/api/sharing/sandbox/jobs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ tables: { people: grant }, sql }) });
      const body = (await res.json()) as { status?: string; code?: string; resultRows?: number };
      if (res.status !== 201) throw new Error(`sandbox job: ${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    log('| query | sandbox job (HTTP, end to end) | same GROUP BY on pg directly | ratio |');
    log('|---|---:|---:|---:|');
    for (const q of QUERIES) {
      const plain = q.sql.replace('FROM people', `FROM sharing."${table}"`);
      await c.query(plain); // warm the cache for both
      const sandbox: number[] = [];
      const direct: number[] = [];
      let groups = 0;
      for (let i = 0; i < RUNS; i++) {
        t = performance.now();
        const job = await submit(q.sql);
        sandbox.push(performance.now() - t);
        groups = job.resultRows ?? 0;
        t = performance.now();
        await c.query(plain);
        direct.push(performance.now() - t);
      }
      log(`| ${q.name}: ${groups} groups | ${median(sandbox).toFixed(0)} ms | ${median(direct).toFixed(0)} ms | ${(median(sandbox) / median(direct)).toFixed(2)}× |`);
    }
    const { rows } = await c.query(`SELECT count(*)::int AS groups, coalesce(sum(octet_length(row_ids)), 0)::bigint AS bytes FROM sharing.sandbox_release`);
    log(`\nReleased groups kept for the differencing check: ${rows[0].groups}, ${(Number(rows[0].bytes) / 1024).toFixed(0)} KiB of encoded row fingerprints (a hash per row: they compress far less than consecutive row numbers).`);
  } finally {
    await c.end();
    await p.close();
    // Roles are cluster-wide: drop the bench grant's role.
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect().then(
      async () => {
        for (const g of grants) await admin.query(`DROP ROLE IF EXISTS "sandbox_${g.replace(/-/g, '')}"`).catch(() => undefined);
        await admin.end();
      },
      () => undefined,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
