import { CatalogMetadata, ComplianceFinding, OutboxWriter, documentGrams, findNearDuplicates, normalizeResourceName } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CATALOG_SETTINGS, CatalogSettings } from '../catalog.settings';
import { SourceConflict } from './one-source.entities';

/** How many candidate entries are scored for near duplicates, best name overlap first. */
const CANDIDATES = 200;

/**
 * On submission, puts 一数一源 problems on the data bureau's conflicts list: items collected
 * despite another department being the element's source (with the department's justification),
 * and entries of other departments that look like the same data.
 */
@Injectable()
export class SourceConflictDetector {
  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(CATALOG_SETTINGS) private readonly settings: CatalogSettings,
  ) {}

  async recordOnSubmit(m: EntityManager, entryId: string, deptId: string, metadata: CatalogMetadata, findings: readonly ComplianceFinding[], actorId: string): Promise<SourceConflict[]> {
    const reported: SourceConflict[] = [];
    for (const f of findings) {
      if (f.code !== 'ONE_SOURCE_DUPLICATE_JUSTIFIED' || !f.detail) continue;
      const item = (metadata.items ?? [])[Number(/items\[(\d+)\]/.exec(f.field)?.[1])];
      const conflict = await this.insert(m, {
        kind: 'duplicate_collection',
        entryId,
        deptId,
        otherDeptId: f.detail.sourceDeptId as string,
        otherEntryId: (f.detail.entryId as string) ?? null,
        elementCode: f.detail.elementCode as string,
        score: null,
        detail: { itemName: item?.name, elementName: f.detail.elementName, justification: item?.duplicateJustification },
      });
      if (conflict) reported.push(conflict);
    }
    for (const pair of await this.nearDuplicates(m, entryId, deptId, metadata)) {
      const conflict = await this.insert(m, {
        kind: 'near_duplicate',
        entryId,
        deptId,
        otherDeptId: pair.otherDeptId,
        otherEntryId: pair.otherId,
        elementCode: null,
        score: Math.round(pair.score * 10_000) / 10_000,
        detail: { name: metadata.name, otherName: pair.otherName, nameScore: pair.nameScore, itemScore: pair.itemScore },
      });
      if (conflict) reported.push(conflict);
    }
    for (const c of reported)
      await this.outbox.add(m, 'catalog.conflict.changed', {
        conflictId: c.id,
        kind: c.kind,
        entryId: c.entryId,
        deptId: c.deptId,
        otherEntryId: c.otherEntryId,
        otherDeptId: c.otherDeptId,
        elementCode: c.elementCode,
        score: c.score,
        status: 'open',
        actorId,
      });
    return reported;
  }

  private async nearDuplicates(m: EntityManager, entryId: string, deptId: string, metadata: CatalogMetadata) {
    const nameGrams = documentGrams(normalizeResourceName(metadata.name)).filter((g) => [...g].length === 2);
    if (nameGrams.length === 0) return [];
    const rows: { entry_id: string; dept_id: string; name: string; item_names: string[] }[] = await m.query(
      `SELECT entry_id, dept_id, name, item_names FROM catalog.entry_search
       WHERE dept_id <> $1 AND entry_id <> $2 AND status IN ('published', 'submitted') AND grams && $3::text[]
       ORDER BY cardinality(ARRAY(SELECT unnest(grams) INTERSECT SELECT unnest($3::text[]))) DESC, entry_id
       LIMIT ${CANDIDATES}`,
      [deptId, entryId, nameGrams],
    );
    const elements = await m.query(`SELECT code, name, aliases FROM catalog.data_element`);
    return findNearDuplicates(
      { id: entryId, deptId, name: metadata.name ?? '', itemNames: (metadata.items ?? []).map((i) => i.name) },
      rows.map((r) => ({ id: r.entry_id, deptId: r.dept_id, name: r.name, itemNames: r.item_names })),
      this.settings.nearDuplicateThreshold,
      { elements },
    );
  }

  /** Inserts unless the same conflict was reported before (then it is not reported again). */
  private async insert(m: EntityManager, c: Omit<SourceConflict, 'id' | 'status' | 'resolution' | 'resolutionNote' | 'resolvedBy' | 'resolvedAt' | 'createdAt'>): Promise<SourceConflict | undefined> {
    const rows = await m.query(
      `INSERT INTO catalog.source_conflict (kind, entry_id, dept_id, other_entry_id, other_dept_id, element_code, score, detail)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING RETURNING id`,
      [c.kind, c.entryId, c.deptId, c.otherEntryId, c.otherDeptId, c.elementCode, c.score, c.detail],
    );
    if (rows.length === 0) return undefined;
    return m.getRepository(SourceConflict).findOneByOrFail({ id: rows[0].id });
  }
}
