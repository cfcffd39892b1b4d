import { MigrationInterface, QueryRunner } from 'typeorm';

const SEARCH_INDEXES: [string, string, string][] = [
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
];

/**
 * Twelve B-tree search indexes made every append touch fourteen indexes (most of its cost). They
 * become one GIN index over prefixed search keys and a BRIN index on occurred_at (records arrive
 * in time order; a BRIN range costs nothing per row). With fast update an append only adds its
 * keys to the GIN pending list, which queries read too (a record is findable once committed); the
 * list is merged into the index in bulk by the search-index merger, off the append path (32 MB
 * limit: only an append that finds it full merges itself). The keys are an expression of the
 * stored columns, so nothing new is stored and no row changes.
 */
export class LeanSearchIndexes1732700000000 implements MigrationInterface {
  name = 'LeanSearchIndexes1732700000000';

  async up(q: QueryRunner): Promise<void> {
    // A plain SQL function: inlined into the index expression and into queries that repeat it.
    await q.query(`CREATE FUNCTION audit.search_keys(actor_id text, actor_dept_id text, app_id text, dataset_id text, entry_id text, grant_id text,
        request_id text, provider_dept_id text, consumer_dept_id text, correlation_id text, object_id text)
      RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT array_remove(ARRAY['u:' || actor_id, 'd:' || actor_dept_id, 'a:' || app_id, 's:' || dataset_id, 'e:' || entry_id, 'g:' || grant_id,
          'r:' || request_id, 'd:' || provider_dept_id, 'd:' || consumer_dept_id, 'c:' || correlation_id, 'o:' || object_id], NULL)
      $$`);
    await q.query(`CREATE INDEX audit_record_search ON audit.audit_record USING gin (audit.search_keys(actor_id, actor_dept_id, app_id, dataset_id, entry_id,
      grant_id, request_id, provider_dept_id, consumer_dept_id, correlation_id, object_id)) WITH (fastupdate = on, gin_pending_list_limit = 32768)`);
    await q.query(`CREATE INDEX audit_record_occurred_brin ON audit.audit_record USING brin (occurred_at) WITH (pages_per_range = 32)`);
    for (const [name] of SEARCH_INDEXES) await q.query(`DROP INDEX IF EXISTS audit.audit_record_${name}`);
    // The intake is a queue of envelopes read back whole: json (text, checked) costs less than jsonb to write and to read out.
    await q.query(`ALTER TABLE audit.intake ALTER COLUMN envelope TYPE json USING envelope::json`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit.intake ALTER COLUMN envelope TYPE jsonb USING envelope::jsonb`);
    for (const [name, cols, where] of SEARCH_INDEXES)
      await q.query(`CREATE INDEX IF NOT EXISTS audit_record_${name} ON audit.audit_record (${cols})${where ? ` WHERE ${where}` : ''}`);
    await q.query(`DROP INDEX IF EXISTS audit.audit_record_occurred_brin`);
    await q.query(`DROP INDEX IF EXISTS audit.audit_record_search`);
    await q.query(`DROP FUNCTION IF EXISTS audit.search_keys(text, text, text, text, text, text, text, text, text, text, text)`);
  }
}
