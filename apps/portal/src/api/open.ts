/** Shapes of the open-data service's public API (/api/open/v1), as the public portal reads them. */
import type { FacetBucket } from './types';

export interface CodeLabel {
  code: string;
  label: string;
}

export interface OpenDatasetSummary {
  id: string;
  resourceCode: string;
  name: string;
  abstract: string;
  department: { id: string; name: string };
  domain: CodeLabel | null;
  format: string | null;
  updateCycle: CodeLabel | null;
  openType: CodeLabel;
  tags: string[];
  publishedAt: string | null;
  lastUpdated: string | null;
  rows: number;
  hasData: boolean;
  downloads: number;
  apiCalls: number;
  rating: { average: number; count: number };
}

export interface OpenSearchResult {
  total: number;
  page: number;
  pageSize: number;
  sort: string;
  items: OpenDatasetSummary[];
  facets: Record<string, FacetBucket[]>;
}

export interface OpenDatasetPage extends OpenDatasetSummary {
  openCondition: string | null;
  securityGrade: string | null;
  qualityScore: number | null;
  licence: string | null;
  version: number | null;
  items: { name: string; dataType: string | null; description: string | null; personal: boolean; masked: boolean }[];
  preview: { fields: { name: string; masked?: boolean; type?: string }[]; rows: Record<string, unknown>[] };
  ratings: { count: number; average: number | null; usability: number | null; completeness: number | null; accuracy: number | null; timeliness: number | null };
  links: { records: string; openapi: string; downloads: { format: string; url: string }[]; apply: string | null };
}

export interface OpenStatistics {
  entriesPublished: number;
  entriesOpen: number;
  openRate: number;
  datasetsOpen: number;
  datasetsWithData: number;
  conditionalDatasets: number;
  rows: number;
  downloads: number;
  apiCalls: number;
  previews: number;
  interfaceShare: number;
  domainCoverage: { covered: number; total: number; rate: number; domains: { code: string; label: string; datasets: number }[] };
  topDatasets: { id: string; name: string; department: string; downloads: number; apiCalls: number }[];
  departments: { id: string; name: string; published: number; open: number; openRate: number; downloads: number; apiCalls: number }[];
}

export interface CodeSamples {
  curl: string;
  javascript: string;
  python: string;
  download: string;
}
