import { messagingTablesDown, messagingTablesUp } from '@gov/shared';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSharingSchema1732400000000 implements MigrationInterface {
  name = 'InitialSharingSchema1732400000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesUp('sharing')) await q.query(sql);
    await q.query(`CREATE TABLE sharing.department_directory (
      dept_id uuid PRIMARY KEY,
      name text NOT NULL,
      credit_code char(18) NOT NULL,
      region_code char(6) NOT NULL,
      level text NOT NULL,
      parent_id uuid,
      updated_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sharing.department_directory`);
    for (const sql of messagingTablesDown('sharing')) await q.query(sql);
  }
}
