/**
 * DDL of the outbox, inbox and dead-letter tables every service keeps in its own schema. Used by
 * each service's first migration, so the tables are versioned with the service.
 */
export function messagingTablesUp(schema: string): string[] {
  return [
    `CREATE TABLE ${schema}.outbox (
       seq bigserial PRIMARY KEY,
       event_id uuid NOT NULL UNIQUE,
       event_name text NOT NULL,
       event_key text NOT NULL,
       envelope jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       published_at timestamptz)`,
    `CREATE INDEX outbox_unpublished ON ${schema}.outbox (seq) WHERE published_at IS NULL`,
    `CREATE TABLE ${schema}.inbox (
       group_id text NOT NULL,
       event_id uuid NOT NULL,
       event_name text NOT NULL,
       processed_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (group_id, event_id))`,
    `CREATE TABLE ${schema}.dead_letter (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       group_id text NOT NULL,
       event_id text,
       event_name text,
       topic text NOT NULL,
       record_value text NOT NULL,
       error text NOT NULL,
       attempts int NOT NULL,
       failed_at timestamptz NOT NULL DEFAULT now(),
       replayed_at timestamptz,
       replay_error text)`,
  ];
}

export function messagingTablesDown(schema: string): string[] {
  return [`DROP TABLE ${schema}.dead_letter`, `DROP TABLE ${schema}.inbox`, `DROP TABLE ${schema}.outbox`];
}
