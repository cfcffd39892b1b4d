import { createSnapshotTableSql, DatasetVersionPublishedV1, EventContext, SensitiveFindingsChangedV1, loadSnapshot, OBJECT_STORAGE, ObjectStorage, quoteIdent, SnapshotColumn } from '@gov/shared';
import { Controller, Inject, Injectable, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';

/** The current shared copy of a dataset version, in a table of the sharing schema. */
export interface SharedDataset {
  datasetId: string;
  entryId: string;
  deptId: string;
  version: number;
  tableName: string;
  /** `sharing."ds_…"`, quoted, ready for SQL. */
  qualifiedTable: string;
  columns: SnapshotColumn[];
  rowCount: number;
  sha256: string | null;
  /** Unflagged personal data found by ingest's scan: withheld from unconditional sharing until cleared. */
  blockedColumns: string[];
}

const mapDataset = (r: Record<string, any>): SharedDataset => ({
  datasetId: r.dataset_id,
  entryId: r.entry_id,
  deptId: r.dept_id,
  version: r.version,
  tableName: r.table_name,
  qualifiedTable: `sharing.${quoteIdent(r.table_name)}`,
  columns: r.columns,
  rowCount: Number(r.row_count),
  sha256: r.sha256,
  blockedColumns: r.blocked_columns ?? [],
});

/** The pg client under a TypeORM transaction: COPY needs the raw connection of that transaction. */
export async function pgClientOf(m: EntityManager): Promise<PoolClient> {
  const runner = m.queryRunner as unknown as { connect(): Promise<PoolClient> } | undefined;
  if (!runner) throw new Error('a transactional EntityManager is required');
  return runner.connect();
}

/**
 * Loads each published version's snapshot into `sharing.ds_<dataset>_<version>` and keeps only
 * the current one per dataset: grants always read the current version, never another service's tables.
 */
@Injectable()
export class DatasetStore {
  private readonly logger = new Logger('DatasetStore');
  /** Called in the same transaction once a new version is current (pushes and 回流 are queued there). */
  private readonly listeners: ((m: EntityManager, ds: SharedDataset) => Promise<void>)[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
  ) {}

  onNewVersion(listener: (m: EntityManager, ds: SharedDataset) => Promise<void>): void {
    this.listeners.push(listener);
  }

  async applyVersion(m: EntityManager, e: DatasetVersionPublishedV1): Promise<void> {
    if (!e.snapshot) {
      this.logger.warn(`version ${e.version} of ${e.datasetId} has no snapshot; not shared`);
      return;
    }
    const [current] = await m.query(`SELECT * FROM sharing.dataset WHERE dataset_id=$1 FOR UPDATE`, [e.datasetId]);
    if (current && current.version >= e.version) return; // redelivery or out of order: keep the newer
    const tableName = `ds_${e.datasetId.replace(/-/g, '')}_${e.version}`;
    const qualified = `sharing.${quoteIdent(tableName)}`;
    await m.query(`DROP TABLE IF EXISTS ${qualified}`);
    await m.query(createSnapshotTableSql(qualified, e.columns));
    const rows = await loadSnapshot(await pgClientOf(m), this.storage, { key: e.snapshot.key, qualifiedTable: qualified, columns: e.columns });
    await m.query(`CREATE INDEX ON ${qualified} (_row)`);
    await m.query(
      `INSERT INTO sharing.dataset (dataset_id, entry_id, dept_id, version, table_name, columns, row_count, sha256, blocked_columns, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,now())
       ON CONFLICT (dataset_id) DO UPDATE SET version=EXCLUDED.version, table_name=EXCLUDED.table_name, columns=EXCLUDED.columns,
         row_count=EXCLUDED.row_count, sha256=EXCLUDED.sha256, blocked_columns=EXCLUDED.blocked_columns, updated_at=now()`,
      [e.datasetId, e.entryId, e.deptId, e.version, tableName, JSON.stringify(e.columns), rows, e.snapshot.sha256, e.sensitiveBlockedColumns ?? []],
    );
    if (current) await m.query(`DROP TABLE IF EXISTS sharing.${quoteIdent(current.table_name)}`);
    const ds = mapDataset({ dataset_id: e.datasetId, entry_id: e.entryId, dept_id: e.deptId, version: e.version, table_name: tableName, columns: e.columns, row_count: rows, sha256: e.snapshot.sha256, blocked_columns: e.sensitiveBlockedColumns ?? [] });
    for (const l of this.listeners) await l(m, ds);
  }

  /** A later scan, explanation or catalog flag changed what is blocked in the current version. */
  async applySensitive(m: EntityManager, e: SensitiveFindingsChangedV1): Promise<void> {
    await m.query(`UPDATE sharing.dataset SET blocked_columns=$3, updated_at=now() WHERE dataset_id=$1 AND version=$2`, [e.datasetId, e.version, e.blockedColumns]);
    for (const l of this.findingListeners) await l(m, e);
    for (const l of this.sensitiveListeners) l(e.entryId);
  }

  private readonly findingListeners: ((m: EntityManager, e: SensitiveFindingsChangedV1) => Promise<void>)[] = [];

  /** Called in the consuming transaction with the whole findings event (the security officer's read model). */
  onSensitiveFindings(listener: (m: EntityManager, e: SensitiveFindingsChangedV1) => Promise<void>): void {
    this.findingListeners.push(listener);
  }

  private readonly sensitiveListeners: ((entryId: string) => void)[] = [];

  onSensitiveChange(listener: (entryId: string) => void): void {
    this.sensitiveListeners.push(listener);
  }

  async forEntry(entryId: string, m?: EntityManager): Promise<SharedDataset | undefined> {
    const rows = await (m ?? this.dataSource.manager).query(`SELECT * FROM sharing.dataset WHERE entry_id=$1`, [entryId]);
    return rows[0] ? mapDataset(rows[0]) : undefined;
  }

  async byId(datasetId: string): Promise<SharedDataset | undefined> {
    const rows = await this.dataSource.query(`SELECT * FROM sharing.dataset WHERE dataset_id=$1`, [datasetId]);
    return rows[0] ? mapDataset(rows[0]) : undefined;
  }
}

@Controller()
export class DatasetStoreController {
  constructor(private readonly store: DatasetStore) {}

  @EventPattern('ingest.version.published')
  onVersion(@Payload() e: DatasetVersionPublishedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.store.applyVersion(ctx.manager, e);
  }

  @EventPattern('ingest.sensitive.changed')
  onSensitive(@Payload() e: SensitiveFindingsChangedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.store.applySensitive(ctx.manager, e);
  }
}
