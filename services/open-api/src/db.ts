import type { EntityManager } from 'typeorm';

/**
 * Rows of an UPDATE or DELETE … RETURNING: TypeORM's postgres driver answers those with
 * [rows, affectedCount] but a SELECT or INSERT with the rows alone.
 */
export async function returning<T = any>(m: Pick<EntityManager, 'query'>, sql: string, params: unknown[]): Promise<T[]> {
  const res = await m.query(sql, params);
  return Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number' ? res[0] : res;
}
