import { CatalogDeadlineOverdueV1, CatalogEntryPublishedV1, CatalogEntryTransitionV1, CatalogSourceConflictV1 } from './catalog.events';
import { DatasetCreatedV1, DatasetOverdueV1, DatasetRowsReadV1, DatasetVersionFailedV1, DatasetVersionPublishedV1, QualityReportedV1, RectificationChangedV1 } from './ingest.events';
import { DepartmentRegisteredV1, StaffUserCreatedV1 } from './org.events';
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
  producer: ServiceName;
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
  'ingest.rectification.changed': contract({
    version: 1,
    payload: RectificationChangedV1,
    key: (p) => p.taskId,
    producer: 'ingest',
    consumers: ['audit'],
    description: '数据整改任务 / a rectification task was opened or closed',
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
