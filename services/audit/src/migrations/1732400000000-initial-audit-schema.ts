import { messagingTablesDown, messagingTablesUp } from '@gov/shared';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialAuditSchema1732400000000 implements MigrationInterface {
  name = 'InitialAuditSchema1732400000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesUp('audit')) await q.query(sql);
    await q.query(`CREATE TABLE audit.audit_record (
      seq bigserial PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      event_name text NOT NULL,
      event_version int NOT NULL,
      producer text NOT NULL,
      occurred_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      correlation_id text,
      actor_type text, actor_id text, actor_name text, actor_dept_id text, actor_ip text,
      object_type text NOT NULL,
      object_id text NOT NULL,
      payload jsonb NOT NULL)`);
    await q.query(`CREATE INDEX audit_record_object ON audit.audit_record (object_type, object_id)`);
    await q.query(`CREATE INDEX audit_record_correlation ON audit.audit_record (correlation_id)`);
    await q.query(`CREATE INDEX audit_record_actor ON audit.audit_record (actor_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit.audit_record`);
    for (const sql of messagingTablesDown('audit')) await q.query(sql);
  }
}
