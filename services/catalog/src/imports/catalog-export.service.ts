import { CatalogMetadata, scopeAllows } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CatalogErrors } from '../entries/catalog.errors';
import { Actor } from '../entries/entries.service';
import { buildCatalogWorkbook, buildConfirmationTemplate, ExportEntry } from '../workbook/confirmation-workbook.writer';

/** The template and catalog exports, in the template's layout so an export can be edited and re-imported. */
@Injectable()
export class CatalogExportService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private async lists(deptId?: string) {
    const [domains, topicItems, systems] = await Promise.all([
      this.db.query(`SELECT code, label FROM catalog.data_domain ORDER BY code`),
      this.db.query(`SELECT item_code AS code, label FROM catalog.topic_item ORDER BY item_code`),
      deptId ? this.db.query(`SELECT name FROM catalog.information_system WHERE dept_id = $1 ORDER BY name`, [deptId]) : Promise.resolve([]),
    ]);
    return { domains, topicItems, systems: systems.map((s: { name: string }) => s.name) };
  }

  template(deptId: string): Promise<Buffer> {
    return this.lists(deptId).then((lists) => buildConfirmationTemplate(lists));
  }

  /**
   * Published entries (and, for the caller's own department, its drafts and entries under review)
   * of one department, or of all departments for the data bureau.
   */
  async export(actor: Actor, ownDeptId: string, deptId: string | undefined, format: 'xlsx' | 'json'): Promise<{ body: Buffer | string; name: string }> {
    const target = deptId ?? (actor.scope.all ? undefined : ownDeptId);
    // Other departments' published entries are visible to all staff; their drafts are not (filtered below).
    const rows: { resource_code: string | null; status: string; dept_id: string; dept_name: string; credit_code: string; metadata: CatalogMetadata; system_name: string | null; reference_name: string | null }[] = await this.db.query(
      `SELECT e.resource_code, e.status, e.dept_id, d.name AS dept_name, d.credit_code, v.metadata, s.name AS system_name, r.name AS reference_name
       FROM catalog.catalog_entry e
       JOIN catalog.department d ON d.id = e.dept_id
       JOIN catalog.entry_version v ON v.entry_id = e.id AND v.version = CASE WHEN e.status = 'published' THEN e.published_version ELSE e.latest_version END
       LEFT JOIN catalog.information_system s ON s.id = (v.metadata->>'systemId')::uuid
       LEFT JOIN catalog.reference_item r ON r.id = (v.metadata->>'referenceItemId')::uuid
       WHERE ($1::uuid IS NULL OR e.dept_id = $1) AND e.status <> 'retired'
       ORDER BY d.name, e.resource_code NULLS LAST, e.created_at`,
      [target ?? null],
    );
    const visible = rows.filter((r) => r.status === 'published' || scopeAllows(actor.scope, r.dept_id));
    if (target && visible.length === 0 && !(await this.db.query(`SELECT 1 FROM catalog.department WHERE id = $1`, [target])).length) throw CatalogErrors.departmentNotFound(target);
    const stamp = new Date().toISOString().slice(0, 10);
    const scopeName = target ? (visible[0]?.dept_name ?? '部门') : '全市';
    if (format === 'json') {
      const body = JSON.stringify(
        {
          exportedAt: new Date().toISOString(),
          entries: visible.map((r) => ({ resourceCode: r.resource_code, status: r.status, provider: { name: r.dept_name, creditCode: r.credit_code }, systemName: r.system_name, metadata: r.metadata })),
        },
        null,
        2,
      );
      return { body, name: `${scopeName}目录-${stamp}.json` };
    }
    const entries: ExportEntry[] = visible.map((r) => ({ resourceCode: r.resource_code, deptName: r.dept_name, status: r.status, metadata: r.metadata, systemName: r.system_name, referenceItemName: r.reference_name }));
    return { body: await buildCatalogWorkbook(entries, await this.lists(target)), name: `${scopeName}目录-${stamp}.xlsx` };
  }
}
