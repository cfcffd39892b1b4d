import { ResourceClassification, formatResourceCode, prefixOf } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * Issues 信息资源代码 `前段码/顺序码`. The sequence per 前段码 only grows and every issued code
 * is recorded (primary key), so a code is never issued twice, even after its entry is retired.
 */
@Injectable()
export class ResourceCodeAllocator {
  async issue(m: EntityManager, classification: ResourceClassification, entryId: string): Promise<string> {
    const prefix = prefixOf(classification);
    for (;;) {
      const [{ last_value }] = await m.query(
        `INSERT INTO catalog.resource_code_sequence (prefix, last_value) VALUES ($1, 1)
         ON CONFLICT (prefix) DO UPDATE SET last_value = catalog.resource_code_sequence.last_value + 1
         RETURNING last_value`,
        [prefix],
      );
      const code = formatResourceCode(classification, Number(last_value));
      // A cascaded or imported code may already hold this number: skip it.
      const inserted = await m.query(`INSERT INTO catalog.issued_resource_code (code, entry_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING code`, [code, entryId]);
      if (inserted.length > 0) return code;
    }
  }

  async isIssued(m: EntityManager, code: string): Promise<boolean> {
    const rows = await m.query(`SELECT 1 FROM catalog.issued_resource_code WHERE code = $1`, [code]);
    return rows.length > 0;
  }
}
