import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data security (issue 10): sandbox jobs and their released groups (differencing check), aggregation-risk
 * refusals, ingest's sensitive findings as a read model, authorized-operation (授权运营) operators, and
 * the operation flag on grants.
 */
export class DataSecurity1732900000000 implements MigrationInterface {
  name = 'DataSecurity1732900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE sharing.operator (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      credit_code char(18) NOT NULL UNIQUE,
      contract_from date NOT NULL,
      contract_to date NOT NULL,
      entry_ids uuid[] NOT NULL,
      scenarios text[] NOT NULL,
      dept_id uuid NOT NULL,
      monthly_job_quota int,
      monthly_row_quota bigint,
      status text NOT NULL DEFAULT 'active',
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`ALTER TABLE sharing.grant_ ADD COLUMN operator_id uuid REFERENCES sharing.operator(id)`);
    await q.query(`CREATE TABLE sharing.sandbox_job (
      id uuid PRIMARY KEY,
      grant_ids uuid[] NOT NULL,
      consumer_dept_id uuid NOT NULL,
      user_id text NOT NULL,
      operator_id uuid,
      scenario text,
      sql text NOT NULL,
      tables jsonb NOT NULL,
      rewritten_sql text,
      status text NOT NULL,
      reason_code text,
      reason text,
      result_columns jsonb,
      result jsonb,
      result_rows int NOT NULL DEFAULT 0,
      source_rows bigint NOT NULL DEFAULT 0,
      duration_ms int NOT NULL DEFAULT 0,
      expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX sandbox_job_dept ON sharing.sandbox_job (consumer_dept_id, created_at DESC)`);
    await q.query(`CREATE INDEX sandbox_job_status ON sharing.sandbox_job (status, created_at DESC)`);
    await q.query(`CREATE INDEX sandbox_job_operator ON sharing.sandbox_job (operator_id, created_at) WHERE operator_id IS NOT NULL`);
    // One row per released output group: its size and its source-row ids (delta-encoded, deflated).
    await q.query(`CREATE TABLE sharing.sandbox_release (
      id bigserial PRIMARY KEY,
      job_id uuid NOT NULL REFERENCES sharing.sandbox_job(id),
      release_key text NOT NULL,
      row_count bigint NOT NULL,
      row_ids bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX sandbox_release_key ON sharing.sandbox_release (release_key, row_count)`);
    await q.query(`CREATE TABLE sharing.security_refusal (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL,
      entry_id uuid NOT NULL,
      request_id uuid,
      consumer_dept_id uuid,
      columns text[] NOT NULL,
      offending text[] NOT NULL,
      k numeric NOT NULL,
      required_k int NOT NULL,
      rows_at_risk bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE sharing.sensitive_finding (
      dataset_id uuid NOT NULL,
      entry_id uuid NOT NULL,
      dept_id uuid NOT NULL,
      version int NOT NULL,
      column_name text NOT NULL,
      kind text NOT NULL,
      matches bigint NOT NULL,
      scanned bigint NOT NULL,
      status text NOT NULL,
      blocked boolean NOT NULL,
      drift boolean NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (dataset_id, column_name, kind))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sharing.sensitive_finding`);
    await q.query(`DROP TABLE sharing.security_refusal`);
    await q.query(`DROP TABLE sharing.sandbox_release`);
    await q.query(`DROP TABLE sharing.sandbox_job`);
    await q.query(`ALTER TABLE sharing.grant_ DROP COLUMN operator_id`);
    await q.query(`DROP TABLE sharing.operator`);
  }
}
