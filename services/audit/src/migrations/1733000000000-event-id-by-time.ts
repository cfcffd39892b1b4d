import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The log's backstop against logging an event twice was a unique B-tree on the random event id:
 * every append wrote to a random leaf page (and, after each checkpoint, a full page image to the
 * WAL), which measured as the largest index cost left on the append path. A redelivered event is
 * the same envelope, so it has the same occurrence time too: unique on (occurred_at, event_id)
 * catches it just the same, and in time order appends touch the right edge of the index.
 */
export class EventIdByTime1733000000000 implements MigrationInterface {
  name = 'EventIdByTime1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX audit_record_occurred_event ON audit.audit_record (occurred_at, event_id)`);
    await q.query(`ALTER TABLE audit.audit_record DROP CONSTRAINT IF EXISTS audit_record_event_id_key`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit.audit_record ADD CONSTRAINT audit_record_event_id_key UNIQUE (event_id)`);
    await q.query(`DROP INDEX audit.audit_record_occurred_event`);
  }
}
