import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How far the alert rules have looked: records are evaluated from here, so a crash between
 * appending and evaluating loses nothing. Starts at the current end (no alerts on old history).
 */
export class AlertCursor1732600000000 implements MigrationInterface {
  name = 'AlertCursor1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit.alert_cursor (name text PRIMARY KEY, upto bigint NOT NULL)`);
    await q.query(`INSERT INTO audit.alert_cursor (name, upto) SELECT 'alerts', coalesce(max(seq) + 1, 0) FROM audit.audit_record`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit.alert_cursor`);
  }
}
