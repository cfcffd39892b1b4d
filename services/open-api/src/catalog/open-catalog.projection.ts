import { CatalogEntryPublishedV1, CatalogEntryTransitionV1, DatasetVersionPublishedV1, documentGrams, quoteIdent, SensitiveFindingsChangedV1 } from '@gov/shared';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { returning } from '../db';
import { OPEN_SETTINGS, OpenSettings } from '../open-api.settings';
import { OpenDatasetLoader } from './open-dataset-loader';
import { masksMore, planOf, samePlan } from './open-table';

/** 开放类型 as the portal applies it: L2/L3 only under conditions whatever the entry says; L4 never. */
export function effectiveOpenType(openType: string | undefined, grade: string | undefined): 'UNCONDITIONAL' | 'CONDITIONAL' | null {
  if (grade === 'L4') return null;
  if (openType !== 'UNCONDITIONAL' && openType !== 'CONDITIONAL') return null;
  if (grade === 'L2' || grade === 'L3') return 'CONDITIONAL';
  return openType;
}

/**
 * Builds the public catalog from catalog and ingest events: entries open with or without
 * conditions (not L4). The rows of their current version are not loaded here: a handler only
 * records what should be served and asks the loader (OpenDatasetLoader), which loads outside the
 * handler's transaction and swaps the new table in once it is complete.
 */
@Injectable()
export class OpenCatalogProjection {
  private readonly logger = new Logger(OpenCatalogProjection.name);

  constructor(
    @Inject(OPEN_SETTINGS) private readonly settings: OpenSettings,
    private readonly loader: OpenDatasetLoader,
  ) {}

  async applyPublished(m: EntityManager, e: CatalogEntryPublishedV1): Promise<void> {
    const md = e.metadata ?? {};
    const openType = effectiveOpenType(md.open?.type, md.securityGrade);
    await m.query(
      `INSERT INTO openapi.published_entry (entry_id, dept_id, dept_name, domain_code, is_open) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (entry_id) DO UPDATE SET dept_id = EXCLUDED.dept_id, dept_name = EXCLUDED.dept_name, domain_code = EXCLUDED.domain_code, is_open = EXCLUDED.is_open, retired = false`,
      [e.entryId, e.deptId, e.deptName, md.domainCode ?? null, !!openType],
    );
    if (!openType) {
      await this.close(m, e.entryId, 'closed');
      return;
    }
    const items = md.items ?? [];
    const searchText = documentGrams(md.name, md.abstract, e.deptName, ...(md.tags ?? []), ...items.map((i) => i.name), ...items.map((i) => i.description ?? '')).join(' ');
    await m.query(
      `INSERT INTO openapi.open_dataset (entry_id, catalog_version, resource_code, name, abstract, dept_id, dept_name, domain_code, format_type, update_cycle,
         open_type, open_condition, security_grade, tags, metadata, licence, published_at, status, search_text, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,'open',$18, now())
       ON CONFLICT (entry_id) DO UPDATE SET catalog_version = EXCLUDED.catalog_version, resource_code = EXCLUDED.resource_code, name = EXCLUDED.name,
         abstract = EXCLUDED.abstract, dept_id = EXCLUDED.dept_id, dept_name = EXCLUDED.dept_name, domain_code = EXCLUDED.domain_code,
         format_type = EXCLUDED.format_type, update_cycle = EXCLUDED.update_cycle, open_type = EXCLUDED.open_type, open_condition = EXCLUDED.open_condition,
         security_grade = EXCLUDED.security_grade, tags = EXCLUDED.tags, metadata = EXCLUDED.metadata, published_at = EXCLUDED.published_at,
         status = 'open', search_text = EXCLUDED.search_text, updated_at = now()
       WHERE openapi.open_dataset.catalog_version <= EXCLUDED.catalog_version`,
      [
        e.entryId,
        e.version,
        e.resourceCode,
        md.name ?? e.name,
        md.abstract ?? '',
        e.deptId,
        e.deptName,
        md.domainCode ?? null,
        md.format?.type ?? null,
        md.updateCycle ?? null,
        openType,
        md.open?.condition ?? null,
        md.securityGrade ?? null,
        md.tags ?? [],
        JSON.stringify(md),
        this.settings.licence,
        e.publishedAt ?? e.at,
        searchText,
      ],
    );
    const [pending] = await returning(m, `DELETE FROM openapi.pending_version WHERE entry_id = $1 RETURNING payload`, [e.entryId]);
    if (pending) await this.recordVersion(m, pending.payload as DatasetVersionPublishedV1);
    await this.requestLoad(m, e.entryId);
  }

