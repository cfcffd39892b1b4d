import { CatalogMetadata, DATA_DOMAINS, DepartmentScope, migrateServiceSchema, serviceDataSourceOptions } from '@gov/shared';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../../../../test/test-database';
import { CATALOG_ENTITIES, CATALOG_MIGRATIONS } from '../catalog.module';
import { CatalogEntry } from '../entries/catalog-entry.entity';
import { SearchEntriesQuery, SearchResult } from './dto/search.dto';
import { CatalogSearchIndex, SAFETY_WINDOW_MS } from './search-index';
import { SearchIndexWriter } from './search-index.writer';
import { SearchService } from './search.service';
import { SqlSearch } from './sql-search';

/**
 * The in-memory index against the SQL search (the oracle) on a few hundred generated entries:
 * same totals, same hits in the same order with the same fields, same facets, for keyword,
 * filter, status, scope, sort and page combinations; then the catch-up: updates replace an
 * entry's grams, writes are visible to the next search, a transaction committing late is caught.
 */

let db: TestDatabase;
let ds: DataSource;
let sql: SqlSearch;
let index: CatalogSearchIndex;
const writer = new SearchIndexWriter();

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const some = <T>(xs: readonly T[], max: number): T[] => Array.from({ length: Math.floor(next() * (max + 1)) }, () => pick(xs));
  return { next, pick, some };
}

const DEPTS = [
  { id: '0b7a4d8e-5a51-4c1f-9d3e-2f6a7b8c9d01', code: 'scjg', name: '示范市市场监督管理局', old: '示范市工商行政管理局' },
  { id: '1c8b5e9f-6b62-4d2a-8e4f-3a7b8c9d0e12', code: 'rsj', name: '示范市人力资源和社会保障局' },
  { id: '2d9c6fa0-7c73-4e3b-9f50-4b8c9d0e1f23', code: 'wjw', name: '示范市卫生健康委员会' },
  { id: '3e0d7ab1-8d84-4f4c-a061-5c9d0e1f2a34', code: 'gaj', name: '示范市公安局' },
  { id: 'f4e1a2c3-9e95-4a5d-b172-6d0e1f2a3b45', code: 'zjj', name: 'Demo City Housing Bureau' },
];
const SUBJECTS = ['营业执照', '企业', '食品经营', '医疗机构', '学校', '公交线路', '不动产', '社保', '空气质量', 'API', 'Api接口', 'ＡＰＩ服务', 'İzmir合作', 'ΣΟΦΙΑΣ项目', '古树名木', '证照', '𠀋字库'];
const KINDS = ['登记', '许可', '监测', '名录', '备案', '证明', '年检', '目录'];
const SUFFIXES = ['信息', '数据', '清单', '情况', '证'];
const ITEMS = ['统一社会信用代码', '营业执照号', '法定代表人', '许可证编号', '经度', '纬度', 'ID', 'Name', 'ＴＥＬ', 'E-mail', '监测时间', '企业名称', '登记日期', 'İD号', '证件号码'];
const TAGS = ['营商环境', '民生', 'API', '一网通办', '证照'];
const STATUSES = ['published', 'published', 'published', 'published', 'published', 'published', 'draft', 'submitted', 'returned', 'retired'];
const CLASSES = ['1', '2', '3', null];
const SHARE = ['UNCONDITIONAL', 'CONDITIONAL', 'NOT_SHARED', null];
const OPEN = ['UNCONDITIONAL', 'CONDITIONAL', 'NOT_OPEN', null];
const FORMATS = ['1', '2', '3', '7', null];
const CYCLES = ['REALTIME', 'DAILY', 'MONTHLY', 'YEARLY', null];
const GRADES = ['L1', 'L2', 'L3', 'L4', null];
const DOMAINS = [...DATA_DOMAINS.slice(0, 5).map((d) => d.code), 'X9', null];
/** A few publication instants, so that many entries tie on published_at. */
const INSTANTS = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2025, 0, 1 + i * 7, 8, 0, 0, i * 37)));

interface Generated {
  entry: CatalogEntry;
  metadata: CatalogMetadata;
  deptName: string;
}

