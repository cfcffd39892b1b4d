import { messagingTablesDown, messagingTablesUp } from '@gov/shared';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialOpenapiSchema1732400000000 implements MigrationInterface {
  name = 'InitialOpenapiSchema1732400000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesUp('openapi')) await q.query(sql);
    await q.query(`CREATE TABLE openapi.publisher (dept_id uuid PRIMARY KEY, name text NOT NULL, region_code char(6) NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE openapi.publisher`);
    for (const sql of messagingTablesDown('openapi')) await q.query(sql);
  }
}
