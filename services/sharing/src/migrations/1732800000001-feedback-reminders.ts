import { MigrationInterface, QueryRunner } from 'typeorm';

/** Feedback tasks remember which deadline reminders went out (approaching, passed). */
export class FeedbackReminders1732800000001 implements MigrationInterface {
  name = 'FeedbackReminders1732800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sharing.feedback ADD COLUMN approaching_notified boolean NOT NULL DEFAULT false, ADD COLUMN overdue_notified boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sharing.feedback DROP COLUMN approaching_notified, DROP COLUMN overdue_notified`);
  }
}