function generate(count: number, seed: number): Generated[] {
  const r = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const dept = r.pick(DEPTS);
    const status = r.pick(STATUSES);
    const published = status === 'published' || status === 'retired';
    const name = `${r.pick(SUBJECTS)}${r.pick(KINDS)}${r.pick(SUFFIXES)}`;
    const entry = {
      id: `00000000-0000-4000-8000-${String(seed * 10000 + i).padStart(12, '0')}`,
      deptId: dept.id,
      status,
      resourceCode: published || r.next() < 0.3 ? `370201${String(seed * 10000 + i).padStart(8, '0')}` : null,
      latestVersion: 1 + Math.floor(r.next() * 3),
      publishedVersion: published ? 1 : null,
      publishedAt: published && r.next() < 0.92 ? r.pick(INSTANTS) : null,
    } as CatalogEntry;
    const metadata = {
      name,
      abstract: `${name}，包括${r.some(ITEMS, 3).join('、')}等，${r.pick(['按日更新', '不定期更新', 'Updated Daily', ''])}。`,
      items: r.some(ITEMS, 6).map((n) => ({ name: n, dataType: 'C', length: 50 })),
      classification: r.next() < 0.9 ? { classCode: r.pick(CLASSES) ?? '1', itemCode: '01', categoryCode: '001' } : undefined,
      domainCode: r.pick(DOMAINS) ?? undefined,
      share: { type: r.pick(SHARE) ?? undefined, methodType: r.pick(['API', 'FILE', undefined]) },
      open: { type: r.pick(OPEN) ?? undefined },
      format: { classCode: r.pick(FORMATS) ?? undefined, type: 'x' },
      updateCycle: r.pick(CYCLES) ?? undefined,
      securityGrade: r.pick(GRADES) ?? undefined,
      tags: r.some(TAGS, 2),
    } as unknown as CatalogMetadata;
    // Some rows of the market regulator still carry its former name (min(dept_name) labels the facet).
    return { entry, metadata, deptName: dept.old && r.next() < 0.3 ? dept.old : dept.name };
  });
}

