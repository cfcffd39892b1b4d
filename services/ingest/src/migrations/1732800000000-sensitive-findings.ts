import { MigrationInterface, QueryRunner } from 'typeorm';

/** 敏感字段发现: what each version's columns hold, and whether that blocks open output. */
export class SensitiveFindings1732800000000 implements MigrationInterface {
  name = 'SensitiveFindings1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ingest.sensitive_finding (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dataset_id uuid NOT NULL REFERENCES ingest.dataset(id),
      dept_id uuid NOT NULL,
      version int NOT NULL,
      column_name text NOT NULL,
      kind text NOT NULL,
      matches bigint NOT NULL,
      scanned bigint NOT NULL,
      share double precision NOT NULL,
      embedded boolean NOT NULL,
      examples jsonb NOT NULL DEFAULT '[]',
      status text NOT NULL CHECK (status IN ('covered', 'blocking', 'justified', 'accepted')),
      justification text,
      justified_by text,
      decision_comment text,
      decided_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (dataset_id, version, column_name, kind))`);
    await q.query(`CREATE INDEX sensitive_finding_open ON ingest.sensitive_finding (status) WHERE status IN ('blocking', 'justified')`);
    await q.query(`ALTER TABLE ingest.dataset_version ADD COLUMN sensitive_scanned_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingest.dataset_version DROP COLUMN sensitive_scanned_at`);
    await q.query(`DROP TABLE ingest.sensitive_finding`);
  }
}
