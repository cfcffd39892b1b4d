import { CatalogMetadata, documentGrams, normalizeSearchText } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CatalogEntry } from '../entries/catalog-entry.entity';

/**
 * Keeps `catalog.entry_search` in step with entries, in the caller's transaction.
 * The row shows the version readers see: the published one once there is one, else the latest.
 */
@Injectable()
export class SearchIndexWriter {
  async upsert(m: EntityManager, entry: CatalogEntry, metadata: CatalogMetadata, deptName: string): Promise<void> {
    await this.upsertMany(m, [{ entry, metadata, deptName }]);
  }

  /** One statement per 1,000 rows, for bulk imports. */
  async upsertMany(m: EntityManager, rows: readonly { entry: CatalogEntry; metadata: CatalogMetadata; deptName: string }[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 1000) {
      const batch = rows.slice(i, i + 1000).map(({ entry, metadata, deptName }) => indexRow(entry, metadata, deptName));
      await m.query(
        `INSERT INTO catalog.entry_search (entry_id, dept_id, dept_name, status, version, resource_code, name, abstract, item_names, haystack, grams,
           class_code, item_code, domain_code, share_type, open_type, format_class, update_cycle, security_grade, method_type, tags, published_at, updated_at)
         SELECT r.entry_id, r.dept_id, r.dept_name, r.status, r.version, r.resource_code, r.name, r.abstract, r.item_names, r.haystack, r.grams,
           r.class_code, r.item_code, r.domain_code, r.share_type, r.open_type, r.format_class, r.update_cycle, r.security_grade, r.method_type, r.tags, r.published_at, now()
         FROM jsonb_to_recordset($1::jsonb) AS r(entry_id uuid, dept_id uuid, dept_name text, status text, version int, resource_code text, name text, abstract text,
           item_names text[], haystack text, grams text[], class_code text, item_code text, domain_code text, share_type text, open_type text, format_class text,
           update_cycle text, security_grade text, method_type text, tags text[], published_at timestamptz)
         ON CONFLICT (entry_id) DO UPDATE SET dept_id = EXCLUDED.dept_id, dept_name = EXCLUDED.dept_name, status = EXCLUDED.status,
           version = EXCLUDED.version, resource_code = EXCLUDED.resource_code, name = EXCLUDED.name, abstract = EXCLUDED.abstract,
           item_names = EXCLUDED.item_names, haystack = EXCLUDED.haystack, grams = EXCLUDED.grams, class_code = EXCLUDED.class_code,
           item_code = EXCLUDED.item_code, domain_code = EXCLUDED.domain_code, share_type = EXCLUDED.share_type, open_type = EXCLUDED.open_type,
           format_class = EXCLUDED.format_class, update_cycle = EXCLUDED.update_cycle, security_grade = EXCLUDED.security_grade,
           method_type = EXCLUDED.method_type, tags = EXCLUDED.tags, published_at = EXCLUDED.published_at, updated_at = now()`,
        [JSON.stringify(batch)],
      );
    }
  }
}

function indexRow(entry: CatalogEntry, metadata: CatalogMetadata, deptName: string) {
  const itemNames = (metadata.items ?? []).map((i) => i.name).filter((n) => !!n);
  const name = metadata.name ?? '';
  const abstract = metadata.abstract ?? '';
  const tags = metadata.tags ?? [];
  const code = entry.resourceCode ?? '';
  return {
    entry_id: entry.id,
    dept_id: entry.deptId,
    dept_name: deptName,
    status: entry.status,
    version: entry.publishedVersion ?? entry.latestVersion,
    resource_code: entry.resourceCode,
    name,
    abstract,
    item_names: itemNames,
    haystack: normalizeSearchText([name, abstract, itemNames.join(' '), deptName, tags.join(' '), code].join('\u0001')),
    grams: documentGrams(name, abstract, ...itemNames, deptName, ...tags, code),
    class_code: metadata.classification?.classCode ?? null,
    item_code: metadata.classification?.itemCode ?? null,
    domain_code: metadata.domainCode ?? null,
    share_type: metadata.share?.type ?? null,
    open_type: metadata.open?.type ?? null,
    format_class: metadata.format?.classCode ?? null,
    update_cycle: metadata.updateCycle ?? null,
    security_grade: metadata.securityGrade ?? null,
    method_type: metadata.share?.methodType ?? null,
    tags,
    published_at: entry.publishedAt ? new Date(entry.publishedAt).toISOString() : null,
  };
}
