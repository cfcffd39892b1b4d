/**
 * Loads the generated catalog into a migrated database in bulk: catalog_entry, entry_version and
 * issued_resource_code rows inserted in batches through jsonb_to_recordset, and entry_search rows
 * written by the service's own SearchIndexWriter (upsert for the first entries, then its bulk
 * path upsertMany), so the search index holds exactly what the catalog would write.
 */
import { DataSource } from 'typeorm';
import { CatalogEntry } from '../../services/catalog/src/entries/catalog-entry.entity';
import { SearchIndexWriter } from '../../services/catalog/src/search/search-index.writer';
import { BenchDepartment, GeneratedEntry } from './generate';

type Row = Record<string, unknown>;
/** A DataSource, an EntityManager or a QueryRunner's manager. */
type Queryable = Pick<DataSource, 'query'>;

/** Column → SQL type, for jsonb_to_recordset. */
async function columnTypes(ds: Queryable, table: string): Promise<Map<string, string>> {
  const rows: { attname: string; type: string }[] = await ds.query(
    `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
    [table],
  );
  return new Map(rows.map((r) => [r.attname, r.type]));
}

/**
 * Inserts rows whose keys are column names; `expressions` gives SQL for columns not in the rows
 * (e.g. `updated_at: 'now()'`).
 */
export class BulkInserter {
  private constructor(
    private readonly ds: Queryable,
    private readonly table: string,
    private readonly columns: string[],
    private readonly types: Map<string, string>,
    private readonly expressions: Record<string, string>,
  ) {}

  static async for(ds: Queryable, table: string, columns: string[], expressions: Record<string, string> = {}): Promise<BulkInserter> {
    const types = await columnTypes(ds, table);
    for (const c of [...columns, ...Object.keys(expressions)]) if (!types.has(c)) throw new Error(`${table} has no column ${c}`);
    return new BulkInserter(ds, table, columns, types, expressions);
  }

  async insert(rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const record = this.columns.map((c) => `"${c}" ${this.types.get(c)}`).join(', ');
    const targets = [...this.columns, ...Object.keys(this.expressions)];
    const values = [...this.columns.map((c) => `x."${c}"`), ...Object.values(this.expressions)];
    await this.ds.query(`INSERT INTO ${this.table} (${targets.join(', ')}) SELECT ${values.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${record})`, [JSON.stringify(rows)]);
  }
}

export interface LoadStats {
  departments: number;
  entries: number;
  /** Rows written one by one through SearchIndexWriter.upsert; the rest through upsertMany. */
  viaUpsert: number;
  insertMs: number;
  indexMs: number;
  analyzeMs: number;
  tableSize: string;
  gramsIndexSize: string;
  avgGrams: number;
}

/** The departments and their 政务信息系统 (entries name their source system). */
export async function insertDepartments(ds: DataSource, depts: readonly BenchDepartment[]): Promise<void> {
  for (const d of depts) {
    await ds.query(`INSERT INTO catalog.department (id, name, credit_code, code, region_code, level, parent_id) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [
      d.id,
      d.name,
      d.creditCode,
      d.code,
      d.regionCode,
      d.level,
      d.parentId,
    ]);
    for (const system of d.systems) await ds.query(`INSERT INTO catalog.information_system (id, dept_id, name) VALUES ($1, $2, $3)`, [system.id, d.id, system.name]);
  }
}

/**
 * Inserts the entries in batches. entry_search's secondary indexes are dropped for the load and
 * recreated afterwards from their exact definitions (pg_indexes.indexdef), which builds the same
 * GIN index much faster than 100,000 incremental inserts.
 */