async function insert(rows: readonly Generated[]): Promise<void> {
  await ds.query(
    `INSERT INTO catalog.catalog_entry (id, dept_id, status, resource_code, latest_version, published_version, published_at)
     SELECT id, dept_id, status, resource_code, latest_version, published_version, published_at
     FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, dept_id uuid, status text, resource_code text, latest_version int, published_version int, published_at timestamptz)
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(rows.map(({ entry: e }) => ({ id: e.id, dept_id: e.deptId, status: e.status, resource_code: e.resourceCode, latest_version: e.latestVersion, published_version: e.publishedVersion, published_at: e.publishedAt })))],
  );
  await writer.upsertMany(ds.manager, rows);
}

beforeAll(async () => {
  db = await createTestDatabase('search_index');
  ds = new DataSource(serviceDataSourceOptions({ url: db.url, schema: 'catalog', entities: CATALOG_ENTITIES, migrations: CATALOG_MIGRATIONS, poolSize: 6 }));
  await ds.initialize();
  await migrateServiceSchema(ds, 'catalog');
  await ds.query(`INSERT INTO catalog.data_domain (code, label) VALUES ('X9', '测试领域')`);
  for (const [i, d] of DEPTS.entries())
    await ds.query(`INSERT INTO catalog.department (id, name, credit_code, code, region_code, level) VALUES ($1, $2, $3, $4, '370200', 'city')`, [d.id, d.name, `11370200MB${String(i).padStart(7, '0')}X`, d.code]);
  await insert(generate(400, 1));
  // Timestamps PostgreSQL keeps in microseconds: ties within a millisecond, equal updated_at values.
  await ds.query(`UPDATE catalog.entry_search SET published_at = published_at + interval '250 microseconds' WHERE published_at IS NOT NULL AND substr(entry_id::text, 36, 1) IN ('1', '5')`);
  await ds.query(`UPDATE catalog.entry_search SET updated_at = timestamptz '2025-06-01 00:00:00.000001+00' + (substr(entry_id::text, 35, 2)::int % 7) * interval '3 microseconds'`);
  sql = new SqlSearch(ds);
  index = new CatalogSearchIndex(ds);
}, 120_000);

afterAll(async () => {
  await index?.onApplicationShutdown();
  await ds?.destroy();
  await db?.drop();
});

const ALL: DepartmentScope = { all: true };
const own = (...codes: string[]): DepartmentScope => ({ all: false, deptIds: codes.map((c) => DEPTS.find((d) => d.code === c)!.id) });

async function both(scope: DepartmentScope, query: SearchEntriesQuery): Promise<{ memory: SearchResult; oracle: SearchResult }> {
  const memory = await index.search(scope, query);
  if (!memory) throw new Error('the index did not answer');
  return { memory, oracle: await sql.search(scope, query) };
}

describe('before the load', () => {
  it('leaves the search to SQL', async () => {
    expect(index.ready).toBe(false);
    expect(await index.search(ALL, { q: '企业' })).toBeUndefined();
    const service = new SearchService(index, sql);
    expect(await service.search(ALL, { q: '企业' })).toEqual(await sql.search(ALL, { q: '企业' }));
  });
});

describe('the memory index answers as SQL does', () => {
  beforeAll(async () => {
    const load = await index.load();
    expect(load.entries).toBe(400);
  });

  const TERMS = [
    undefined,
    '',
    '企业',
    '证',
    '证照',
    '营业执照',
    '营业执照 登记',
    '信息 清单',
    '执照号',
    'api',
    'ＡＰＩ',
    'API 接口',
    'izmir',
    'i̇zmir',
    'σοφιασ',
    'ΣΟΦΙΑΣ',
    'id',
    'e mail',
    '市场监督管理局',
    '工商行政',
    '人力资源 监测',
    'housing',
    '古树名木',
    '𠀋字',
    '不存在的词',
    '民生',
    '3702010000',
    '信息 数据 清单 目录',
  ];
  const SORTS = [undefined, 'relevance', 'published', 'updated', 'name'] as const;

  it('for every keyword and sort order, as the data bureau and as a department', async () => {
    let compared = 0;
    for (const q of TERMS)
      for (const sort of SORTS)
        for (const scope of [ALL, own('scjg')]) {
          const { memory, oracle } = await both(scope, { q, sort, pageSize: 50 });
          expect({ q, sort, ...memory }).toEqual({ q, sort, ...oracle });
          compared++;
        }
    expect(compared).toBe(TERMS.length * SORTS.length * 2);
  }, 120_000);

  it('for every status and scope: other departments see published and retired entries only', async () => {
    for (const status of [undefined, 'published', 'draft', 'submitted', 'returned', 'retired'])
      for (const scope of [ALL, own('scjg'), own('rsj', 'wjw'), own('gaj'), { all: false, deptIds: [DEPTS[0].id.toUpperCase()] } as DepartmentScope, { all: false, deptIds: [] } as DepartmentScope])
        for (const q of [undefined, '信息', '营业执照']) {
          const { memory, oracle } = await both(scope, { q, status, pageSize: 100 });
          expect({ status, scope, q, ...memory }).toEqual({ status, scope, q, ...oracle });
        }
    const draftsOfOthers = await index.search(own('gaj'), { status: 'draft', pageSize: 100 });
    expect(draftsOfOthers!.hits.every((h) => h.deptId === DEPTS[3].id)).toBe(true);
  }, 120_000);

  it('for every filter value, alone and combined, with facets of the whole result', async () => {
    const filters: Partial<SearchEntriesQuery>[] = [
      ...DOMAINS.filter(Boolean).map((domain) => ({ domain: domain! })),
      ...DEPTS.map((d) => ({ deptId: d.id })),
      { deptId: DEPTS[0].id.toUpperCase() },
      ...CLASSES.filter(Boolean).map((classCode) => ({ classCode: classCode! })),
      ...SHARE.filter(Boolean).map((shareType) => ({ shareType: shareType! })),
      ...OPEN.filter(Boolean).map((openType) => ({ openType: openType! })),
      ...FORMATS.filter(Boolean).map((format) => ({ format: format! })),
      ...CYCLES.filter(Boolean).map((updateCycle) => ({ updateCycle: updateCycle! })),
      ...GRADES.filter(Boolean).map((grade) => ({ grade: grade! })),
      { shareType: 'CONDITIONAL', grade: 'L2' },
      { domain: 'X9', format: '3', updateCycle: 'DAILY' },
      { openType: 'NOT_OPEN', classCode: '2', deptId: DEPTS[1].id },
      { grade: 'L4', domain: DATA_DOMAINS[0].code, shareType: 'UNCONDITIONAL', openType: 'UNCONDITIONAL' },
    ];
    for (const filter of filters)
      for (const q of [undefined, '信息', '企业 登记', 'api'])
        for (const status of [undefined, 'draft']) {
          const { memory, oracle } = await both(own('scjg'), { q, status, ...filter });
          expect({ filter, q, status, ...memory }).toEqual({ filter, q, status, ...oracle });
        }
  }, 120_000);

  it('for pages and page sizes, including past the last page', async () => {
    const r = rng(7);
    for (let i = 0; i < 150; i++) {
      const query: SearchEntriesQuery = {
        q: r.pick(TERMS),
        sort: r.pick(SORTS),
        page: r.pick([1, 1, 2, 3, 5, 40]),
        pageSize: r.pick([1, 3, 7, 20, 100]),
        ...(r.next() < 0.3 ? { grade: r.pick(GRADES) ?? undefined } : {}),
        ...(r.next() < 0.2 ? { status: r.pick(['retired', 'draft', 'submitted']) } : {}),
      };
      const scope = r.pick([ALL, own('scjg'), own('wjw')]);
      const { memory, oracle } = await both(scope, query);
      expect({ query, ...memory }).toEqual({ query, ...oracle });
    }
  }, 120_000);

  it('labels a custom domain from catalog.data_domain and rejects an unknown one like SQL', async () => {
    const { memory, oracle } = await both(ALL, { domain: 'X9' });
    expect(memory).toEqual(oracle);
    expect(memory.facets.domain).toEqual([expect.objectContaining({ value: 'X9', label: '测试领域' })]);
    const rejection = (p: Promise<unknown>) => p.then(() => undefined, (err: Error & { getResponse?: () => unknown }) => err.getResponse?.() ?? err.message);
    const unknown = await rejection(index.search(ALL, { domain: 'ZZ' }));
    expect(unknown).toBeDefined();
    expect(unknown).toEqual(await rejection(sql.search(ALL, { domain: 'ZZ' })));
  });

  it('labels the department facet with min(dept_name) of the result', async () => {
    const { memory, oracle } = await both(ALL, { deptId: DEPTS[0].id, pageSize: 1 });
    expect(memory.facets.dept).toEqual(oracle.facets.dept);
    expect(memory.facets.dept[0].label).toBe([DEPTS[0].name, DEPTS[0].old!].sort()[0]);
  });
});

describe('catch-up', () => {
  const entryOf = (id: string) => ds.query(`SELECT * FROM catalog.entry_search WHERE entry_id = $1`, [id]).then((rows) => rows[0]);

  it('replaces the grams of an updated entry: old words no longer find it, new ones do', async () => {
    const [target] = generate(1, 2);
    target.metadata = { ...target.metadata, name: '营业执照核发信息', abstract: '营业执照核发', items: [{ name: '营业执照号', dataType: 'C', length: 30 }], tags: [] } as CatalogMetadata;
    target.entry.status = 'published';
    await insert([target]);
    expect((await index.search(ALL, { q: '营业执照核发' }))!.hits.map((h) => h.entryId)).toEqual([target.entry.id]);

    await writer.upsert(ds.manager, target.entry, { ...target.metadata, name: '古树名木养护记录', abstract: '树龄与养护', items: [{ name: '树龄', dataType: 'N' }], tags: [] } as CatalogMetadata, target.deptName);
    expect((await index.search(ALL, { q: '营业执照核发' }))!.total).toBe(0);
    expect((await index.search(ALL, { q: '核发' }))!.total).toBe(0);
    const found = (await index.search(ALL, { q: '古树名木 养护' }))!;
    expect(found.hits.map((h) => h.entryId)).toEqual([target.entry.id]);
    expect(found.hits[0]).toMatchObject({ name: '古树名木养护记录', abstract: '树龄与养护' });
    for (const q of ['营业执照', '古树', '树龄', '养护']) {
      const { memory, oracle } = await both(ALL, { q, pageSize: 100 });
      expect({ q, ...memory }).toEqual({ q, ...oracle });
    }
  });

  it('shows a status change to the next search (read your writes)', async () => {
    const [draft] = generate(1, 3);
    draft.entry.status = 'draft';
    draft.metadata = { ...draft.metadata, name: '待审核草稿条目' } as CatalogMetadata;
    await insert([draft]);
    expect((await index.search(own('gaj'), { q: '待审核草稿' }))!.total).toBe(0);
    expect((await index.search(ALL, { q: '待审核草稿', status: 'draft' }))!.total).toBe(1);
    draft.entry.status = 'published';
    draft.entry.publishedAt = new Date();
    await ds.transaction((m) => writer.upsert(m, draft.entry, draft.metadata, draft.deptName));
    expect((await index.search(own('gaj'), { q: '待审核草稿' }))!.hits.map((h) => h.entryId)).toEqual([draft.entry.id]);
    expect((await index.search(ALL, { q: '待审核草稿', status: 'draft' }))!.total).toBe(0);
  });

  it('catches a transaction that commits after a later one (its updated_at is older than rows already seen)', async () => {
    const [early, late] = generate(2, 4);
    early.metadata = { ...early.metadata, name: '慢事务写入条目' } as CatalogMetadata;
    late.metadata = { ...late.metadata, name: '快事务写入条目' } as CatalogMetadata;
    early.entry.status = late.entry.status = 'published';
    await ds.query(`INSERT INTO catalog.catalog_entry (id, dept_id, status, latest_version) VALUES ($1, $2, 'published', 1), ($3, $4, 'published', 1)`, [early.entry.id, early.entry.deptId, late.entry.id, late.entry.deptId]);

    const slow = ds.createQueryRunner();
    await slow.connect();
    try {
      await slow.startTransaction();
      await slow.query(`SELECT now()`); // the transaction's now(): updated_at of what it writes
      await new Promise((r) => setTimeout(r, 30));
      await ds.transaction((m) => writer.upsert(m, late.entry, late.metadata, late.deptName));
      expect((await index.search(ALL, { q: '快事务' }))!.total).toBe(1); // a catch-up after the fast one, while the slow one is open
      await writer.upsert(slow.manager, early.entry, early.metadata, early.deptName);
      await slow.commitTransaction();
    } finally {
      await slow.release();
    }
    const [a, b] = await Promise.all([entryOf(early.entry.id), entryOf(late.entry.id)]);
    expect(new Date(a.updated_at).getTime()).toBeLessThan(new Date(b.updated_at).getTime());
    expect((await index.search(ALL, { q: '慢事务' }))!.hits.map((h) => h.entryId)).toEqual([early.entry.id]);
  });

  it('applies a row once: a catch-up over rows already indexed fetches nothing', async () => {
    await index.search(ALL, { q: '信息' });
    const applied = index.caughtUp;
    await index.search(ALL, { q: '信息' });
    await index.search(ALL, { q: '数据' });
    expect(index.caughtUp).toBe(applied);
  });

  it('lists rows from the oldest open transaction, or the safety window when sessions cannot be seen', () => {
    const bound = (clock: object) => (index as unknown as { nextLowerBound(c: object): number }).nextLowerBound(clock);
    const now = 1_800_000_000_000_000;
    expect(bound({ now_us: now, oldest_us: null, observable: true })).toBe(now - 10_000_000);
    expect(bound({ now_us: now, oldest_us: now - 60_000_000, observable: true })).toBe(now - 70_000_000);
    expect(bound({ now_us: now, oldest_us: now - 3_600_000_000, observable: true })).toBe(now - SAFETY_WINDOW_MS * 1000);
    expect(bound({ now_us: now, oldest_us: null, observable: false })).toBe(now - SAFETY_WINDOW_MS * 1000);
    expect(SAFETY_WINDOW_MS).toBeGreaterThanOrEqual(2 * 60_000);
  });

  it('still answers as SQL after many updates (dead slots reclaimed)', async () => {
    const rows = generate(400, 1).map((g, i) => (i % 3 === 0 ? { ...g, metadata: { ...g.metadata, name: `${g.metadata.name}更新版` } as CatalogMetadata } : g));
    for (let round = 0; round < 12; round++) {
      await writer.upsertMany(ds.manager, rows);
      await index.search(ALL, { q: '更新版' }); // each round caught up: 400 replaced slots a round
    }
    for (const q of [undefined, '更新版', '信息', '证', '营业执照 登记'])
      for (const sort of ['relevance', 'updated', 'name'] as const) {
        const { memory, oracle } = await both(ALL, { q, sort, pageSize: 30 });
        expect({ q, sort, ...memory }).toEqual({ q, sort, ...oracle });
      }
    // 4,800 slots were replaced; a compaction ran once more than 4,096 were dead.
    expect(index.stats()!.deadSlots).toBeLessThanOrEqual(4096);
  }, 60_000);
});
