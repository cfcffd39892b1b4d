import { DataAccessV1 } from './access.events';
import { CatalogDeadlineOverdueV1, CatalogEntryPublishedV1, CatalogEntryTransitionV1, CatalogSourceConflictV1 } from './catalog.events';
import { DatasetCreatedV1, DatasetOverdueV1, DatasetRowsReadV1, DatasetVersionFailedV1, DatasetVersionPublishedV1, QualityReportedV1, RectificationChangedV1, SensitiveFindingsChangedV1 } from './ingest.events';
import { OpenAppChangedV1, OpenApplicationChangedV1, OpenBlacklistChangedV1, OpenDeveloperRegisteredV1, OpenFeedbackChangedV1, OpenLargeVolumeChangedV1, OpenQuotaWarnedV1 } from './open.events';
import { DepartmentRegisteredV1, StaffUserCreatedV1 } from './org.events';
import { AggregationRiskRefusedV1, OperatorChangedV1, SandboxJobRecordedV1 } from './security.events';
import { DataNeedChangedV1, GrantChangedV1, GrantCredentialChangedV1, ReturnSubscriptionChangedV1, ShareFeedbackChangedV1, ShareRequestChangedV1 } from './sharing.events';
import type { ServiceName } from './services';

/**
 * DO NOT CHANGE an existing name or version: consumers and the audit log depend on them.
 * A new payload shape is a new version next to the old one, with a migration plan.
 */
export interface EventContract<P extends object> {
  version: number;
  payload: new () => P;
  /** Partition key: events with the same key are delivered in order. */
  key: (payload: P) => string;
  /** The service that emits it, or several when each runs the same check on its own data. */
  producer: ServiceName | readonly ServiceName[];
  consumers: readonly ServiceName[];
  description: string;
}

const contract = <P extends object>(c: EventContract<P>) => c;

