import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `?page=&pageSize=` as /api/catalog/entries takes them: page ≥ 1, pageSize 1–100 (anything else is a 400). */
export class PageQuery {
  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: 10_000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(10_000) page?: number;
  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) pageSize?: number;
}

/** One page of a list and the size of the whole list. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}

/**
 * One page of `SELECT <select> <from>`: the count and the rows in two statements. `orderBy` must end
 * with a unique column (the id) so that pages never overlap or skip a row.
 */
export async function pageOf<T>(
  db: Queryable,
  sql: { select: string; from: string; orderBy: string },
  params: unknown[],
  q: PageQuery,
  map: (row: any) => T,
  defaultPageSize = 20,
): Promise<Page<T>> {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? defaultPageSize;
  const n = params.length;
  const [[{ total }], rows] = await Promise.all([
    db.query(`SELECT count(*)::int AS total ${sql.from}`, params),
    db.query(`SELECT ${sql.select} ${sql.from} ORDER BY ${sql.orderBy} LIMIT $${n + 1} OFFSET $${n + 2}`, [...params, pageSize, (page - 1) * pageSize]),
  ]);
  return { items: rows.map(map), total, page, pageSize };
}
