import { DepartmentScope, queryTerms } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SearchEntriesQuery, SearchHit, SearchResult } from './dto/search.dto';
import { emptyFacets, FACET_NAMES, FACETS, facetLabel, sortBuckets, sortOf, unknownDomain } from './search-facets';

const ORDER: Record<string, string> = {
  relevance: 'score DESC, published_at DESC NULLS LAST, entry_id',
  published: 'published_at DESC NULLS LAST, entry_id',
  updated: 'updated_at DESC, entry_id',
  name: 'name, entry_id',
};

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Catalog search in SQL over `catalog.entry_search` (GIN index on `grams`). SearchService answers
 * from the in-memory index (search-index.ts) and falls back to this while the index is loading;
 * the index's tests use this as the oracle. Staff see every published (and retired) entry,
 * because the catalog is how departments find data to request; drafts and entries under review
 * are visible to their own department and to the data bureau only.
 */
@Injectable()
export class SqlSearch {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async search(scope: DepartmentScope, query: SearchEntriesQuery): Promise<SearchResult> {
    if (query.domain && (await this.db.query(`SELECT 1 FROM catalog.data_domain WHERE code = $1`, [query.domain])).length === 0) throw unknownDomain(query.domain);
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where: string[] = [];

    const status = query.status ?? 'published';
    where.push(`status = ${p(status)}`);
    if (status !== 'published' && status !== 'retired' && !scope.all) where.push(`dept_id = ANY(${p(scope.deptIds)}::uuid[])`);

    const terms = queryTerms(query.q);
    const scoreParts: string[] = [];
    const likes: string[] = [];
    for (const term of terms) {
      const like = p(`%${likeEscape(term.text)}%`);
      likes.push(like);
      where.push(`grams @> ${p(term.grams)}::text[]`, `haystack LIKE ${like}`);
      scoreParts.push(
        `(CASE WHEN lower(name) LIKE ${like} THEN 10 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM unnest(item_names) n WHERE lower(n) LIKE ${like}) THEN 4 ELSE 0 END + CASE WHEN lower(abstract) LIKE ${like} THEN 2 ELSE 0 END + CASE WHEN lower(dept_name) LIKE ${like} THEN 3 ELSE 0 END)`,
      );
    }
    const filters: [string | undefined, string][] = [
      [query.domain, 'domain_code'],
      [query.deptId, 'dept_id::text'],
      [query.classCode, 'class_code'],
      [query.shareType, 'share_type'],
      [query.openType, 'open_type'],
      [query.format, 'format_class'],
      [query.updateCycle, 'update_cycle'],
      [query.grade, 'security_grade'],
    ];
    for (const [value, column] of filters) if (value) where.push(`${column} = ${p(value)}`);

    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const score = scoreParts.length > 0 ? scoreParts.join(' + ') : '0';
    const sort = sortOf(query, terms.length);
    const filtered = `SELECT * FROM catalog.entry_search WHERE ${where.join(' AND ')}`;
    const itemMatch = likes.length > 0 ? `ARRAY(SELECT n FROM unnest(item_names) n WHERE ${likes.map((like) => `lower(n) LIKE ${like}`).join(' OR ')})` : `'{}'::text[]`;

    const [hits, facetRows] = await Promise.all([
      this.db.query(
        `WITH f AS (${filtered})
         SELECT entry_id, resource_code, name, abstract, dept_id, dept_name, status, version, domain_code, share_type, open_type,
                format_class, update_cycle, security_grade, published_at, ${itemMatch} AS matched_items, ${score} AS score,
                count(*) OVER () AS total
         FROM f ORDER BY ${ORDER[sort]} LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
        params,
      ),
      this.db.query(
        `WITH f AS (${filtered})
         SELECT ${Object.values(FACETS).map((c) => `${c}::text AS ${c}`).join(', ')}, min(dept_name) AS dept_name, count(*)::int AS n
         FROM f GROUP BY GROUPING SETS (${Object.values(FACETS).map((c) => `(${c})`).join(', ')})`,
        params,
      ),
    ]);
    const total = hits.length > 0 ? Number(hits[0].total) : await this.count(filtered, params, page);
    return { total, page, pageSize, hits: hits.map(toHit), facets: await this.facets(facetRows) };
  }

  private async count(filtered: string, params: unknown[], page: number): Promise<number> {
    if (page === 1) return 0;
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM (${filtered}) f`, params);
    return n;
  }

  private async facets(rows: Record<string, string | number | null>[]) {
    const domainLabels = new Map<string, string>((await this.db.query(`SELECT code, label FROM catalog.data_domain`)).map((r: { code: string; label: string }) => [r.code, r.label]));
    const out = emptyFacets();
    for (const row of rows)
      for (const facet of FACET_NAMES) {
        const value = row[FACETS[facet]];
        if (value != null) out[facet].push({ value: String(value), label: facetLabel(facet, String(value), row.dept_name as string | null, domainLabels), count: Number(row.n) });
      }
    return sortBuckets(out);
  }
}

function toHit(r: Record<string, any>): SearchHit {
  return {
    entryId: r.entry_id,
    resourceCode: r.resource_code,
    name: r.name,
    abstract: r.abstract,
    deptId: r.dept_id,
    deptName: r.dept_name,
    status: r.status,
    version: r.version,
    domainCode: r.domain_code,
    shareType: r.share_type,
    openType: r.open_type,
    formatClass: r.format_class,
    updateCycle: r.update_cycle,
    securityGrade: r.security_grade,
    matchedItems: r.matched_items ?? [],
    publishedAt: r.published_at ? new Date(r.published_at).toISOString() : null,
  };
}
