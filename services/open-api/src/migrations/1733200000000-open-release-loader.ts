import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snapshot loads move out of the event handlers (issue 7): a handler only asks for a load
 * (`load_wanted` goes up); the loader builds the new table outside any handler transaction and
 * swaps it in (`load_done` catches up), retrying a failed or interrupted load after `load_next_at`.
 * Before a version is opened its quasi-identifiers are checked (k-anonymity, issue 10 §2): a refused
 * release keeps `release_state = 'refused'` and the check's figures in `release_check`.
 */
export class OpenReleaseLoader1733200000000 implements MigrationInterface {
  name = 'OpenReleaseLoader1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE openapi.open_dataset
        ADD COLUMN load_wanted int NOT NULL DEFAULT 0,
        ADD COLUMN load_done int NOT NULL DEFAULT 0,
        ADD COLUMN load_attempts int NOT NULL DEFAULT 0,
        ADD COLUMN load_error text,
        ADD COLUMN load_next_at timestamptz,
        ADD COLUMN release_state text NOT NULL DEFAULT 'released' CHECK (release_state IN ('released', 'refused')),
        ADD COLUMN release_check jsonb`);
    // Rows whose load never finished under the old scheme (a crash inside the handler) are loaded again.
    await q.query(`UPDATE openapi.open_dataset SET load_wanted = 1
                   WHERE snapshot IS NOT NULL AND (data_version IS DISTINCT FROM snapshot_version OR loaded_catalog_version IS DISTINCT FROM catalog_version)`);
    await q.query(`CREATE INDEX open_dataset_load_due ON openapi.open_dataset (load_next_at) WHERE load_wanted > load_done`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX openapi.open_dataset_load_due`);
    await q.query(`
      ALTER TABLE openapi.open_dataset
        DROP COLUMN release_check, DROP COLUMN release_state, DROP COLUMN load_next_at, DROP COLUMN load_error,
        DROP COLUMN load_attempts, DROP COLUMN load_done, DROP COLUMN load_wanted`);
  }
}
