import { MigrationInterface, QueryRunner } from 'typeorm';

/** Columns ingest found to hold unflagged personal data: not served under unconditional sharing until cleared. */
export class SensitiveBlockedColumns1732800000002 implements MigrationInterface {
  name = 'SensitiveBlockedColumns1732800000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sharing.dataset ADD COLUMN blocked_columns text[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sharing.dataset DROP COLUMN blocked_columns`);
  }
}
