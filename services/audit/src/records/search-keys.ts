import type { AuditLogRecord } from '@gov/shared';

/**
 * The search keys of a record (migration 1732700000000): one prefixed key per reference, every
 * department column under one `d:` key. Projected into audit.record_search (GIN-indexed).
 */
export const SEARCH_KEYS = `audit.search_keys(actor_id, actor_dept_id, app_id, dataset_id, entry_id, grant_id, request_id, provider_dept_id, consumer_dept_id, correlation_id, object_id)`;

/**
 * `seq IN (…)` for audit_record rows whose keys contain (`@>`) or share (`&&`) the text[] parameter:
 * the projection, plus the records appended since it last caught up (a short primary-key range),
 * so a record is found as soon as it is committed.
 */
export function keysMatch(param: string, op: '@>' | '&&' = '@>'): string {
  return `seq IN (SELECT s.seq FROM audit.record_search s WHERE s.keys ${op} ${param}::text[]
    UNION ALL SELECT t.seq FROM audit.audit_record t WHERE t.seq >= (SELECT coalesce(max(p.seq) + 1, 0) FROM audit.record_search p) AND ${SEARCH_KEYS} ${op} ${param}::text[])`;
}

export const KEY_PREFIX = {
  actorId: 'u:',
  deptId: 'd:',
  appId: 'a:',
  datasetId: 's:',
  entryId: 'e:',
  grantId: 'g:',
  requestId: 'r:',
  correlationId: 'c:',
  objectId: 'o:',
} as const;

export type SearchField = keyof typeof KEY_PREFIX;

export const searchKey = (field: SearchField, value: string): string => KEY_PREFIX[field] + value;

/** The same keys computed from a signed record (archived segments are searched with them). */
export function searchKeysOf(r: AuditLogRecord): string[] {
  const out: string[] = [];
  const add = (field: SearchField, v: string | null | undefined) => {
    if (v !== null && v !== undefined) out.push(KEY_PREFIX[field] + v);
  };
  add('actorId', r.actor?.id);
  add('deptId', r.actor?.deptId);
  add('appId', r.refs.appId);
  add('datasetId', r.refs.datasetId);
  add('entryId', r.refs.entryId);
  add('grantId', r.refs.grantId);
  add('requestId', r.refs.requestId);
  add('deptId', r.refs.providerDeptId);
  add('deptId', r.refs.consumerDeptId);
  add('correlationId', r.correlationId);
  add('objectId', r.object.id);
  return out;
}