/** Every event on the platform, who emits it and who consumes it. */
export const EVENT_CATALOG = {
  'org.department.registered': contract({
    version: 1,
    payload: DepartmentRegisteredV1,
    key: (p) => p.deptId,
    producer: 'catalog',
    consumers: ['sharing', 'open-api', 'audit'],
    description: '部门登记或变更 / a department was registered or changed',
  }),
  'org.user.created': contract({
    version: 1,
    payload: StaffUserCreatedV1,
    key: (p) => p.userId,
    producer: 'catalog',
    consumers: ['audit'],
    description: '创建工作人员账号 / a staff account was created',
  }),
  'catalog.entry.drafted': contract({
    version: 1,
    payload: CatalogEntryTransitionV1,
    key: (p) => p.entryId,
    producer: 'catalog',
    consumers: ['audit'],
    description: '目录草稿创建或开始变更 / an entry was created, or a new version of a published entry was started',
  }),
  'catalog.entry.submitted': contract({
    version: 1,
    payload: CatalogEntryTransitionV1,
    key: (p) => p.entryId,
    producer: 'catalog',
    consumers: ['audit'],
    description: '目录提交审核 / a version was submitted for review',
  }),
  'catalog.entry.returned': contract({
    version: 1,
    payload: CatalogEntryTransitionV1,
    key: (p) => p.entryId,
    producer: 'catalog',
    consumers: ['audit'],
    description: '目录审核退回 / a version was returned with comments',
  }),
  'catalog.entry.published': contract({
    version: 1,
    payload: CatalogEntryPublishedV1,
    key: (p) => p.entryId,
    producer: 'catalog',
    consumers: ['ingest', 'sharing', 'open-api', 'audit'],
    description: '目录审核通过并发布 / a version was approved and published',
  }),
  'catalog.entry.retired': contract({
    version: 1,
    payload: CatalogEntryTransitionV1,
    key: (p) => p.entryId,
    producer: 'catalog',
    consumers: ['ingest', 'sharing', 'open-api', 'audit'],
    description: '目录下架 / a published entry was retired',
  }),
  'catalog.deadline.overdue': contract({
    version: 1,
    payload: CatalogDeadlineOverdueV1,
    key: (p) => p.deptId,
    producer: 'catalog',
    consumers: ['audit'],
    description: '目录编制/更新超过工作日时限 / a working-day time limit passed',
  }),
  'catalog.conflict.changed': contract({
    version: 1,
    payload: CatalogSourceConflictV1,
    key: (p) => p.conflictId,
    producer: 'catalog',
    consumers: ['audit'],
    description: '一数一源冲突上报或处理 / a one-source conflict was reported or resolved',
  }),
  'ingest.dataset.created': contract({
    version: 1,
    payload: DatasetCreatedV1,
    key: (p) => p.datasetId,
    producer: 'ingest',
    consumers: ['audit'],
    description: '数据集创建 / a dataset was created for a published entry',
  }),
  'ingest.version.published': contract({
    version: 1,
    payload: DatasetVersionPublishedV1,
    key: (p) => p.datasetId,
    producer: 'ingest',
    consumers: ['sharing', 'open-api', 'audit'],
    description: '数据集新版本生效 / a dataset version passed its checks and became current',
  }),
  'ingest.version.failed': contract({
    version: 1,
    payload: DatasetVersionFailedV1,
    key: (p) => p.datasetId,
    producer: 'ingest',
    consumers: ['audit'],
    description: '数据归集失败 / a load failed; the previous version stays current',
  }),
  'ingest.quality.reported': contract({
    version: 1,
    payload: QualityReportedV1,
    key: (p) => p.datasetId,
    producer: 'ingest',
    consumers: ['audit'],
    description: '数据质量报告 / the quality report of a version',
  }),
  'ingest.dataset.overdue': contract({
    version: 1,
    payload: DatasetOverdueV1,
    key: (p) => p.datasetId,
    producer: 'ingest',
    consumers: ['audit'],
    description: '数据未按更新周期更新 / a dataset missed its update cycle',
  }),
  'ingest.data.read': contract({
    version: 1,
    payload: DatasetRowsReadV1,
    key: (p) => p.datasetId,
    producer: 'ingest',
    consumers: ['audit'],
    description: '数据访问 / loaded rows were read',
  }),
  'ingest.sensitive.changed': contract({
    version: 1,
    payload: SensitiveFindingsChangedV1,
    key: (p) => p.datasetId,
    producer: 'ingest',
    consumers: ['sharing', 'open-api', 'audit'],
    description: '敏感字段发现结果变化（扫描、复查、说明、决定、补充标注）/ the sensitive-content findings of a version changed',
  }),
  'ingest.rectification.changed': contract({
    version: 1,
    payload: RectificationChangedV1,
    key: (p) => p.taskId,
    producer: 'ingest',
    consumers: ['audit'],
    description: '数据整改任务 / a rectification task was opened or closed',
  }),
  'sharing.data.accessed': contract({
    version: 1,
    payload: DataAccessV1,
    key: (p) => p.grantId ?? p.datasetId ?? 'none',
    producer: 'sharing',
    consumers: ['audit'],
    description: '共享数据访问（接口、下载、推送、离线交接），含被拒绝的尝试 / shared data was delivered or read, or an attempt was refused',
  }),
  'sharing.request.submitted': contract({
    version: 1,
    payload: ShareRequestChangedV1,
    key: (p) => p.requestId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '共享申请提交 / a share request was submitted',
  }),
  'sharing.request.decided': contract({
    version: 1,
    payload: ShareRequestChangedV1,
    key: (p) => p.requestId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '共享申请答复（同意、缩小范围同意、拒绝，含自动处理）/ a share request was decided',
  }),
  'sharing.request.withdrawn': contract({
    version: 1,
    payload: ShareRequestChangedV1,
    key: (p) => p.requestId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '共享申请撤回 / a share request was withdrawn',
  }),
  'sharing.request.escalated': contract({
    version: 1,
    payload: ShareRequestChangedV1,
    key: (p) => p.requestId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '共享申请超期提交数据局协调 / an overdue request was escalated to the data bureau',
  }),
  'sharing.grant.created': contract({
    version: 1,
    payload: GrantChangedV1,
    key: (p) => p.grantId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '共享授权创建 / a grant was created',
  }),
  'sharing.grant.suspended': contract({
    version: 1,
    payload: GrantChangedV1,
    key: (p) => p.grantId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '共享授权暂停 / a grant was suspended',
  }),
  'sharing.grant.resumed': contract({
    version: 1,
    payload: GrantChangedV1,
    key: (p) => p.grantId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '共享授权恢复 / a grant was resumed',
  }),
  'sharing.grant.revoked': contract({
    version: 1,
    payload: GrantChangedV1,
    key: (p) => p.grantId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '共享授权撤销 / a grant was revoked',
  }),
  'sharing.grant.renewed': contract({
    version: 1,
    payload: GrantChangedV1,
    key: (p) => p.grantId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '共享授权续期 / a grant was renewed',
  }),
  'sharing.grant.expired': contract({
    version: 1,
    payload: GrantChangedV1,
    key: (p) => p.grantId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '共享授权到期 / a grant was expired',
  }),
  // Not sharing.grant.*: the audit service reads those as changes of the grant itself.
  'sharing.credential.changed': contract({
    version: 1,
    payload: GrantCredentialChangedV1,
    key: (p) => p.grantId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '共享授权凭证签发、轮换或吊销 / a grant credential was issued, rotated or revoked',
  }),
  'sharing.feedback.changed': contract({
    version: 1,
    payload: ShareFeedbackChangedV1,
    key: (p) => p.feedbackId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '校核纠错任务状态变化 / a feedback (rectification) task changed',
  }),
  'sharing.need.changed': contract({
    version: 1,
    payload: DataNeedChangedV1,
    key: (p) => p.needId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '供需对接需求提交、分派或答复 / a data need was posted, assigned or answered',
  }),
  'sharing.subscription.changed': contract({
    version: 1,
    payload: ReturnSubscriptionChangedV1,
    key: (p) => p.subscriptionId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '数据回流订阅 / a return-flow subscription changed',
  }),
  'open.data.accessed': contract({
    version: 1,
    payload: DataAccessV1,
    key: (p) => p.appId ?? p.datasetId ?? 'anonymous',
    producer: 'open-api',
    consumers: ['audit'],
    description: '开放数据访问（记录、下载、预览），含被拒绝的尝试 / open data was read or downloaded, or an attempt was refused',
  }),
  'open.developer.registered': contract({
    version: 1,
    payload: OpenDeveloperRegisteredV1,
    key: (p) => p.developerId,
    producer: 'open-api',
    consumers: ['audit'],
    description: '开发者注册 / a developer registered on the open data portal',
  }),
  'open.app.changed': contract({
    version: 1,
    payload: OpenAppChangedV1,
    key: (p) => p.appId,
    producer: 'open-api',
    consumers: ['audit'],
    description: '开放应用或密钥变更（创建、轮换、吊销、等级）/ an app or API key was created, rotated, revoked or re-tiered',
  }),
  'open.application.changed': contract({
    version: 1,
    payload: OpenApplicationChangedV1,
    key: (p) => p.applicationId,
    producer: 'open-api',
    consumers: ['audit'],
    description: '有条件开放申请提交或答复 / a conditional-opening application was submitted or decided',
  }),
  'open.blacklist.changed': contract({
    version: 1,
    payload: OpenBlacklistChangedV1,
    key: (p) => p.blacklistId,
    producer: 'open-api',
    consumers: ['audit'],
    description: '黑名单变更 / a key, app or IP was blacklisted or cleared',
  }),
  'open.large-volume.changed': contract({
    version: 1,
    payload: OpenLargeVolumeChangedV1,
    key: (p) => p.registrationId,
    producer: 'open-api',
    consumers: ['audit'],
    description: '大规模、持续性利用登记 / a large-volume use registration was submitted or decided',
  }),
  'open.feedback.changed': contract({
    version: 1,
    payload: OpenFeedbackChangedV1,
    key: (p) => p.feedbackId,
    producer: 'open-api',
    consumers: ['audit'],
    description: '数据纠错、需求征集、意见建议提交或答复 / public feedback was submitted or answered',
  }),
  'open.quota.warned': contract({
    version: 1,
    payload: OpenQuotaWarnedV1,
    key: (p) => p.subject,
    producer: 'open-api',
    consumers: ['audit'],
    description: '调用额度已用 80% / 80% of a daily quota was used',
  }),
  'security.sandbox.job': contract({
    version: 1,
    payload: SandboxJobRecordedV1,
    key: (p) => p.jobId,
    producer: ['sharing', 'open-api'],
    consumers: ['audit'],
    description: '数据沙箱作业（SQL、结果规模、放行或拒绝）/ a data-sandbox job ran, was refused or stopped',
  }),
  'security.aggregation.refused': contract({
    version: 1,
    payload: AggregationRiskRefusedV1,
    key: (p) => p.entryId,
    producer: ['sharing', 'open-api'],
    consumers: ['audit'],
    description: '聚合风险：准标识符组合可识别个人，拒绝提供 / a release was refused for re-identification risk (k-anonymity)',
  }),
  'security.operator.changed': contract({
    version: 1,
    payload: OperatorChangedV1,
    key: (p) => p.operatorId,
    producer: 'sharing',
    consumers: ['audit'],
    description: '授权运营主体登记或变更 / an authorized-operation organisation was registered or changed',
  }),
} as const;

export type EventName = keyof typeof EVENT_CATALOG;
export type PayloadOf<N extends EventName> = InstanceType<(typeof EVENT_CATALOG)[N]['payload']>;
export const EVENT_NAMES = Object.keys(EVENT_CATALOG) as EventName[];

export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(EVENT_CATALOG, name);
}

/** Topics a service consumes, derived from the catalog so the two can never disagree. */
export function topicsConsumedBy(service: ServiceName): EventName[] {
  return EVENT_NAMES.filter((n) => (EVENT_CATALOG[n].consumers as readonly string[]).includes(service));
}

export function deadLetterTopic(group: string): string {
  return `dlq.${group}`;
}
