import type { AuditLogRecord, AuditRefs, EventEnvelope } from '@gov/shared';

/** `org.department.registered` → object type `department`. */
export function objectTypeOf(eventName: string): string {
  const parts = eventName.split('.');
  return parts.length >= 3 ? parts[parts.length - 2] : parts[0];
}

/** What the audit service receives: a platform event, or one of its own (alerts, refusals). */
export type IncomingEvent = Pick<EventEnvelope, 'id' | 'name' | 'version' | 'key' | 'occurredAt' | 'producer' | 'correlationId' | 'actor'> & { payload: object };

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Object references lifted from any payload shape (catalog, ingest, sharing, open-api). */
export function refsOf(p: Record<string, unknown>): AuditRefs {
  return {
    datasetId: str(p.datasetId),
    entryId: str(p.entryId),
    grantId: str(p.grantId),
    appId: str(p.appId),
    requestId: str(p.requestId),
    providerDeptId: str(p.providerDeptId) ?? str(p.deptId),
    consumerDeptId: str(p.consumerDeptId) ?? str(p.requesterDeptId) ?? str(p.actorDeptId),
    version: num(p.version),
  };
}

/** Events that are a data access, whatever service emitted them. */
export function isDataAccess(name: string): boolean {
  return name.endsWith('.data.accessed') || name.endsWith('.data.read');
}

/**
 * The log record of an event. JSON round-trips the payload first so the bytes hashed are the
 * bytes any reader of the JSON gets back (no undefined, no class instances).
 */
export function buildRecord(e: IncomingEvent, seq: number, recordedAt: Date): AuditLogRecord {
  const payload = JSON.parse(JSON.stringify(e.payload ?? {})) as Record<string, unknown>;
  const access = isDataAccess(e.name);
  const outcome = payload.outcome === 'allowed' || payload.outcome === 'denied' ? payload.outcome : access ? 'allowed' : null;
  return {
    v: 1,
    seq,
    eventId: e.id,
    eventName: e.name,
    eventVersion: e.version,
    producer: e.producer,
    occurredAt: new Date(e.occurredAt).toISOString(),
    recordedAt: recordedAt.toISOString(),
    correlationId: e.correlationId ?? null,
    actor: e.actor ? { type: e.actor.type, id: e.actor.id ?? null, name: e.actor.name ?? null, deptId: e.actor.deptId ?? null, ip: e.actor.ip ?? null } : null,
    object: { type: objectTypeOf(e.name), id: e.key },
    refs: refsOf(payload),
    outcome,
    rowCount: num(payload.rowCount) ?? num(payload.rows),
    fields: Array.isArray(payload.fields) ? payload.fields.map(String) : null,
    personalData: typeof payload.personalData === 'boolean' ? payload.personalData : null,
    payload,
  };
}
