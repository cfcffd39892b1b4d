import { DataSource } from 'typeorm';
import { quoteIdent } from './version-table';

/** 版本比对: rows added, removed and changed between two version tables, matched by key. */
export interface VersionComparison {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
}

interface VersionTable {
  tableName: string;
  columns: readonly { name: string }[];
}

/** Null when the two versions do not have the same columns (a catalog change): only counts compare then. */
export async function compareVersionTables(db: DataSource, older: VersionTable, newer: VersionTable, keys: readonly string[]): Promise<VersionComparison | null> {
  const shared = newer.columns.filter((c) => older.columns.some((o) => o.name === c.name));
  if (keys.length === 0 || shared.length !== newer.columns.length || !keys.every((k) => shared.some((c) => c.name === k))) return null;
  // Key items are required, so never null: plain equality keeps the join hashable.
  const on = keys.map((k) => `o.${quoteIdent(k)} = n.${quoteIdent(k)}`).join(' AND ');
  const rowOf = (alias: string) => `(${shared.map((c) => `${alias}.${quoteIdent(c.name)}`).join(', ')})`;
  const [r] = await db.query(
    `SELECT count(*) FILTER (WHERE o._row IS NULL) AS added, count(*) FILTER (WHERE n._row IS NULL) AS removed,
            count(*) FILTER (WHERE o._row IS NOT NULL AND n._row IS NOT NULL AND ${rowOf('o')} IS DISTINCT FROM ${rowOf('n')}) AS changed,
            count(*) FILTER (WHERE o._row IS NOT NULL AND n._row IS NOT NULL AND ${rowOf('o')} IS NOT DISTINCT FROM ${rowOf('n')}) AS unchanged
     FROM ingest.${quoteIdent(older.tableName)} o FULL JOIN ingest.${quoteIdent(newer.tableName)} n ON ${on}`,
  );
  return { added: Number(r.added), removed: Number(r.removed), changed: Number(r.changed), unchanged: Number(r.unchanged) };
}
