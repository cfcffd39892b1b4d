/**
 * 数据安全官 console: the shapes of the lists it reads (ingest's sensitive findings, sharing's
 * officer view and operators, open-api's developer sandbox jobs) and where they live. Every list
 * pages on the server: `?page=&pageSize=` → `{ items, total, page, pageSize }`.
 */
import type { Role } from './types';

export interface ListPage<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export const SECURITY_API = {
  findings: '/api/ingest/sensitive-findings',
  justify: (id: string) => `/api/ingest/sensitive-findings/${id}/justify`,
  decide: (id: string) => `/api/ingest/sensitive-findings/${id}/decide`,
  dataset: (id: string) => `/api/ingest/datasets/${id}`,
  datasetFindings: (id: string) => `/api/ingest/datasets/${id}/sensitive-findings`,
  rescan: (id: string) => `/api/ingest/datasets/${id}/sensitive-scan`,
  findingsExport: '/api/sharing/security/findings',
  sandboxRefusals: '/api/sharing/security/sandbox-refusals',
  aggregationRefusals: '/api/sharing/security/aggregation-refusals',
  openSandboxJobs: '/api/open/v1/admin/sandbox/jobs',
  operators: '/api/sharing/operators',
  operatorUsage: (id: string) => `/api/sharing/operators/${id}/usage`,
} as const;

/** Who may use each part (mirrors the services' @Roles). */
export const SECURITY_READERS: Role[] = ['security_officer', 'data_admin', 'auditor'];
export const FINDINGS_READERS: Role[] = ['security_officer', 'data_admin', 'auditor', 'dept_operator', 'dept_reviewer'];
export const CAN_JUSTIFY: Role[] = ['dept_operator', 'dept_reviewer'];
export const CAN_DECIDE: Role[] = ['data_admin'];
export const CAN_RESCAN: Role[] = ['data_admin', 'security_officer'];

export type FindingStatus = 'covered' | 'blocking' | 'justified' | 'accepted';

export const FINDING_STATUS: Record<FindingStatus, { label: string; color: string }> = {
  blocking: { label: '阻止开放', color: 'error' },
  justified: { label: '待数据局决定', color: 'warning' },
  accepted: { label: '已接受说明', color: 'success' },
  covered: { label: '已标注个人信息', color: 'default' },
};

export interface SensitiveFinding {
  id: string;
  datasetId: string;
  datasetName?: string;
  entryId?: string;
  deptId?: string;
  version: number;
  column: string;
  kind: string;
  kindLabel: string;
  matches: number;
  scanned: number;
  share: number;
  embedded: boolean;
  examples: string[];
  status: FindingStatus;
  blocking: boolean;
  justification: string | null;
  decisionComment: string | null;
  createdAt: string;
}

export interface DatasetFindings {
  datasetId: string;
  version: number | null;
  blockedColumns: string[];
  findings: SensitiveFinding[];
}

export interface SandboxRefusal {
  id: string;
  createdAt: string;
  consumerDeptId: string;
  userId: string;
  operatorId: string | null;
  grantIds: string;
  status: 'refused' | 'failed';
  reasonCode: string | null;
  reason: string | null;
  sql: string;
}

export interface OpenSandboxJob {
  id: string;
  developerId: string;
  appId: string | null;
  deptId: string | null;
  entryId: string | null;
  sql: string;
  status: 'released' | 'refused' | 'failed';
  reasonCode: string | null;
  reason: string | null;
  resultRows: number;
  durationMs: number;
  createdAt: string;
}

export interface AggregationRefusal {
  id: string;
  createdAt: string;
  entryId: string;
  entryName: string | null;
  requestId: string | null;
  consumerDeptId: string | null;
  columns: string;
  offending: string;
  k: number;
  requiredK: number;
  rowsAtRisk: number;
}

export interface Operator {
  id: string;
  name: string;
  creditCode: string;
  deptId: string;
  contractFrom: string;
  contractTo: string;
  entryIds: string[];
  scenarios: string[];
  monthlyJobQuota: number | null;
  monthlyRowQuota: number | null;
  status: 'active' | 'suspended' | 'ended';
  createdAt: string;
}

export interface OperatorUsage {
  operatorId: string;
  name: string;
  month: string;
  sandboxJobs: { released: number; refused: number; failed: number };
  resultRows: number;
  sourceRows: number;
  monthlyJobQuota: number | null;
  monthlyRowQuota: number | null;
  grantRowsDelivered: number;
  grants: number;
}

export const JOB_STATUS: Record<string, { label: string; color: string }> = {
  refused: { label: '已拒绝', color: 'error' },
  failed: { label: '已终止', color: 'warning' },
  released: { label: '已放行', color: 'success' },
};

export const OPERATOR_STATUS: Record<Operator['status'], { label: string; color: string }> = {
  active: { label: '运营中', color: 'success' },
  suspended: { label: '已暂停', color: 'warning' },
  ended: { label: '已终止', color: 'default' },
};

/** 拒绝代码 in Chinese (the code itself is shown next to it). */
export const REFUSAL_CODES: Record<string, string> = {
  SANDBOX_DIFFERENCING: '差分攻击',
  SANDBOX_GROUP_TOO_SMALL: '分组过小',
  SANDBOX_ROW_LEVEL: '明细级输出',
  SANDBOX_SENSITIVE_OUTPUT: '敏感字段输出',
  SANDBOX_TIMEOUT: '超时终止',
  SANDBOX_TOO_MANY_ROWS: '结果过多',
  SANDBOX_READ_ONLY: '非只读语句',
  SANDBOX_FUNCTION_FORBIDDEN: '禁用函数',
  SANDBOX_TABLE_FORBIDDEN: '未授权的表',
  SANDBOX_SQL_UNSUPPORTED: '不支持的语法',
  SANDBOX_SQL_INVALID: 'SQL 无效',
  SANDBOX_PERMISSION_DENIED: '权限不足',
  OPERATOR_SCOPE_VIOLATION: '超出运营范围',
  OPERATOR_QUOTA_EXCEEDED: '超出运营配额',
  OPEN_SANDBOX_NOT_APPROVED: '未获沙箱批准',
};
