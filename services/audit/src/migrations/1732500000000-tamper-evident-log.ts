import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log becomes a Merkle tree log (RFC 6962): records are sequenced from an intake
 * queue, carry their canonical bytes and leaf hash, complete subtrees are stored for proofs,
 * tree heads are signed. Log tables refuse UPDATE, DELETE and TRUNCATE (archived rows excepted).
 * Records of the first schema go back through the intake so they enter the tree too.
 */
export class TamperEvidentLog1732500000000 implements MigrationInterface {
  name = 'TamperEvidentLog1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit.intake (
      id bigserial PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      envelope jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`INSERT INTO audit.intake (event_id, envelope, received_at)
      SELECT event_id, jsonb_build_object('id', event_id, 'name', event_name, 'version', event_version, 'producer', producer,
        'occurredAt', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'correlationId', correlation_id, 'key', object_id, 'payload', payload,
        'actor', CASE WHEN actor_type IS NULL THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object('type', actor_type, 'id', actor_id, 'name', actor_name, 'deptId', actor_dept_id, 'ip', actor_ip)) END),
        recorded_at
      FROM audit.audit_record ORDER BY seq`);
    await q.query(`DROP TABLE audit.audit_record`);
    await q.query(`CREATE TABLE audit.audit_record (
      seq bigint PRIMARY KEY,
      leaf_hash bytea NOT NULL,
      body bytea NOT NULL,
      event_id uuid NOT NULL UNIQUE,
      event_name text NOT NULL,
      producer text NOT NULL,
      occurred_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL,
      correlation_id text,
      actor_type text, actor_id text, actor_dept_id text,
      object_type text NOT NULL, object_id text NOT NULL,
      dataset_id text, entry_id text, grant_id text, app_id text, request_id text,
      provider_dept_id text, consumer_dept_id text,
      outcome text, row_count bigint, personal_data boolean)`);
    for (const [name, cols, where] of [
      ['occurred', 'occurred_at', ''],
      ['object', 'object_id', ''],
      ['correlation', 'correlation_id', 'correlation_id IS NOT NULL'],
      ['actor', 'actor_id, occurred_at', 'actor_id IS NOT NULL'],
      ['actor_dept', 'actor_dept_id, occurred_at', 'actor_dept_id IS NOT NULL'],
      ['dataset', 'dataset_id, occurred_at', 'dataset_id IS NOT NULL'],
      ['entry', 'entry_id', 'entry_id IS NOT NULL'],
      ['grant', 'grant_id', 'grant_id IS NOT NULL'],
      ['app', 'app_id, occurred_at', 'app_id IS NOT NULL'],
      ['request', 'request_id', 'request_id IS NOT NULL'],
      ['provider_dept', 'provider_dept_id', 'provider_dept_id IS NOT NULL'],
      ['consumer_dept', 'consumer_dept_id, occurred_at', 'consumer_dept_id IS NOT NULL'],
    ])
      await q.query(`CREATE INDEX audit_record_${name} ON audit.audit_record (${cols})${where ? ` WHERE ${where}` : ''}`);

    // Complete subtrees (level ≥ 1; level 0 only for archived leaves): proofs read O(log n) of them.
    await q.query(`CREATE TABLE audit.merkle_node (level smallint NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (level, idx))`);
    await q.query(`CREATE TABLE audit.tree_head (
      tree_size bigint PRIMARY KEY,
      root_hash bytea NOT NULL,
      signed_at timestamptz NOT NULL,
      key_id text NOT NULL,
      signature text NOT NULL)`);
    await q.query(`CREATE TABLE audit.archive_segment (
      to_seq bigint PRIMARY KEY,
      from_seq bigint NOT NULL,
      object_key text NOT NULL,
      manifest jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    // Events held out of the log until an auditor looks at them (missing actor on an access event, …).
    await q.query(`CREATE TABLE audit.quarantine (
      id bigserial PRIMARY KEY,
      event_id uuid,
      event_name text,
      reason_code text NOT NULL,
      reason text NOT NULL,
      envelope jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      released_at timestamptz,
      released_by text,
      note text)`);

    // The audit service's own read model of grants (共享授权), from sharing.grant.* events, for alert rules.
    await q.query(`CREATE TABLE audit.grant_state (
      grant_id text PRIMARY KEY,
      status text NOT NULL,
      items text[] NOT NULL,
      valid_to text,
      entry_id text,
      consumer_dept_id text,
      changed_at timestamptz NOT NULL,
      revoked_at timestamptz)`);
    await q.query(`CREATE TABLE audit.alert_rule (
      rule text PRIMARY KEY,
      enabled boolean NOT NULL,
      params jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text)`);
    // 告警: open → acknowledged → closed (with a note); the state changes are audit records too.
    await q.query(`CREATE TABLE audit.alert (
      id uuid PRIMARY KEY,
      rule text NOT NULL,
      severity text NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'acknowledged', 'closed')),
      dedupe_key text NOT NULL UNIQUE,
      title_zh text NOT NULL,
      title_en text NOT NULL,
      subject jsonb NOT NULL,
      evidence_seqs bigint[] NOT NULL,
      created_at timestamptz NOT NULL,
      acknowledged_at timestamptz, acknowledged_by text,
      closed_at timestamptz, closed_by text, note text)`);
    await q.query(`CREATE INDEX alert_status ON audit.alert (status, created_at DESC)`);

    await q.query(`CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '审计日志只允许追加 / the audit log is append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    // Only rows already archived in a signed segment may leave the live table (retention).
    await q.query(`CREATE FUNCTION audit.refuse_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND OLD.seq < coalesce((SELECT max(to_seq) FROM audit.archive_segment), 0) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION '审计日志只允许追加 / the audit log is append-only: % of record #% refused', TG_OP, OLD.seq
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit.audit_record FOR EACH ROW EXECUTE FUNCTION audit.refuse_record_change()`);
    for (const t of ['audit_record', 'merkle_node', 'tree_head', 'archive_segment'])
      await q.query(`CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON audit.${t} FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`);
    for (const t of ['merkle_node', 'tree_head', 'archive_segment'])
      await q.query(`CREATE TRIGGER ${t}_append_only BEFORE UPDATE OR DELETE ON audit.${t} FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`);

    // A read-only role for auditors' tools and reporting: SELECT on the log, nothing else.
    await q.query(`DO $$
      BEGIN
        BEGIN
          CREATE ROLE govdata_audit_reader NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
        EXECUTE format('GRANT USAGE ON SCHEMA audit TO govdata_audit_reader');
        GRANT SELECT ON audit.audit_record, audit.merkle_node, audit.tree_head, audit.archive_segment TO govdata_audit_reader;
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit.audit_record, audit.merkle_node, audit.tree_head, audit.archive_segment FROM PUBLIC, govdata_audit_reader;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'no privilege to create the read-only audit role; skipped';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['alert', 'alert_rule', 'grant_state', 'quarantine', 'archive_segment', 'tree_head', 'merkle_node', 'audit_record', 'intake']) await q.query(`DROP TABLE IF EXISTS audit.${t}`);
    await q.query(`DROP FUNCTION IF EXISTS audit.refuse_record_change()`);
    await q.query(`DROP FUNCTION IF EXISTS audit.refuse_change()`);
    await q.query(`CREATE TABLE audit.audit_record (
      seq bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, event_name text NOT NULL, event_version int NOT NULL, producer text NOT NULL,
      occurred_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(), correlation_id text,
      actor_type text, actor_id text, actor_name text, actor_dept_id text, actor_ip text, object_type text NOT NULL, object_id text NOT NULL, payload jsonb NOT NULL)`);
  }
}
