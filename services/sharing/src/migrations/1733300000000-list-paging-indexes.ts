import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The workbench lists page on the server, newest first with the id as tie-break: one index per
 * side of each list, in that order, so a page is an index range (not a sort of the department's rows).
 */
const INDEXES: [name: string, table: string, columns: string][] = [
  ['grant_consumer_page', 'grant_', 'consumer_dept_id, created_at DESC, id DESC'],
  ['grant_provider_page', 'grant_', 'provider_dept_id, created_at DESC, id DESC'],
  ['share_request_requester_page', 'share_request', 'requester_dept_id, submitted_at DESC, id DESC'],
  ['share_request_provider_page', 'share_request', 'provider_dept_id, submitted_at DESC, id DESC'],
  ['feedback_provider_page', 'feedback', 'provider_dept_id, created_at DESC, id DESC'],
  ['feedback_reporter_page', 'feedback', 'reporter_dept_id, created_at DESC, id DESC'],
  ['data_need_dept_page', 'data_need', 'dept_id, created_at DESC, id DESC'],
  ['data_need_assigned_page', 'data_need', 'assigned_dept_id, created_at DESC, id DESC'],
];

export class ListPagingIndexes1733300000000 implements MigrationInterface {
  name = 'ListPagingIndexes1733300000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [name, table, columns] of INDEXES) await q.query(`CREATE INDEX IF NOT EXISTS ${name} ON sharing.${table} (${columns})`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of INDEXES) await q.query(`DROP INDEX IF EXISTS sharing.${name}`);
  }
}
