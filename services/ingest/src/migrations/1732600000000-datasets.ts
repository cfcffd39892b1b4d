import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Datasets (one per published catalog entry), their versions, jobs and sources. Each version's
 * rows live in their own table `ingest.dv_<dataset>_<version>`, created by the loader.
 */
export class Datasets1732600000000 implements MigrationInterface {
  name = 'Datasets1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ingest.dataset (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      entry_id uuid NOT NULL UNIQUE,
      dept_id uuid NOT NULL,
      resource_code text NOT NULL,
      name text NOT NULL,
      catalog_version int NOT NULL,
      items jsonb NOT NULL,
      format_class text,
      update_cycle text,
      retired boolean NOT NULL DEFAULT false,
      current_version int,
      last_version_at timestamptz,
      overdue_since timestamptz,
      settings jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX dataset_dept ON ingest.dataset (dept_id)`);

    await q.query(`CREATE TABLE ingest.job (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dataset_id uuid NOT NULL REFERENCES ingest.dataset(id),
      kind text NOT NULL CHECK (kind IN ('upload', 'http_pull', 'db_pull')),
      state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
      source jsonb NOT NULL,
      version int,
      rows_read bigint NOT NULL DEFAULT 0,
      rows_rejected bigint NOT NULL DEFAULT 0,
      bytes_read bigint NOT NULL DEFAULT 0,
      bytes_total bigint,
      attempts int NOT NULL DEFAULT 0,
      error jsonb,
      heartbeat_at timestamptz,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz)`);
    await q.query(`CREATE INDEX job_queue ON ingest.job (created_at) WHERE state IN ('queued', 'running')`);
    await q.query(`CREATE INDEX job_dataset ON ingest.job (dataset_id, created_at DESC)`);

    await q.query(`CREATE TABLE ingest.dataset_version (
      dataset_id uuid NOT NULL REFERENCES ingest.dataset(id),
      version int NOT NULL CHECK (version > 0),
      status text NOT NULL CHECK (status IN ('loading', 'current', 'superseded', 'failed', 'dropped')),
      table_name text NOT NULL,
      columns jsonb NOT NULL,
      row_count bigint NOT NULL DEFAULT 0,
      rejected_count bigint NOT NULL DEFAULT 0,
      source jsonb NOT NULL,
      job_id uuid REFERENCES ingest.job(id),
      catalog_version int NOT NULL,
      quality jsonb,
      reject_object text,
      error jsonb,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      PRIMARY KEY (dataset_id, version))`);
    await q.query(`CREATE UNIQUE INDEX dataset_one_current ON ingest.dataset_version (dataset_id) WHERE status = 'current'`);

    // Resumable uploads: chunks are stored as objects and joined when the last one arrives.
    await q.query(`CREATE TABLE ingest.upload_session (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dataset_id uuid NOT NULL REFERENCES ingest.dataset(id),
      file_name text NOT NULL,
      size bigint NOT NULL CHECK (size > 0),
      received bigint NOT NULL DEFAULT 0,
      chunks int NOT NULL DEFAULT 0,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete', 'aborted')),
      job_id uuid REFERENCES ingest.job(id),
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);

    // 附件: unstructured files of a dataset (PDF, images)
    await q.query(`CREATE TABLE ingest.attachment (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dataset_id uuid NOT NULL REFERENCES ingest.dataset(id),
      file_name text NOT NULL,
      content_type text NOT NULL,
      size bigint NOT NULL,
      sha256 char(64) NOT NULL,
      object_key text NOT NULL,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now())`);

    // Pull sources (interface, database) and logical access; secrets encrypted (AES-256-GCM)
    await q.query(`CREATE TABLE ingest.source_config (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dataset_id uuid NOT NULL REFERENCES ingest.dataset(id),
      kind text NOT NULL CHECK (kind IN ('http', 'database', 'logical')),
      config jsonb NOT NULL,
      secret text,
      enabled boolean NOT NULL DEFAULT true,
      high_watermark text,
      last_pulled_at timestamptz,
      next_pull_at timestamptz,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now())`);

    // 整改任务: problems reported by data users, with a working-day deadline
    await q.query(`CREATE TABLE ingest.rectification_task (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dataset_id uuid NOT NULL REFERENCES ingest.dataset(id),
      dept_id uuid NOT NULL,
      reported_by text NOT NULL,
      reporter_service text NOT NULL,
      description text NOT NULL,
      due_on date NOT NULL,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
      closed_by_version int,
      answer text,
      closed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    const tables: { table_name: string }[] = await q.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'ingest' AND table_name LIKE 'dv\\_%'`);
    for (const t of tables) await q.query(`DROP TABLE ingest."${t.table_name}"`);
    for (const table of ['rectification_task', 'source_config', 'attachment', 'upload_session', 'dataset_version', 'job', 'dataset']) await q.query(`DROP TABLE ingest.${table}`);
  }
}