  async applyRetired(m: EntityManager, e: CatalogEntryTransitionV1): Promise<void> {
    await m.query(`UPDATE openapi.published_entry SET retired = true WHERE entry_id = $1`, [e.entryId]);
    await this.close(m, e.entryId, 'retired');
  }

  async applyVersion(m: EntityManager, e: DatasetVersionPublishedV1): Promise<void> {
    if (!e.snapshot) return;
    const [known] = await m.query(`SELECT 1 FROM openapi.open_dataset WHERE entry_id = $1`, [e.entryId]);
    if (!known) {
      // Kept until the entry arrives; an entry that is never open simply never picks it up.
      await m.query(`INSERT INTO openapi.pending_version (entry_id, payload) VALUES ($1, $2) ON CONFLICT (entry_id) DO UPDATE SET payload = EXCLUDED.payload
                     WHERE (openapi.pending_version.payload->>'version')::int <= $3`, [e.entryId, JSON.stringify(e), e.version]);
      return;
    }
    await this.recordVersion(m, e);
    await this.requestLoad(m, e.entryId);
  }

  /** Discovery findings changed (flagged, explained, accepted): reload the version with the new set of withheld columns. */
  async applySensitive(m: EntityManager, e: SensitiveFindingsChangedV1): Promise<void> {
    const changed = await returning(
      m,
      `UPDATE openapi.open_dataset SET snapshot = jsonb_set(snapshot, '{blocked}', $2::jsonb), updated_at = now()
       WHERE entry_id = $1 AND snapshot_version = $3 AND coalesce(snapshot->'blocked', '[]'::jsonb) <> $2::jsonb RETURNING entry_id`,
      [e.entryId, JSON.stringify(e.blockedColumns), e.version],
    );
    if (changed.length) await this.requestLoad(m, e.entryId);
  }

  private async recordVersion(m: EntityManager, e: DatasetVersionPublishedV1): Promise<void> {
    await m.query(
      `UPDATE openapi.open_dataset SET dataset_id = $2, snapshot = $3, snapshot_version = $4, quality_score = $5, data_updated_at = $6, updated_at = now()
       WHERE entry_id = $1 AND (snapshot_version IS NULL OR snapshot_version <= $4)`,
      [e.entryId, e.datasetId, JSON.stringify({ ref: e.snapshot, columns: e.columns, blocked: e.sensitiveBlockedColumns ?? [] }), e.version, e.qualityScore, e.at],
    );
  }

  /**
   * Asks for a load when what should be served (the snapshot's version, the masking plan) differs
   * from what is loaded. When the new plan masks a column the loaded table serves unmasked or
   * otherwise, the loaded table is withdrawn at once (reads answer "no data" until the load is done).
   */
  private async requestLoad(m: EntityManager, entryId: string): Promise<void> {
    const [row] = await m.query(`SELECT status, snapshot, snapshot_version, data_version, metadata, columns, table_name FROM openapi.open_dataset WHERE entry_id = $1 FOR UPDATE`, [entryId]);
    if (!row || row.status !== 'open' || !row.snapshot) return;
    const plan = planOf(row);
    if (row.data_version === row.snapshot_version && samePlan(row.columns, plan)) return;
    const withdraw = !!row.table_name && !!row.columns && masksMore(row.columns, plan);
    await m.query(
      `UPDATE openapi.open_dataset SET load_wanted = load_wanted + 1, load_attempts = 0, load_error = NULL, load_next_at = NULL, updated_at = now()
         ${withdraw ? ', table_name = NULL, columns = NULL, data_version = NULL' : ''}
       WHERE entry_id = $1`,
      [entryId],
    );
    if (withdraw) this.logger.log(`withdrew the loaded table of ${entryId}: the new masking plan masks more`);
    // The loader looks once this transaction has committed (and polls in case it looked too early).
    this.loader.kick();
  }

  private async close(m: EntityManager, entryId: string, status: 'retired' | 'closed'): Promise<void> {
    const [row] = await returning(m, `UPDATE openapi.open_dataset SET status = $2, updated_at = now() WHERE entry_id = $1 RETURNING table_name`, [entryId, status]);
    const table = row?.table_name;
    if (table) {
      await m.query(`DROP TABLE IF EXISTS openapi.${quoteIdent(table)}`);
      await m.query(`UPDATE openapi.open_dataset SET table_name = NULL, columns = NULL, data_version = NULL, loaded_catalog_version = NULL WHERE entry_id = $1`, [entryId]);
      // Its download files go too (the table is already dropped with this transaction).
      this.loader.dropLater(table);
    }
  }
}
