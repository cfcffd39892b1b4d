import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Developer sandbox under 有条件开放 (issue 10): the access type of a conditional-opening application
 * (`records`: the records API and downloads; `sandbox`: aggregates only, through the sandbox), the
 * developers' sandbox jobs and their released groups (the differencing ledger, per developer and dataset).
 */
export class OpenSandbox1733100000000 implements MigrationInterface {
  name = 'OpenSandbox1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE openapi.conditional_application ADD COLUMN access_type text NOT NULL DEFAULT 'records' CHECK (access_type IN ('records', 'sandbox'))`);
    await q.query(`CREATE TABLE openapi.sandbox_job (
      id uuid PRIMARY KEY,
      application_ids uuid[] NOT NULL,
      developer_id uuid NOT NULL,
      app_id uuid,
      dept_id uuid,
      entry_id uuid,
      data_version int,
      sql text NOT NULL,
      tables jsonb NOT NULL,
      rewritten_sql text,
      status text NOT NULL CHECK (status IN ('released', 'refused', 'failed')),
      reason_code text,
      reason text,
      result_columns jsonb,
      result jsonb,
      result_rows int NOT NULL DEFAULT 0,
      source_rows bigint NOT NULL DEFAULT 0,
      duration_ms int NOT NULL DEFAULT 0,
      expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX sandbox_job_developer ON openapi.sandbox_job (developer_id, created_at DESC)`);
    await q.query(`CREATE INDEX sandbox_job_status ON openapi.sandbox_job (status, created_at DESC)`);
    // One row per released output group: its count(*) and its source-row fingerprints (delta-encoded, deflated).
    await q.query(`CREATE TABLE openapi.sandbox_release (
      id bigserial PRIMARY KEY,
      job_id uuid NOT NULL REFERENCES openapi.sandbox_job(id),
      release_key text NOT NULL,
      row_count bigint NOT NULL,
      row_ids bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX sandbox_release_key ON openapi.sandbox_release (release_key, row_count)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE openapi.sandbox_release`);
    await q.query(`DROP TABLE openapi.sandbox_job`);
    await q.query(`ALTER TABLE openapi.conditional_application DROP COLUMN access_type`);
  }
}
