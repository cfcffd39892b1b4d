import { messagingTablesDown, messagingTablesUp } from '@gov/shared';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialIngestSchema1732400000000 implements MigrationInterface {
  name = 'InitialIngestSchema1732400000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesUp('ingest')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesDown('ingest')) await q.query(sql);
  }
}
