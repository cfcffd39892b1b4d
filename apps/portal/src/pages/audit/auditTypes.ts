/** Shapes of the audit service's traces, chain and log (/api/audit). */
export interface Trace {
  seq: number;
  eventId: string;
  eventName: string;
  producer: string;
  occurredAt: string;
  correlationId: string | null;
  actor: { id?: string; name?: string; deptId?: string; type?: string; ip?: string } | null;
  object: { type: string; id: string } | null;
  refs: Record<string, string | number | null> | null;
  outcome: 'allowed' | 'denied' | null;
  rowCount: number | null;
  fields: string[] | null;
  personalData: boolean | null;
  payload: Record<string, unknown> | null;
  leafHash?: string;
}

export interface TracePage {
  items: Trace[];
  nextCursor?: number | null;
}

export interface DatasetChain {
  datasetId: string;
  entryId: string | null;
  catalogVersions: Trace[];
  ingestVersions: Trace[];
  grants: Trace[];
  /** The first page of the reads (oldest first); the next from /chain/reads. */
  reads: { items: Trace[]; total: number; page: number; pageSize: number };
  summary: { catalogVersions: number; ingestVersions: number; grants: number; reads: number; refused: number };
}

export interface SignedTreeHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  signature: string;
}

export interface Verification {
  ok: boolean;
  recordsChecked: number;
  treeHeadsChecked: number;
  treeSize: number;
  rootHash: string;
  firstBadSeq: number | null;
  problems: { kind: string; seq?: number; treeSize?: number; message: { zh: string; en: string } }[];
  segmentsChecked: number;
  liveFrom: number;
  latestStoredHead: SignedTreeHead | null;
}

/** Chinese names of every platform event (a test holds them against the event catalog). */
export const EVENT_LABEL: Record<string, string> = {
  'org.department.registered': '部门登记',
  'org.user.created': '账号创建',
  'catalog.entry.drafted': '目录编制',
  'catalog.entry.submitted': '目录提交审核',
  'catalog.entry.returned': '目录退回',
  'catalog.entry.published': '目录发布',
  'catalog.entry.retired': '目录下线',
  'catalog.deadline.overdue': '编目逾期',
  'catalog.conflict.changed': '一数一源冲突',
  'ingest.dataset.created': '数据集建立',
  'ingest.version.published': '数据版本发布',
  'ingest.version.failed': '数据版本失败',
  'ingest.quality.reported': '质量报告',
  'ingest.dataset.overdue': '数据更新逾期',
  'ingest.data.read': '工作人员读取数据',
  'ingest.sensitive.changed': '敏感数据发现',
  'ingest.rectification.changed': '整改任务',
  'sharing.request.submitted': '共享申请提交',
  'sharing.request.decided': '共享申请答复',
  'sharing.request.withdrawn': '共享申请撤回',
  'sharing.request.escalated': '共享申请督办',
  'sharing.grant.created': '授权生成',
  'sharing.grant.suspended': '授权暂停',
  'sharing.grant.resumed': '授权恢复',
  'sharing.grant.revoked': '授权撤销',
  'sharing.grant.renewed': '授权续期',
  'sharing.grant.expired': '授权到期',
  'sharing.credential.changed': '授权凭证变更',
  'sharing.feedback.changed': '共享数据纠错',
  'sharing.need.changed': '供需对接',
  'sharing.subscription.changed': '数据回流订阅',
  'sharing.data.accessed': '共享数据访问',
  'open.developer.registered': '开发者注册',
  'open.app.changed': '开发者应用或密钥变更',
  'open.application.changed': '有条件开放申请',
  'open.blacklist.changed': '黑名单变更',
  'open.feedback.changed': '开放互动反馈',
  'open.large-volume.changed': '大规模利用登记',
  'open.quota.warned': '调用额度预警',
  'open.data.accessed': '开放数据访问',
  'security.sandbox.job': '沙箱作业',
  'security.aggregation.refused': '聚合风险拒绝',
  'security.operator.changed': '授权运营主体变更',
};

export const eventLabel = (name: string) => EVENT_LABEL[name] ?? name;

export function actorLabel(r: Trace): string {
  if (r.actor?.name) return r.actor.name;
  const app = r.refs?.appId;
  if (app || r.actor?.type === 'app') return `应用 ${String(app ?? r.actor?.id ?? '').slice(0, 8)}`;
  if (r.actor?.type === 'anonymous' || r.actor?.ip) return `匿名访问${r.actor?.ip ? ` · ${r.actor.ip}` : ''}`;
  // Without an actor, a data access came from the public; anything else was the platform itself.
  return r.actor || !/\.(accessed|read)$/.test(r.eventName) ? '系统' : '公众（未登录）';
}
