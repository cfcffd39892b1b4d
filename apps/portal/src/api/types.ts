/** Response shapes of the platform's APIs, as the portal reads them (see /api/docs). */
import type { CatalogMetadata } from '@standard/catalog-metadata';

export type { CatalogMetadata, DataItem } from '@standard/catalog-metadata';

export type Role = 'dept_operator' | 'dept_reviewer' | 'data_admin' | 'auditor' | 'security_officer';

export interface StaffUser {
  userId: string;
  username: string;
  displayName: string;
  deptId: string;
  deptName: string;
  roles: Role[];
}

export interface Session {
  accessToken: string;
  expiresAt: number;
  user: StaffUser;
}

export interface ComplianceFinding {
  field: string;
  code: string;
  severity: 'error' | 'warning';
  zh: string;
  en: string;
  detail?: Record<string, unknown>;
}

export type EntryStatus = 'draft' | 'submitted' | 'returned' | 'published' | 'retired';

export interface ReviewComments {
  summary?: string;
  fields: Record<string, string>;
}

export interface EntryVersionView {
  version: number;
  state: 'draft' | 'submitted' | 'returned' | 'approved' | 'superseded';
  metadata: CatalogMetadata;
  findings: ComplianceFinding[];
  reviewComments: ReviewComments | null;
  changeReason: string | null;
  createdAt: string;
  submittedAt: string | null;
  reviewedAt: string | null;
}

export interface EntryView {
  id: string;
  deptId: string;
  deptName: string;
  status: EntryStatus;
  changeStatus: 'draft' | 'submitted' | 'returned' | null;
  resourceCode: string | null;
  publishedVersion: number | null;
  latestVersion: number;
  publishedAt: string | null;
  retiredReason: string | null;
  working: EntryVersionView;
  published: EntryVersionView | null;
}

export interface FacetBucket {
  value: string;
  label: string;
  count: number;
}

export interface SearchHit {
  entryId: string;
  resourceCode: string | null;
  name: string;
  abstract: string;
  deptId: string;
  deptName: string;
  status: EntryStatus;
  version: number;
  domainCode: string | null;
  shareType: string | null;
  openType: string | null;
  formatClass: string | null;
  updateCycle: string | null;
  securityGrade: string | null;
  matchedItems: string[];
  publishedAt: string | null;
}

export interface SearchResult {
  total: number;
  page: number;
  pageSize: number;
  hits: SearchHit[];
  facets: Record<string, FacetBucket[]>;
}

export interface ImportPreviewRow {
  row: number;
  name: string;
  action: 'create' | 'change' | 'unchanged';
  resourceCode?: string;
  warnings: ComplianceFinding[];
}

export interface ImportResult {
  dryRun: boolean;
  deptId: string;
  rows: number;
  created: string[];
  changed: string[];
  preview: ImportPreviewRow[];
}

export interface CountBucket {
  key: string;
  label: string;
  count: number;
}

export interface CatalogStatistics {
  published: number;
  openCount: number;
  byDepartment: (CountBucket & { open: number; overdue: number })[];
  byDomain: CountBucket[];
  byClass: CountBucket[];
  byShareType: CountBucket[];
  byOpenType: CountBucket[];
  openRate: number;
  interfaceShare: number;
  overdue: number;
  pendingReview: number;
  goals: {
    target: { openDatasets: number; openRate: number; interfaceShare: number };
    progress: { openDatasets: number; openRate: number; interfaceShare: number };
  };
}

export interface SourceConflict {
  id: string;
  kind: string;
  entryId: string | null;
  deptId: string;
  otherEntryId: string | null;
  otherDeptId: string | null;
  elementCode: string | null;
  score: number | null;
  detail: Record<string, unknown> | null;
  status: string;
  resolution?: unknown;
  createdAt?: string;
}

export interface InfoSystem {
  id: string;
  deptId: string;
  name: string;
  description: string | null;
}

export interface Domain {
  code: string;
  label: string;
}

export interface Department {
  id: string;
  name: string;
  code: string;
}

export interface Deadline {
  id: string;
  kind: string;
  kindLabel: string;
  deptId: string;
  subjectType: 'system' | 'entry';
  subjectId: string;
  reason: string | null;
  startedOn: string;
  limitWorkingDays: number;
  dueOn: string;
  status: 'open' | 'met' | 'overdue';
  remainingWorkingDays: number | null;
}

export interface DatasetItem {
  name: string;
  dataType?: string;
  length?: number | null;
  personal?: boolean;
}

export interface DatasetView {
  id: string;
  entryId: string;
  deptId: string;
  resourceCode: string;
  name: string;
  catalogVersion: number;
  items: DatasetItem[];
  formatClass: string;
  updateCycle: string;
  retired: boolean;
  currentVersion: number | null;
  lastVersionAt: string | null;
  overdueSince: string | null;
  settings: { keys?: string[]; maxRejectShare?: number; required?: string[] };
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobView {
  id: string;
  datasetId: string;
  kind: string;
  state: JobState;
  version: number | null;
  rowsRead: number;
  rowsRejected: number;
  bytesRead: number;
  bytesTotal: number | null;
  percent: number | null;
  error: { zh: string; en: string; code: string } | null;
  source: { fileName?: string; sha256?: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface UploadSession {
  id: string;
  datasetId: string;
  fileName: string;
  size: number;
  offset: number;
  status: 'open' | 'complete' | string;
  jobId: string | null;
}

export interface VersionView {
  datasetId: string;
  version: number;
  status: string;
  rowCount: number;
  rejectedCount: number;
  source: { kind: string; fileName?: string; size?: number; encoding?: string };
  jobId: string | null;
  quality: QualityReport | null;
  rejectObject: string | null;
  error: { zh: string; en: string; code: string } | null;
  createdAt: string;
  completedAt: string | null;
}

export interface QualityReport {
  [k: string]: unknown;
}
