import { DATA_DOMAINS, DEFAULT_DATA_ELEMENTS } from '@gov/shared';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The resource catalog: entries and their versions, codes, 一数一源, deadlines, search. */
export class ResourceCatalog1732500000000 implements MigrationInterface {
  name = 'ResourceCatalog1732500000000';

  async up(q: QueryRunner): Promise<void> {
    // 政务信息系统
    await q.query(`CREATE TABLE catalog.information_system (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dept_id uuid NOT NULL REFERENCES catalog.department(id),
      name text NOT NULL,
      description text,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (dept_id, name))`);

    // 数据领域 and extended 主题 items: configurable lists seeded with the defaults
    await q.query(`CREATE TABLE catalog.data_domain (
      code text PRIMARY KEY CHECK (code ~ '^[0-9A-Za-z_]{1,16}$'),
      label text NOT NULL UNIQUE,
      builtin boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now())`);
    for (const d of DATA_DOMAINS) await q.query(`INSERT INTO catalog.data_domain (code, label, builtin) VALUES ($1, $2, true)`, [d.code, d.label]);
    await q.query(`CREATE TABLE catalog.topic_item (
      item_code char(2) PRIMARY KEY CHECK (item_code ~ '^[0-9]{2}$' AND item_code::int > 12),
      label text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now())`);

    // 目录条目 and its versions
    await q.query(`CREATE TABLE catalog.catalog_entry (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dept_id uuid NOT NULL REFERENCES catalog.department(id),
      status text NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'published', 'retired')),
      change_status text CHECK (change_status IN ('draft', 'submitted', 'returned')),
      resource_code text,
      source_region char(6),
      latest_version int NOT NULL,
      published_version int,
      published_at timestamptz,
      retired_reason text,
      retired_at timestamptz,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (change_status IS NULL OR status = 'published'))`);
    await q.query(`CREATE UNIQUE INDEX catalog_entry_code ON catalog.catalog_entry (coalesce(source_region, ''), resource_code) WHERE resource_code IS NOT NULL`);
    await q.query(`CREATE INDEX catalog_entry_dept ON catalog.catalog_entry (dept_id, status)`);
    await q.query(`CREATE INDEX catalog_entry_review ON catalog.catalog_entry (updated_at) WHERE status = 'submitted' OR change_status = 'submitted'`);
    await q.query(`CREATE TABLE catalog.entry_version (
      entry_id uuid NOT NULL REFERENCES catalog.catalog_entry(id),
      version int NOT NULL CHECK (version > 0),
      state text NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'approved', 'superseded')),
      metadata jsonb NOT NULL,
      findings jsonb NOT NULL DEFAULT '[]',
      review_comments jsonb,
      change_reason text,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      submitted_by uuid,
      submitted_at timestamptz,
      reviewed_by uuid,
      reviewed_at timestamptz,
      PRIMARY KEY (entry_id, version))`);

    // 信息资源代码: a sequence per 前段码, and every code ever issued so none is reused
    await q.query(`CREATE TABLE catalog.resource_code_sequence (
      prefix text PRIMARY KEY CHECK (prefix ~ '^[0-9]{6,}$'),
      last_value bigint NOT NULL CHECK (last_value >= 0))`);
    await q.query(`CREATE TABLE catalog.issued_resource_code (
      code text PRIMARY KEY,
      entry_id uuid NOT NULL REFERENCES catalog.catalog_entry(id),
      issued_at timestamptz NOT NULL DEFAULT now())`);

    // 一数一源: data elements with their source department, and the conflicts list
    await q.query(`CREATE TABLE catalog.data_element (
      code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{2,64}$'),
      name text NOT NULL UNIQUE,
      aliases text[] NOT NULL DEFAULT '{}',
      description text,
      source_dept_id uuid REFERENCES catalog.department(id),
      source_entry_id uuid REFERENCES catalog.catalog_entry(id),
      updated_by uuid,
      updated_at timestamptz NOT NULL DEFAULT now())`);
    for (const e of DEFAULT_DATA_ELEMENTS)
      await q.query(`INSERT INTO catalog.data_element (code, name, aliases) VALUES ($1, $2, $3)`, [e.code, e.name, e.aliases]);
    await q.query(`CREATE TABLE catalog.source_conflict (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('duplicate_collection', 'near_duplicate')),
      entry_id uuid NOT NULL REFERENCES catalog.catalog_entry(id),
      dept_id uuid NOT NULL REFERENCES catalog.department(id),
      other_entry_id uuid REFERENCES catalog.catalog_entry(id),
      other_dept_id uuid REFERENCES catalog.department(id),
      element_code text,
      score numeric(5,4),
      detail jsonb NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
      resolution text CHECK (resolution IN ('designate_source', 'merge', 'justify')),
      resolution_note text,
      resolved_by uuid,
      resolved_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'resolved') = (resolution IS NOT NULL)))`);
    await q.query(`CREATE UNIQUE INDEX source_conflict_once ON catalog.source_conflict (kind, entry_id, coalesce(other_entry_id::text, ''), coalesce(element_code, ''))`);

    // 参考清单 and the departments' 不开放依据及理由 for items they do not catalog
    await q.query(`CREATE TABLE catalog.reference_item (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      list_name text NOT NULL,
      name text NOT NULL,
      dept_id uuid NOT NULL REFERENCES catalog.department(id),
      domain_code text REFERENCES catalog.data_domain(code),
      description text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (list_name, dept_id, name))`);
    await q.query(`CREATE TABLE catalog.reference_exemption (
      reference_item_id uuid PRIMARY KEY REFERENCES catalog.reference_item(id),
      reason text NOT NULL CHECK (length(btrim(reason)) > 0),
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now())`);

    // 时限: obligations counted in working days
    await q.query(`CREATE TABLE catalog.deadline (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('register_linked_resource', 'update_changed_entry')),
      dept_id uuid NOT NULL REFERENCES catalog.department(id),
      subject_type text NOT NULL CHECK (subject_type IN ('system', 'entry')),
      subject_id uuid NOT NULL,
      started_on date NOT NULL,
      limit_working_days int NOT NULL CHECK (limit_working_days >= 0),
      due_on date NOT NULL,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'met', 'overdue')),
      reason text,
      met_at timestamptz,
      overdue_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX deadline_open ON catalog.deadline (due_on) WHERE status <> 'met'`);
    await q.query(`CREATE INDEX deadline_subject ON catalog.deadline (subject_type, subject_id) WHERE status <> 'met'`);

    // Search index: one row per entry, of the version its readers see.
    // `grams` holds character unigrams and bigrams, so Chinese needs no word segmentation.
    await q.query(`CREATE TABLE catalog.entry_search (
      entry_id uuid PRIMARY KEY REFERENCES catalog.catalog_entry(id),
      dept_id uuid NOT NULL,
      dept_name text NOT NULL,
      status text NOT NULL,
      version int NOT NULL,
      resource_code text,
      name text NOT NULL,
      abstract text NOT NULL,
      item_names text[] NOT NULL,
      haystack text NOT NULL,
      grams text[] NOT NULL,
      class_code text,
      item_code text,
      domain_code text,
      share_type text,
      open_type text,
      format_class text,
      update_cycle text,
      security_grade text,
      method_type text,
      tags text[] NOT NULL DEFAULT '{}',
      published_at timestamptz,
      updated_at timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX entry_search_grams ON catalog.entry_search USING gin (grams)`);
    await q.query(`CREATE INDEX entry_search_status ON catalog.entry_search (status, dept_id)`);
    await q.query(`CREATE INDEX entry_search_published ON catalog.entry_search (published_at DESC) WHERE status = 'published'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'entry_search',
      'deadline',
      'reference_exemption',
      'reference_item',
      'source_conflict',
      'data_element',
      'issued_resource_code',
      'resource_code_sequence',
      'entry_version',
      'catalog_entry',
      'topic_item',
      'data_domain',
      'information_system',
    ])
      await q.query(`DROP TABLE catalog.${table}`);
  }
}
