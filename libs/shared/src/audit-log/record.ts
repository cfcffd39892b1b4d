import { canonicalJson } from './canonical-json';
import { leafHash } from './merkle';

/** Who acted, as the envelope carried it. */
export interface AuditActor {
  type: string;
  id: string | null;
  name: string | null;
  deptId: string | null;
  ip: string | null;
}

/** Objects a record refers to, lifted from the payload so traces can search them. */
export interface AuditRefs {
  datasetId: string | null;
  entryId: string | null;
  grantId: string | null;
  appId: string | null;
  requestId: string | null;
  providerDeptId: string | null;
  consumerDeptId: string | null;
  version: number | null;
}

/**
 * One entry of the audit log (审计记录), version 1. Its canonical JSON (sorted keys, UTF-8) is
 * the leaf of the Merkle tree: leaf hash = SHA-256(0x00 || bytes). Every column the database
 * keeps for searching is a copy of a field here, so the bytes are the record.
 *
 * `seq` (position in the log, from 0) sorts after every other top-level key except `v`, so it
 * closes the JSON text: the verifier reads it without parsing the whole record.
 */
export interface AuditLogRecord {
  v: 1;
  seq: number;
  eventId: string;
  eventName: string;
  eventVersion: number;
  producer: string;
  occurredAt: string;
  recordedAt: string;
  correlationId: string | null;
  actor: AuditActor | null;
  object: { type: string; id: string };
  refs: AuditRefs;
  /** Data accesses: allowed or denied, rows and fields returned, whether personal data was among them. */
  outcome: 'allowed' | 'denied' | null;
  rowCount: number | null;
  fields: string[] | null;
  personalData: boolean | null;
  payload: Record<string, unknown>;
}

export function encodeRecord(record: AuditLogRecord): Buffer {
  return Buffer.from(canonicalJson(record), 'utf8');
}

export function decodeRecord(body: Buffer | string): AuditLogRecord {
  return JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as AuditLogRecord;
}

export function recordLeafHash(body: Buffer): Buffer {
  return leafHash(body);
}

const SEQ_KEY = Buffer.from('"seq":');

/** The `seq` a record's bytes claim, read from the end of the canonical JSON (no full parse). */
export function claimedSeq(body: Buffer): number | undefined {
  const at = body.lastIndexOf(SEQ_KEY);
  if (at < 0) return undefined;
  let n = 0;
  let i = at + SEQ_KEY.length;
  const start = i;
  for (; i < body.length; i++) {
    const c = body[i];
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i > start ? n : undefined;
}