export async function loadEntries(
  ds: DataSource,
  all: readonly GeneratedEntry[],
  opts: { batch: number; sample: number; log: (m: string) => void },
): Promise<LoadStats> {
  const writer = new SearchIndexWriter();
  const started = performance.now();
  const indexes: { indexname: string; indexdef: string }[] = await ds.query(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'catalog' AND tablename = 'entry_search' AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'catalog.entry_search'::regclass)`,
  );
  for (const ix of indexes) await ds.query(`DROP INDEX catalog.${ix.indexname}`);

  const entriesTable = await BulkInserter.for(ds, 'catalog.catalog_entry', ['id', 'dept_id', 'status', 'resource_code', 'latest_version', 'published_version', 'published_at', 'created_at', 'updated_at']);
  const versionsTable = await BulkInserter.for(ds, 'catalog.entry_version', ['entry_id', 'version', 'state', 'metadata', 'findings', 'created_at', 'updated_at', 'submitted_at', 'reviewed_at']);
  const codesTable = await BulkInserter.for(ds, 'catalog.issued_resource_code', ['code', 'entry_id', 'issued_at']);

  let viaUpsert = 0;
  for (let start = 0; start < all.length; start += opts.batch) {
    const batch = all.slice(start, start + opts.batch);
    await entriesTable.insert(
      batch.map((e) => ({
        id: e.id,
        dept_id: e.dept.id,
        status: 'published',
        resource_code: e.resourceCode,
        latest_version: 1,
        published_version: 1,
        published_at: e.publishedAt,
        created_at: e.createdAt,
        updated_at: e.publishedAt,
      })),
    );
    await versionsTable.insert(
      batch.map((e) => ({
        entry_id: e.id,
        version: 1,
        state: 'approved',
        metadata: e.metadata,
        findings: [],
        created_at: e.createdAt,
        updated_at: e.publishedAt,
        submitted_at: e.createdAt,
        reviewed_at: e.publishedAt,
      })),
    );
    await codesTable.insert(batch.map((e) => ({ code: e.resourceCode, entry_id: e.id, issued_at: e.publishedAt })));
    const rows = batch.map((e) => ({ entry: asEntity(e), metadata: e.metadata, deptName: e.dept.name }));
    const single = rows.slice(0, Math.max(0, opts.sample - viaUpsert));
    for (const r of single) await writer.upsert(ds.manager, r.entry, r.metadata, r.deptName);
    viaUpsert += single.length;
    await writer.upsertMany(ds.manager, rows.slice(single.length));
    if ((start / opts.batch) % 10 === 9) opts.log(`  ${start + batch.length} entries inserted`);
  }

  // resource_code_sequence in step with the issued codes
  await ds.query(
    `INSERT INTO catalog.resource_code_sequence (prefix, last_value)
     SELECT split_part(code, '/', 1), max(split_part(code, '/', 2)::bigint) FROM catalog.issued_resource_code GROUP BY 1`,
  );
  const insertMs = performance.now() - started;

  const indexStarted = performance.now();
  await ds.query(`SET maintenance_work_mem = '256MB'`);
  for (const ix of indexes) await ds.query(ix.indexdef);
  await ds.query(`RESET maintenance_work_mem`);
  const indexMs = performance.now() - indexStarted;

  const analyzeStarted = performance.now();
  for (const t of ['department', 'catalog_entry', 'entry_version', 'issued_resource_code', 'entry_search']) await ds.query(`VACUUM ANALYZE catalog.${t}`);
  const analyzeMs = performance.now() - analyzeStarted;

  const [{ table_size, grams_size, avg_grams }] = await ds.query(
    `SELECT (SELECT avg(cardinality(grams)) FROM catalog.entry_search)::float AS avg_grams, pg_size_pretty(pg_total_relation_size('catalog.entry_search')) AS table_size, pg_size_pretty(pg_relation_size('catalog.entry_search_grams')) AS grams_size`,
  );
  const avgGrams = Number(avg_grams);
  return {
    departments: new Set(all.map((e) => e.dept.id)).size,
    entries: all.length,
    viaUpsert,
    insertMs,
    indexMs,
    analyzeMs,
    tableSize: table_size,
    gramsIndexSize: grams_size,
    avgGrams,
  };
}

function asEntity(e: GeneratedEntry): CatalogEntry {
  return Object.assign(new CatalogEntry(), {
    id: e.id,
    deptId: e.dept.id,
    status: 'published',
    changeStatus: null,
    resourceCode: e.resourceCode,
    sourceRegion: null,
    latestVersion: 1,
    publishedVersion: 1,
    publishedAt: e.publishedAt,
    retiredReason: null,
    retiredAt: null,
    createdBy: null,
    createdAt: e.createdAt,
    updatedAt: e.publishedAt,
  });
}
