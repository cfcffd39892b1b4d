import { canonicalCopy } from '@gov/shared';
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
    appId: str(p.appId),
    consumerDeptId: str(p.consumerDeptId) ?? str(p.requesterDeptId) ?? str(p.actorDeptId),
    datasetId: str(p.datasetId),
    entryId: str(p.entryId),
    grantId: str(p.grantId),
    providerDeptId: str(p.providerDeptId) ?? str(p.deptId),
    requestId: str(p.requestId),
    version: num(p.version),
  };
}

/** Events that are a data access, whatever service emitted them. */
export function isDataAccess(name: string): boolean {
  return name.endsWith('.data.accessed') || name.endsWith('.data.read');
}

/**
 * The log record of an event. JSON round-trips the payload first so the bytes hashed are the
 * bytes any reader of the JSON gets back (no undefined, no class instances); `payloadIsJson`
 * skips that for payloads just parsed from JSON (the intake). Keys are in canonical order
 * (payload copied so), so encoding is one native JSON.stringify.
 */
export function buildRecord(e: IncomingEvent, seq: number, recordedAt: Date | string, payloadIsJson = false): AuditLogRecord {
  const payload = canonicalCopy((payloadIsJson ? (e.payload ?? {}) : JSON.parse(JSON.stringify(e.payload ?? {}))) as Record<string, unknown>);
  const access = isDataAccess(e.name);
  const outcome = payload.outcome === 'allowed' || payload.outcome === 'denied' ? payload.outcome : access ? 'allowed' : null;
  return {
    actor: e.actor ? { deptId: e.actor.deptId ?? null, id: e.actor.id ?? null, ip: e.actor.ip ?? null, name: e.actor.name ?? null, type: e.actor.type } : null,
    correlationId: e.correlationId ?? null,
    eventId: e.id,
    eventName: e.name,
    eventVersion: e.version,
    fields: Array.isArray(payload.fields) ? payload.fields.map(String) : null,
    object: { id: e.key, type: objectTypeOf(e.name) },
    occurredAt: new Date(e.occurredAt).toISOString(),
    outcome,
    payload,
    personalData: typeof payload.personalData === 'boolean' ? payload.personalData : null,
    producer: e.producer,
    recordedAt: typeof recordedAt === 'string' ? recordedAt : recordedAt.toISOString(),
    refs: refsOf(payload),
    rowCount: num(payload.rowCount) ?? num(payload.rows),
    seq,
    v: 1,
  };
}
