import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalog service keeps an in-memory search index and catches up before every search with
 * the entry_search rows changed lately (updated_at at or after a recent bound): a range scan.
 */
export class SearchChangeIndex1732700000000 implements MigrationInterface {
  name = 'SearchChangeIndex1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX entry_search_updated ON catalog.entry_search (updated_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX catalog.entry_search_updated`);
  }
}
