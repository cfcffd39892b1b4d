import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What traces and proofs need to find archived records without reading whole segments: each
 * segment cut in blocks of records with their byte range in the file (one ranged read), their
 * time range and a Bloom filter of their search keys. Derived from the signed segments and
 * rebuilt from them when missing (segments archived before this migration are indexed on demand).
 */
export class ArchiveBlocks1732800000000 implements MigrationInterface {
  name = 'ArchiveBlocks1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit.archive_block (
      from_seq bigint PRIMARY KEY,
      to_seq bigint NOT NULL,
      segment_to_seq bigint NOT NULL REFERENCES audit.archive_segment (to_seq),
      byte_start bigint NOT NULL,
      byte_end bigint NOT NULL,
      occurred_from timestamptz NOT NULL,
      occurred_to timestamptz NOT NULL,
      key_filter bytea NOT NULL)`);
    await q.query(`CREATE INDEX archive_block_segment ON audit.archive_block (segment_to_seq)`);
    await q.query(`DO $$
      BEGIN
        GRANT SELECT ON audit.archive_block TO govdata_audit_reader;
      EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
        RAISE NOTICE 'read-only audit role missing; skipped';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit.archive_block`);
  }
}
