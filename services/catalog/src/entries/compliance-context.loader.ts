import { ComplianceContext, DataElement, DataElementIndex, ElementSource } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** Loads what the compliance check needs from the catalog's tables, for one department. */
@Injectable()
export class ComplianceContextLoader {
  async load(m: EntityManager, deptId: string): Promise<ComplianceContext> {
    // One after another: inside a transaction all four share one connection, which runs one query at a time.
    const systems = await m.query(`SELECT id FROM catalog.information_system WHERE dept_id = $1`, [deptId]);
    const domains = await m.query(`SELECT code FROM catalog.data_domain`);
    const topics = await m.query(`SELECT item_code FROM catalog.topic_item`);
    const elements = await m.query(
        `SELECT e.code, e.name, e.aliases, e.source_dept_id, d.name AS dept_name, e.source_entry_id, s.name AS entry_name, s.resource_code
         FROM catalog.data_element e
         LEFT JOIN catalog.department d ON d.id = e.source_dept_id
         LEFT JOIN catalog.entry_search s ON s.entry_id = e.source_entry_id
         ORDER BY e.code`,
    );
    const registry: DataElement[] = elements.map((e: any) => ({ code: e.code, name: e.name, aliases: e.aliases, sourceDeptId: e.source_dept_id }));
    const sources = new Map<string, ElementSource>();
    for (const e of elements)
      if (e.source_dept_id) sources.set(e.code, { deptName: e.dept_name, entryId: e.source_entry_id, entryName: e.entry_name, resourceCode: e.resource_code });
    return {
      deptId,
      systemIds: new Set(systems.map((s: { id: string }) => s.id)),
      domainCodes: new Set(domains.map((d: { code: string }) => d.code)),
      extraTopicItems: new Set(topics.map((t: { item_code: string }) => `2${t.item_code}`)),
      elements: new DataElementIndex(registry),
      elementSources: sources,
    };
  }
}
