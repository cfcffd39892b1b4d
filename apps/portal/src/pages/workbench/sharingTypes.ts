/** Shapes of the sharing service's grants, credentials, deliveries, feedback and needs (/api/sharing). */
export interface Grant {
  id: string;
  /** The entry's name (list answers only: joined on the server). */
  entryName?: string | null;
  requestId: string | null;
  consumerDeptId: string;
  providerDeptId: string;
  systemName: string;
  entryId: string;
  items: string[];
  rowFilter: unknown;
  catalogCondition: string | null;
  validFrom: string;
  validTo: string;
  rateLimitPerMinute: number | null;
  quotaRows: number | null;
  rowsDelivered: number;
  deliveryMethod: 'interface' | 'download' | 'push' | 'handover';
  status: 'active' | 'suspended' | 'revoked' | 'expired';
  statusReason: string | null;
  createdAt: string;
}

export interface GrantCredential {
  id: string;
  keyPrefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface IssuedCredential {
  id: string;
  key: string;
  keyPrefix: string;
  grantId: string;
}

/** The answer of 轮换: the new key (shown once) and when the replaced one stops working. */
export interface RotatedCredential extends IssuedCredential {
  replaced: { id: string; keyPrefix: string; revokedAt: string };
}

export interface PushTarget {
  id: string;
  kind: 'postgres' | 'mysql';
  table: string;
  lastVersion: number | null;
  lastStatus: string | null;
  lastError: string | null;
  lastRows: number | null;
  updatedAt: string | null;
}

/** 校核纠错 on shared data: 待处理 → 已受理 → 已更正 / 已答复 → 已确认 */
export interface ShareFeedback {
  id: string;
  /** The entry's name (list answers only: joined on the server). */
  entryName?: string | null;
  grantId: string;
  entryId: string;
  reporterDeptId: string;
  providerDeptId: string;
  kind: 'wrong_value' | 'missing_rows' | 'stale' | 'other';
  rowRef: string | null;
  column: string | null;
  description: string;
  status: 'open' | 'acknowledged' | 'fixed' | 'answered' | 'confirmed';
  dueDate: string;
  answer: string | null;
  fixedVersion: number | null;
  history: { at: string; status: string; note: string }[];
  createdAt: string;
}

export interface DataNeed {
  id: string;
  /** The name of the entry cataloged in answer (list answers only). */
  answerEntryName?: string | null;
  deptId: string;
  title: string;
  description: string;
  items: string[];
  status: 'open' | 'assigned' | 'answered';
  suggestions: { entryId: string; entryName: string; deptId: string; deptName: string; score: number }[];
  assignedDeptId: string | null;
  answer: string | null;
  answerEntryId: string | null;
  createdAt: string;
}

export const GRANT_STATUS = {
  active: { label: '有效', color: 'success' },
  suspended: { label: '已暂停', color: 'warning' },
  revoked: { label: '已撤销', color: 'error' },
  expired: { label: '已到期', color: 'default' },
} as const;

export const DELIVERY_LABEL: Record<string, string> = { interface: '接口调用', download: '文件下载', push: '数据库推送', handover: '离线交换' };

export const FEEDBACK_KINDS = [
  { value: 'wrong_value', label: '数据错误' },
  { value: 'missing_rows', label: '数据缺失' },
  { value: 'stale', label: '数据过期' },
  { value: 'other', label: '其他' },
];

export const FEEDBACK_STATUS = {
  open: { label: '待处理', color: 'processing' },
  acknowledged: { label: '已受理', color: 'blue' },
  fixed: { label: '已更正', color: 'success' },
  answered: { label: '已答复', color: 'cyan' },
  confirmed: { label: '已确认', color: 'default' },
} as const;
