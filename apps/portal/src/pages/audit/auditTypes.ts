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

/** Chinese names of the events an auditor meets most (others are shown by their code). */
export const EVENT_LABEL: Record<string, string> = {
  'catalog.entry.created': '目录创建',
  'catalog.entry.submitted': '目录提交审核',
  'catalog.entry.returned': '目录退回',
  'catalog.entry.published': '目录发布',
  'catalog.entry.retired': '目录下线',
  'ingest.dataset.created': '数据集建立',
  'ingest.version.published': '数据版本发布',
  'ingest.version.failed': '数据版本失败',
  'ingest.data.read': '工作人员读取数据',
  'sharing.request.submitted': '共享申请提交',
  'sharing.request.decided': '共享申请答复',
  'sharing.request.escalated': '共享申请督办',
  'sharing.grant.created': '授权生成',
  'sharing.grant.changed': '授权变更',
  'sharing.data.accessed': '共享数据访问',
  'open.data.accessed': '开放数据访问',
  'open.application.changed': '有条件开放申请',
  'open.feedback.changed': '开放互动反馈',
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
