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
    const itemNames = (metadata.items ?? []).map((i) => i.name).filter((n) => !!n);
    const name = metadata.name ?? '';
    const abstract = metadata.abstract ?? '';
    const tags = metadata.tags ?? [];
    const haystack = normalizeSearchText([name, abstract, itemNames.join(' '), deptName, tags.join(' '), entry.resourceCode ?? ''].join('\u0001'));
    const grams = documentGrams(name, abstract, ...itemNames, deptName, ...tags, entry.resourceCode ?? '');
    const version = entry.publishedVersion ?? entry.latestVersion;
    await m.query(
      `INSERT INTO catalog.entry_search (entry_id, dept_id, dept_name, status, version, resource_code, name, abstract, item_names, haystack, grams,
         class_code, item_code, domain_code, share_type, open_type, format_class, update_cycle, security_grade, method_type, tags, published_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,now())
       ON CONFLICT (entry_id) DO UPDATE SET dept_id = EXCLUDED.dept_id, dept_name = EXCLUDED.dept_name, status = EXCLUDED.status,
         version = EXCLUDED.version, resource_code = EXCLUDED.resource_code, name = EXCLUDED.name, abstract = EXCLUDED.abstract,
         item_names = EXCLUDED.item_names, haystack = EXCLUDED.haystack, grams = EXCLUDED.grams, class_code = EXCLUDED.class_code,
         item_code = EXCLUDED.item_code, domain_code = EXCLUDED.domain_code, share_type = EXCLUDED.share_type, open_type = EXCLUDED.open_type,
         format_class = EXCLUDED.format_class, update_cycle = EXCLUDED.update_cycle, security_grade = EXCLUDED.security_grade,
         method_type = EXCLUDED.method_type, tags = EXCLUDED.tags, published_at = EXCLUDED.published_at, updated_at = now()`,
      [
        entry.id,
        entry.deptId,
        deptName,
        entry.status,
        version,
        entry.resourceCode,
        name,
        abstract,
        itemNames,
        haystack,
        grams,
        metadata.classification?.classCode ?? null,
        metadata.classification?.itemCode ?? null,
        metadata.domainCode ?? null,
        metadata.share?.type ?? null,
        metadata.open?.type ?? null,
        metadata.format?.classCode ?? null,
        metadata.updateCycle ?? null,
        metadata.securityGrade ?? null,
        metadata.share?.methodType ?? null,
        tags,
        entry.publishedAt,
      ],
    );
  }
}
