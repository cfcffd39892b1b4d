import { messagingTablesDown, messagingTablesUp } from '@gov/shared';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialCatalogSchema1732400000000 implements MigrationInterface {
  name = 'InitialCatalogSchema1732400000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesUp('catalog')) await q.query(sql);
    await q.query(`CREATE TABLE catalog.department (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      credit_code char(18) NOT NULL UNIQUE,
      code text NOT NULL UNIQUE,
      region_code char(6) NOT NULL,
      level text NOT NULL CHECK (level IN ('city', 'district')),
      parent_id uuid REFERENCES catalog.department(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE UNIQUE INDEX department_name_region ON catalog.department (region_code, name)`);
    await q.query(`CREATE TABLE catalog.staff_user (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      username text NOT NULL UNIQUE,
      display_name text NOT NULL,
      password_hash text NOT NULL,
      dept_id uuid NOT NULL REFERENCES catalog.department(id),
      roles text[] NOT NULL CHECK (cardinality(roles) > 0),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX staff_user_dept ON catalog.staff_user (dept_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE catalog.staff_user`);
    await q.query(`DROP TABLE catalog.department`);
    for (const sql of messagingTablesDown('catalog')) await q.query(sql);
  }
}
