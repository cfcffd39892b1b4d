import { CommonErrors, FORMAT_CLASSES, OPEN_TYPES, RESOURCE_CLASSES, SECURITY_GRADES, SHARE_TYPES, UPDATE_CYCLES, labelOf } from '@gov/shared';
import { FacetBucket, SearchEntriesQuery, SearchSort } from './dto/search.dto';

/**
 * What the SQL search and the in-memory index share: facet names, filter columns, default sort,
 * labels and bucket order. Both build their results from these so they cannot drift apart.
 */

/** Facet name → column of entry_search. */
export const FACETS = {
  domain: 'domain_code',
  dept: 'dept_id',
  classCode: 'class_code',
  shareType: 'share_type',
  openType: 'open_type',
  format: 'format_class',
  updateCycle: 'update_cycle',
  grade: 'security_grade',
} as const;
export type FacetName = keyof typeof FACETS;
export const FACET_NAMES = Object.keys(FACETS) as FacetName[];

/** Query parameter → facet it filters on (equality). */
export const FILTERS: readonly [keyof SearchEntriesQuery, FacetName][] = [
  ['domain', 'domain'],
  ['deptId', 'dept'],
  ['classCode', 'classCode'],
  ['shareType', 'shareType'],
  ['openType', 'openType'],
  ['format', 'format'],
  ['updateCycle', 'updateCycle'],
  ['grade', 'grade'],
];

export const sortOf = (query: SearchEntriesQuery, termCount: number): SearchSort => query.sort ?? (termCount > 0 ? 'relevance' : 'published');

/** Domains are configurable, so the DTO cannot list them: an unknown one is a typo, not an empty result. */
export function unknownDomain(domain: string) {
  return CommonErrors.validation([{ field: 'domain', zh: `数据领域"${domain}"未配置`, en: `Unknown domain: ${domain}` }]);
}

/** The label of a facet value; `deptName` is the department's name in the result (min(dept_name) in SQL). */
export function facetLabel(facet: FacetName, value: string, deptName: string | null, domainLabels: ReadonlyMap<string, string>): string {
  switch (facet) {
    case 'domain':
      return domainLabels.get(value) ?? value;
    case 'dept':
      return String(deptName);
    case 'classCode':
      return labelOf(RESOURCE_CLASSES, value) ?? value;
    case 'shareType':
      return labelOf(SHARE_TYPES, value) ?? value;
    case 'openType':
      return labelOf(OPEN_TYPES, value) ?? value;
    case 'format':
      return labelOf(FORMAT_CLASSES, value) ?? value;
    case 'updateCycle':
      return labelOf(UPDATE_CYCLES, value) ?? value;
    case 'grade':
      return labelOf(SECURITY_GRADES, value) ?? value;
  }
}

export const emptyFacets = (): Record<FacetName, FacetBucket[]> => Object.fromEntries(FACET_NAMES.map((k) => [k, [] as FacetBucket[]])) as Record<FacetName, FacetBucket[]>;

/** Count descending, then value. */
export function sortBuckets(facets: Record<string, FacetBucket[]>): Record<string, FacetBucket[]> {
  for (const buckets of Object.values(facets)) buckets.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  return facets;
}
