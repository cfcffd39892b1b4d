import { CatalogMetadata, DATA_DOMAINS, labelOf, normalizeSearchText, OPEN_TYPES, queryTerms, UPDATE_CYCLES } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OpenErrors } from '../open.errors';
import type { ColumnPlan } from './masking-plan';

export const CATALOG_SORTS = ['relevance', 'newest', 'downloads', 'rating'] as const;
export type CatalogSort = (typeof CATALOG_SORTS)[number];

export interface CatalogSearch {
  q?: string;
  domain?: string;
  dept?: string;
  format?: string;
  updateCycle?: string;
  openType?: string;
  sort?: CatalogSort;
  page?: number;
  pageSize?: number;
}

export interface FacetCount {
  value: string;
  label: string;
  count: number;
}

/** A row of openapi.open_dataset as the services read it. */
export interface OpenDatasetRow {
  entry_id: string;
  catalog_version: number;
  resource_code: string;
  name: string;
  abstract: string;
  dept_id: string;
  dept_name: string;
  domain_code: string | null;
  format_type: string | null;
  update_cycle: string | null;
  open_type: 'UNCONDITIONAL' | 'CONDITIONAL';
  open_condition: string | null;
  security_grade: string | null;
  tags: string[];
  metadata: CatalogMetadata;
  licence: string;
  published_at: Date;
  status: string;
  search_text: string;
  dataset_id: string | null;
  data_version: number | null;
  table_name: string | null;
  columns: ColumnPlan[] | null;
  row_count: string;
  quality_score: string | null;
  data_updated_at: Date | null;
  download_count: string;
  api_count: string;
  preview_count: string;
  rating_avg: string;
  rating_count: number;
  updated_at: Date;
  /** 'refused': the current version failed the k-anonymity check before opening (release_check says why). */
  release_state: 'released' | 'refused';
  release_check: { quasiIdentifiers: string[]; k: number | null; requiredK: number; rowsAtRisk: number; offending: string[] | null; enforced: boolean; version: number; checkedAt: string } | null;
  load_wanted: number;
  load_done: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function summaryOf(r: OpenDatasetRow) {
  return {
    id: r.entry_id,
    resourceCode: r.resource_code,
    name: r.name,
    abstract: r.abstract,
    department: { id: r.dept_id, name: r.dept_name },
    domain: r.domain_code ? { code: r.domain_code, label: labelOf(DATA_DOMAINS, r.domain_code) ?? r.domain_code } : null,
    format: r.format_type,
    updateCycle: r.update_cycle ? { code: r.update_cycle, label: labelOf(UPDATE_CYCLES, r.update_cycle) ?? r.update_cycle } : null,
    openType: { code: r.open_type, label: labelOf(OPEN_TYPES, r.open_type) },
    tags: r.tags,
    publishedAt: new Date(r.published_at).toISOString(),
    lastUpdated: r.data_updated_at ? new Date(r.data_updated_at).toISOString() : null,
    rows: Number(r.row_count),
    hasData: !!r.table_name && r.release_state !== 'refused',
    release: releaseOf(r),
    downloads: Number(r.download_count),
    apiCalls: Number(r.api_count),
    rating: { average: Number(r.rating_avg), count: r.rating_count },
  };
}

/** The dataset's release state as the public sees it: opened, withheld (k-anonymity) or being loaded. */
export function releaseOf(r: Pick<OpenDatasetRow, 'release_state' | 'release_check' | 'load_wanted' | 'load_done' | 'table_name'>) {
  if (r.release_state === 'refused' && r.release_check)
    return {
      state: 'refused' as const,
      label: '未予开放（重新识别风险）',
      reason: `准标识符组合 ${(r.release_check.offending ?? []).join(' + ')} 的最小分组为 ${r.release_check.k ?? 0}，低于 ${r.release_check.requiredK} / quasi-identifiers leave groups below k`,
      offending: r.release_check.offending ?? [],
      k: r.release_check.k,
      requiredK: r.release_check.requiredK,
    };
  if (r.load_wanted > r.load_done) return { state: 'loading' as const, label: r.table_name ? '新版本加载中' : '数据加载中' };
  const risk = r.release_check?.offending ? { offending: r.release_check.offending, k: r.release_check.k, requiredK: r.release_check.requiredK } : undefined;
  // 有条件开放 without enforcement: the risk is shown (to the reviewing provider and the applicant), not refused.
  return { state: r.table_name ? ('released' as const) : ('no_data' as const), label: r.table_name ? '已开放' : '暂无数据', ...(risk ? { reidentificationRisk: risk } : {}) };
}

/** The public catalog: search with facets and sorts over the read model, and the dataset page. */
@Injectable()
export class OpenCatalogService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Every records call needs its dataset's row: held for a second so a busy API does not spend a
   * database round trip per request on it (a new version or a retirement shows within that second;
   * counters on the row may lag, nothing that decides access does for longer).
   */
  private readonly cache = new Map<string, { row: OpenDatasetRow | null; until: number }>();

