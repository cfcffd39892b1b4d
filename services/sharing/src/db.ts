import type { EntityManager } from 'typeorm';

/** Rows of an UPDATE/DELETE … RETURNING (TypeORM answers `[rows, count]` for those commands). */
export async function updateReturning<T = Record<string, any>>(m: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const res = await m.query(sql, params);
  return (Array.isArray(res) && Array.isArray(res[0]) ? res[0] : res) as T[];
}

/** A PostgreSQL `date` as 'YYYY-MM-DD' (node-pg parses it as local midnight, so read local fields). */
export function dateText(v: unknown): string {
  if (v instanceof Date) return `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
  return String(v).slice(0, 10);
}

export const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : String(v));
