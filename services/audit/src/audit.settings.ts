import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { parseSigningKey, SERVICE_RUNTIME, ServiceRuntime } from '@gov/shared';
import { FactoryProvider } from '@nestjs/common';

/** Settings of the audit service, read once from the runtime (AUDIT_* variables). */
export interface AuditSettings {
  /** Ed25519 key that signs tree heads and archived segments. */
  signingKey: KeyObject;
  /** True when no key was configured and one was made for this process only. */
  ephemeralKey: boolean;
  /** A signed tree head every N records (and at the interval below when records arrived). */
  treeHeadEvery: number;
  treeHeadIntervalMs: number;
  /** How often the sequencer moves received events into the log, and how many at once. */
  sequenceIntervalMs: number;
  batchSize: number;
  /** How often the search projector runs when no append woke it, and merges its GIN pending list. */
  searchMergeIntervalMs: number;
  /** Records older than this are archived to signed segments (0 = never). */
  retentionDays: number;
  /** Alert rule overrides, JSON (see alerts/alert-rules.ts). */
  alertRules: Record<string, unknown>;
  /** Local time zone offset for "unusual hours" and report periods (China: UTC+8, no DST). */
  utcOffsetMinutes: number;
}

export const AUDIT_SETTINGS = Symbol('AUDIT_SETTINGS');

function int(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return n;
}

export function auditSettingsFrom(extra: Record<string, string | undefined> = {}, log?: (msg: string) => void): AuditSettings {
  let signingKey: KeyObject;
  let ephemeralKey = false;
  if (extra.AUDIT_SIGNING_KEY) {
    try {
      signingKey = parseSigningKey(extra.AUDIT_SIGNING_KEY);
    } catch (err) {
      throw new Error(`AUDIT_SIGNING_KEY is not an Ed25519 private key (PKCS8 PEM, base64 DER or 32-byte seed): ${(err as Error).message}`);
    }
    if (signingKey.asymmetricKeyType !== 'ed25519') throw new Error(`AUDIT_SIGNING_KEY must be an Ed25519 key, not ${signingKey.asymmetricKeyType}`);
  } else {
    // Tree heads signed by a key that dies with the process cannot be checked later: say so loudly.
    signingKey = generateKeyPairSync('ed25519').privateKey;
    ephemeralKey = true;
    log?.('AUDIT_SIGNING_KEY is not set: tree heads are signed with a key generated for this process only');
  }
  let alertRules: Record<string, unknown> = {};
  if (extra.AUDIT_ALERT_RULES) {
    try {
      alertRules = JSON.parse(extra.AUDIT_ALERT_RULES) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`AUDIT_ALERT_RULES is not valid JSON: ${(err as Error).message}`);
    }
  }
  return {
    signingKey,
    ephemeralKey,
    treeHeadEvery: int('AUDIT_TREE_HEAD_EVERY', extra.AUDIT_TREE_HEAD_EVERY, 1000, 1),
    treeHeadIntervalMs: int('AUDIT_TREE_HEAD_INTERVAL_MS', extra.AUDIT_TREE_HEAD_INTERVAL_MS, 10_000, 100),
    sequenceIntervalMs: int('AUDIT_SEQUENCE_INTERVAL_MS', extra.AUDIT_SEQUENCE_INTERVAL_MS, 200, 10),
    batchSize: int('AUDIT_BATCH_SIZE', extra.AUDIT_BATCH_SIZE, 2000, 1),
    searchMergeIntervalMs: int('AUDIT_SEARCH_MERGE_INTERVAL_MS', extra.AUDIT_SEARCH_MERGE_INTERVAL_MS, 2000, 100),
    retentionDays: int('AUDIT_RETENTION_DAYS', extra.AUDIT_RETENTION_DAYS, 0, 0),
    alertRules,
    utcOffsetMinutes: int('AUDIT_UTC_OFFSET_MINUTES', extra.AUDIT_UTC_OFFSET_MINUTES ?? '480', 480, -720),
  };
}

export const auditSettingsProvider: FactoryProvider<AuditSettings> = {
  provide: AUDIT_SETTINGS,
  inject: [SERVICE_RUNTIME],
  useFactory: (rt: ServiceRuntime) => auditSettingsFrom(rt.settings.extra, (m) => rt.logger.warn(m)),
};
