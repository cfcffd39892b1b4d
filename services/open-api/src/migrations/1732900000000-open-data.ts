import { MigrationInterface, QueryRunner } from 'typeorm';

/** 开放: public catalog read model, developers, apps and keys, usage, blacklist, conditional opening, public feedback. */
export class OpenData1732900000000 implements MigrationInterface {
  name = 'OpenData1732900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE openapi.open_dataset (
        entry_id uuid PRIMARY KEY,
        catalog_version int NOT NULL,
        resource_code text NOT NULL,
        name text NOT NULL,
        abstract text NOT NULL DEFAULT '',
        dept_id uuid NOT NULL,
        dept_name text NOT NULL,
        domain_code text,
        format_type text,
        update_cycle text,
        open_type text NOT NULL,
        open_condition text,
        security_grade text,
        tags text[] NOT NULL DEFAULT '{}',
        metadata jsonb NOT NULL,
        licence text NOT NULL,
        published_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open',
        search_text text NOT NULL DEFAULT '',
        dataset_id uuid,
        snapshot jsonb,
        snapshot_version int,
        data_version int,
        loaded_catalog_version int,
        table_name text,
        columns jsonb,
        row_count bigint NOT NULL DEFAULT 0,
        quality_score numeric,
        data_updated_at timestamptz,
        download_count bigint NOT NULL DEFAULT 0,
        api_count bigint NOT NULL DEFAULT 0,
        preview_count bigint NOT NULL DEFAULT 0,
        rating_avg numeric NOT NULL DEFAULT 0,
        rating_count int NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX open_dataset_dataset ON openapi.open_dataset (dataset_id) WHERE dataset_id IS NOT NULL`);
    await q.query(`CREATE INDEX open_dataset_status ON openapi.open_dataset (status, published_at DESC)`);
    // Every published entry, open or not: the denominator of the public open rate.
    await q.query(`CREATE TABLE openapi.published_entry (entry_id uuid PRIMARY KEY, dept_id uuid NOT NULL, dept_name text NOT NULL, domain_code text, is_open boolean NOT NULL, retired boolean NOT NULL DEFAULT false)`);
    // A version that arrived before its catalog entry (different topics may interleave).
    await q.query(`CREATE TABLE openapi.pending_version (entry_id uuid PRIMARY KEY, payload jsonb NOT NULL)`);

    await q.query(`
      CREATE TABLE openapi.developer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL UNIQUE,
        name text NOT NULL,
        organisation text,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE openapi.app (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        developer_id uuid NOT NULL REFERENCES openapi.developer(id),
        name text NOT NULL,
        description text,
        tier text NOT NULL DEFAULT 'basic',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE openapi.api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL REFERENCES openapi.app(id),
        prefix text NOT NULL,
        hash text NOT NULL UNIQUE,
        status text NOT NULL DEFAULT 'active',
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_key_app ON openapi.api_key (app_id)`);
    await q.query(`
      CREATE TABLE openapi.usage_daily (
        app_id uuid NOT NULL,
        day date NOT NULL,
        calls bigint NOT NULL DEFAULT 0,
        rows bigint NOT NULL DEFAULT 0,
        errors bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (app_id, day)
      )`);
    await q.query(`
      CREATE TABLE openapi.large_volume_registration (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL REFERENCES openapi.app(id),
        purpose text NOT NULL,
        expected_daily_calls int NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        tier text,
        decided_by text,
        decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE openapi.blacklist (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('key', 'app', 'ip')),
        value text NOT NULL,
        reason text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        removed_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX blacklist_active ON openapi.blacklist (kind, value) WHERE removed_at IS NULL`);
    await q.query(`
      CREATE TABLE openapi.conditional_application (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        entry_id uuid NOT NULL,
        dept_id uuid NOT NULL,
        app_id uuid NOT NULL REFERENCES openapi.app(id),
        developer_id uuid NOT NULL,
        organisation text NOT NULL,
        credit_code char(18) NOT NULL,
        purpose text NOT NULL,
        scenario text NOT NULL,
        commitments text NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        due_on date NOT NULL,
        decided_at timestamptz,
        decided_by text,
        reasons text,
        terms text,
        end_date date,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX conditional_application_lookup ON openapi.conditional_application (app_id, entry_id, status)`);
    await q.query(`
      CREATE TABLE openapi.rating (
        entry_id uuid NOT NULL,
        developer_id uuid NOT NULL,
        usability smallint NOT NULL,
        completeness smallint NOT NULL,
        accuracy smallint NOT NULL,
        timeliness smallint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (entry_id, developer_id)
      )`);
    await q.query(`
      CREATE TABLE openapi.comment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        entry_id uuid NOT NULL,
        developer_id uuid NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE openapi.feedback (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('error_report', 'data_request', 'suggestion')),
        entry_id uuid,
        dept_id uuid,
        developer_id uuid,
        title text NOT NULL,
        body text NOT NULL,
        status text NOT NULL DEFAULT 'open',
        answer text,
        answered_by text,
        answered_at timestamptz,
        due_on date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE openapi.showcase (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        developer_id uuid NOT NULL,
        title text NOT NULL,
        description text NOT NULL,
        url text,
        entry_ids uuid[] NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['showcase', 'feedback', 'comment', 'rating', 'conditional_application', 'blacklist', 'large_volume_registration', 'usage_daily', 'api_key', 'app', 'developer', 'pending_version', 'published_entry', 'open_dataset'])
      await q.query(`DROP TABLE openapi.${t}`);
  }
}