  /** An open dataset by its public id (the catalog entry id), or 404. */
  async get(id: string): Promise<OpenDatasetRow> {
    if (!UUID.test(id)) throw OpenErrors.datasetNotFound(id);
    const key = id.toLowerCase();
    const hit = this.cache.get(key);
    let row = hit && hit.until > Date.now() ? hit.row : undefined;
    if (row === undefined) {
      [row] = await this.db.query(`SELECT * FROM openapi.open_dataset WHERE entry_id = $1 AND status = 'open'`, [key]);
      row ??= null;
      if (this.cache.size > 5000) this.cache.clear();
      this.cache.set(key, { row, until: Date.now() + 1000 });
    }
    if (!row) throw OpenErrors.datasetNotFound(id);
    return row;
  }

  /** Fresh data for the dataset page and after a change made on this replica. */
  forget(id: string): void {
    this.cache.delete(id.toLowerCase());
  }

  async search(s: CatalogSearch) {
    const rows: OpenDatasetRow[] = await this.db.query(
      `SELECT entry_id, catalog_version, resource_code, name, abstract, dept_id, dept_name, domain_code, format_type, update_cycle, open_type, tags, published_at,
              search_text, table_name, row_count, data_updated_at, download_count, api_count, rating_avg, rating_count, release_state, release_check, load_wanted, load_done
       FROM openapi.open_dataset WHERE status = 'open'`,
    );
    const terms = queryTerms(s.q);
    const scored = rows
      .map((r) => ({ r, score: terms.length ? relevance(r, terms) : 0 }))
      .filter((x) => !terms.length || x.score > 0);
    const facetFilters: [keyof CatalogSearch, (r: OpenDatasetRow) => string | null][] = [
      ['domain', (r) => r.domain_code],
      ['dept', (r) => r.dept_id],
      ['format', (r) => r.format_type],
      ['updateCycle', (r) => r.update_cycle],
      ['openType', (r) => r.open_type],
    ];
    const matches = (r: OpenDatasetRow, except?: string) => facetFilters.every(([k, get]) => k === except || s[k] === undefined || get(r) === s[k]);
    // Each facet counts over the other filters, so choosing a value does not hide its siblings.
    const facet = (key: keyof CatalogSearch, get: (r: OpenDatasetRow) => string | null, label: (v: string, r: OpenDatasetRow) => string): FacetCount[] => {
      const counts = new Map<string, FacetCount>();
      for (const { r } of scored) {
        if (!matches(r, key)) continue;
        const v = get(r);
        if (v === null) continue;
        const f = counts.get(v) ?? { value: v, label: label(v, r), count: 0 };
        f.count++;
        counts.set(v, f);
      }
      return [...counts.values()].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    };
    const facets = {
      domain: facet('domain', (r) => r.domain_code, (v) => labelOf(DATA_DOMAINS, v) ?? v),
      dept: facet('dept', (r) => r.dept_id, (_v, r) => r.dept_name),
      format: facet('format', (r) => r.format_type, (v) => v),
      updateCycle: facet('updateCycle', (r) => r.update_cycle, (v) => labelOf(UPDATE_CYCLES, v) ?? v),
      openType: facet('openType', (r) => r.open_type, (v) => labelOf(OPEN_TYPES, v) ?? v),
    };
    const hits = scored.filter(({ r }) => matches(r));
    const sort = s.sort ?? (terms.length ? 'relevance' : 'newest');
    const newest = (a: OpenDatasetRow, b: OpenDatasetRow) => new Date(b.published_at).getTime() - new Date(a.published_at).getTime();
    hits.sort((a, b) => {
      if (sort === 'relevance') return b.score - a.score || newest(a.r, b.r);
      if (sort === 'downloads') return Number(b.r.download_count) + Number(b.r.api_count) - (Number(a.r.download_count) + Number(a.r.api_count)) || newest(a.r, b.r);
      if (sort === 'rating') return Number(b.r.rating_avg) - Number(a.r.rating_avg) || b.r.rating_count - a.r.rating_count || newest(a.r, b.r);
      return newest(a.r, b.r);
    });
    const page = s.page ?? 1;
    const pageSize = s.pageSize ?? 20;
    return { total: hits.length, page, pageSize, sort, items: hits.slice((page - 1) * pageSize, page * pageSize).map(({ r }) => summaryOf(r)), facets };
  }
}

/** Every term must match; a match in the name weighs more than one in the description or items. */
function relevance(r: OpenDatasetRow, terms: { text: string; grams: string[] }[]): number {
  const name = normalizeSearchText(r.name);
  const grams = new Set(r.search_text.split(' '));
  const all = normalizeSearchText(`${r.name} ${r.abstract} ${r.dept_name} ${(r.tags ?? []).join(' ')}`);
  let score = 0;
  for (const t of terms) {
    const inName = name.includes(t.text);
    const inGrams = t.grams.every((g) => grams.has(g));
    if (!inName && !inGrams) return 0;
    score += inName ? 3 : all.includes(t.text) ? 2 : 1;
  }
  return score;
}
