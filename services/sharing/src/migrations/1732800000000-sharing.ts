import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models (catalog entries, datasets), requests, grants, deliveries, feedback, needs, 回流, notifications. */
export class Sharing1732800000000 implements MigrationInterface {
  name = 'Sharing1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE sharing.catalog_entry (
      entry_id uuid PRIMARY KEY,
      version int NOT NULL,
      dept_id uuid NOT NULL,
      dept_name text NOT NULL,
      region_code char(6) NOT NULL,
      resource_code text NOT NULL,
      name text NOT NULL,
      share_type text NOT NULL,
      share_condition text,
      share_basis text,
      method_type text,
      items jsonb NOT NULL,
      status text NOT NULL DEFAULT 'published',
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE sharing.dataset (
      dataset_id uuid PRIMARY KEY,
      entry_id uuid NOT NULL UNIQUE,
      dept_id uuid NOT NULL,
      version int NOT NULL,
      table_name text NOT NULL,
      columns jsonb NOT NULL,
      row_count bigint NOT NULL,
      sha256 text,
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE sharing.refusal_ground (
      code text PRIMARY KEY,
      label text NOT NULL,
      basis text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`INSERT INTO sharing.refusal_ground (code, label, basis) VALUES
      ('STATE_SECRET', '涉及国家秘密', '《中华人民共和国保守国家秘密法》第二条、《政务数据共享条例》第二条'),
      ('WORK_SECRET', '涉及工作秘密', '《政务数据共享条例》第二条'),
      ('LAW_PROHIBITS', '法律、行政法规明确禁止共享', '《政务数据共享条例》第十三条'),
      ('PERSONAL_INFO_NO_BASIS', '涉及个人信息且申请方无法定职责依据', '《中华人民共和国个人信息保护法》第三十四条'),
      ('OUTSIDE_DUTY', '申请用途与申请部门法定职责无关', '《政务数据共享条例》第十五条'),
      ('CATALOG_NOT_SHARED', '目录共享属性为不予共享', '目录所列法律、行政法规或党中央、国务院政策依据')`);
    await q.query(`CREATE TABLE sharing.cart_item (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dept_id uuid NOT NULL,
      user_id text NOT NULL,
      entry_id uuid NOT NULL,
      items text[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, entry_id))`);
    await q.query(`CREATE TABLE sharing.share_request (
      id uuid PRIMARY KEY,
      batch_id uuid NOT NULL,
      requester_dept_id uuid NOT NULL,
      requester_user_id text NOT NULL,
      provider_dept_id uuid NOT NULL,
      entry_id uuid NOT NULL,
      entry_version int NOT NULL,
      share_type text NOT NULL,
      items text[] NOT NULL,
      purpose text NOT NULL,
      legal_basis text NOT NULL,
      scenario text NOT NULL,
      period_from date NOT NULL,
      period_to date NOT NULL,
      delivery_method text NOT NULL,
      expected_volume text,
      frequency text,
      system_name text NOT NULL,
      status text NOT NULL,
      submitted_at timestamptz NOT NULL DEFAULT now(),
      submitted_on date NOT NULL,
      response_days int,
      due_date date,
      approaching_notified boolean NOT NULL DEFAULT false,
      escalated_at timestamptz,
      coordination jsonb NOT NULL DEFAULT '[]',
      decided_at timestamptz,
      decided_on date,
      decided_by text,
      decision text,
      decision_detail jsonb,
      refusal_ground text REFERENCES sharing.refusal_ground(code),
      refusal_text text,
      grant_id uuid)`);
    await q.query(`CREATE INDEX share_request_provider ON sharing.share_request (provider_dept_id, status)`);
    await q.query(`CREATE INDEX share_request_requester ON sharing.share_request (requester_dept_id, status)`);
    await q.query(`CREATE TABLE sharing.grant_ (
      id uuid PRIMARY KEY,
      request_id uuid NOT NULL REFERENCES sharing.share_request(id),
      consumer_dept_id uuid NOT NULL,
      provider_dept_id uuid NOT NULL,
      system_name text NOT NULL,
      entry_id uuid NOT NULL,
      items text[] NOT NULL,
      row_filter jsonb NOT NULL DEFAULT '[]',
      catalog_condition text,
      valid_from date NOT NULL,
      valid_to date NOT NULL,
      rate_limit_per_minute int,
      quota_rows bigint,
      rows_delivered bigint NOT NULL DEFAULT 0,
      delivery_method text NOT NULL,
      status text NOT NULL,
      status_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX grant_entry ON sharing.grant_ (entry_id, status)`);
    await q.query(`CREATE TABLE sharing.grant_credential (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      grant_id uuid NOT NULL REFERENCES sharing.grant_(id),
      key_prefix text NOT NULL UNIQUE,
      key_hash text NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz)`);
    await q.query(`CREATE TABLE sharing.push_target (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      grant_id uuid NOT NULL REFERENCES sharing.grant_(id),
      kind text NOT NULL,
      sealed text NOT NULL,
      table_name text NOT NULL,
      last_version int,
      last_status text,
      last_error text,
      last_rows bigint,
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE sharing.delivery_job (
      id bigserial PRIMARY KEY,
      kind text NOT NULL,
      target_id uuid NOT NULL,
      dataset_id uuid NOT NULL,
      version int NOT NULL,
      attempts int NOT NULL DEFAULT 0,
      next_at timestamptz NOT NULL DEFAULT now(),
      status text NOT NULL DEFAULT 'pending',
      last_error text,
      UNIQUE (kind, target_id, version))`);
    await q.query(`CREATE TABLE sharing.handover (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      grant_id uuid NOT NULL REFERENCES sharing.grant_(id),
      version int,
      file_name text NOT NULL,
      sha256 text NOT NULL,
      rows bigint NOT NULL,
      medium text NOT NULL,
      handed_to text NOT NULL,
      handed_at timestamptz NOT NULL,
      recorded_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE sharing.feedback (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      grant_id uuid NOT NULL REFERENCES sharing.grant_(id),
      entry_id uuid NOT NULL,
      reporter_dept_id uuid NOT NULL,
      reporter_user_id text NOT NULL,
      provider_dept_id uuid NOT NULL,
      kind text NOT NULL,
      row_ref text,
      column_name text,
      description text NOT NULL,
      status text NOT NULL DEFAULT 'open',
      due_date date NOT NULL,
      answer text,
      fixed_version int,
      history jsonb NOT NULL DEFAULT '[]',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE sharing.data_need (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dept_id uuid NOT NULL,
      user_id text NOT NULL,
      title text NOT NULL,
      description text NOT NULL,
      items text[] NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'open',
      suggestions jsonb NOT NULL DEFAULT '[]',
      assigned_dept_id uuid,
      answer text,
      answer_entry_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE sharing.return_subscription (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      subscriber_dept_id uuid NOT NULL,
      provider_dept_id uuid NOT NULL,
      entry_id uuid NOT NULL,
      region_column text NOT NULL,
      region_value text NOT NULL,
      status text NOT NULL DEFAULT 'active',
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (subscriber_dept_id, entry_id))`);
    await q.query(`CREATE TABLE sharing.return_delivery (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      subscription_id uuid NOT NULL REFERENCES sharing.return_subscription(id),
      version int NOT NULL,
      object_key text NOT NULL,
      rows bigint NOT NULL,
      sha256 text NOT NULL,
      delivered_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (subscription_id, version))`);
    await q.query(`CREATE TABLE sharing.notification (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dept_id uuid,
      role text,
      kind text NOT NULL,
      title text NOT NULL,
      body text NOT NULL,
      subject_type text,
      subject_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz)`);
    await q.query(`CREATE INDEX notification_dept ON sharing.notification (dept_id, created_at DESC)`);
    await q.query(`CREATE TABLE sharing.webhook (
      dept_id uuid PRIMARY KEY,
      url text NOT NULL,
      sealed_secret text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE sharing.webhook_delivery (
      id bigserial PRIMARY KEY,
      dept_id uuid NOT NULL,
      notification_id uuid NOT NULL,
      payload jsonb NOT NULL,
      attempts int NOT NULL DEFAULT 0,
      next_at timestamptz NOT NULL DEFAULT now(),
      status text NOT NULL DEFAULT 'pending',
      last_status int,
      last_error text,
      delivered_at timestamptz)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const rows: { table_name: string }[] = await q.query(`SELECT table_name FROM sharing.dataset`);
    for (const r of rows) await q.query(`DROP TABLE IF EXISTS sharing."${r.table_name.replace(/"/g, '""')}"`);
    for (const t of ['webhook_delivery', 'webhook', 'notification', 'return_delivery', 'return_subscription', 'data_need', 'feedback', 'handover', 'delivery_job', 'push_target', 'grant_credential', 'grant_', 'share_request', 'cart_item', 'refusal_ground', 'dataset', 'catalog_entry'])
      await q.query(`DROP TABLE sharing.${t}`);
  }
}
