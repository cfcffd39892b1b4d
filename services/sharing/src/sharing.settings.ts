import { createHmac } from 'node:crypto';
import { credentialsKey, SERVICE_RUNTIME, ServiceRuntime, WorkingDayCalendar } from '@gov/shared';
import { FactoryProvider, Injectable } from '@nestjs/common';

/**
 * Policy of the sharing service, read once at boot from the runtime settings (SHARING_* and
 * CALENDAR_* in embedded mode, the process environment in distributed mode).
 */
export interface SharingSettings {
  /** 有条件共享 答复时限 in working days, by region code; `default` where none matches (51号文: 10). */
  responseDays: Record<string, number>;
  /** 校核纠错: working days the provider has to act on a feedback. */
  feedbackDays: number;
  /** Notify the provider when this many working days or fewer are left. */
  approachingDays: number;
  /** Lifetime of a signed download link. */
  linkTtlSeconds: number;
  /** How often deadlines, expiries and queued deliveries are looked at. */
  sweepMs: number;
  webhookMaxAttempts: number;
  webhookBackoffMs: number;
  /** Key that signs download links (derived from the JWT secret unless SHARING_LINK_KEY is set). */
  linkKey: Buffer;
  /** Seals push-target credentials and webhook secrets (CREDENTIALS_KEY); undefined disables both. */
  credentialsKey?: Buffer;
  /** Connections of the records endpoint's own read pool (SHARING_READ_POOL_SIZE). */
  readPoolSize: number;
  /** Hosts webhooks may be sent to (SHARING_WEBHOOK_ALLOWED_HOSTS); undefined = any host. */
  webhookAllowedHosts?: string[];
  /** Hosts a push may connect to (SHARING_PUSH_ALLOWED_HOSTS); undefined = any host. */
  pushAllowedHosts?: string[];
  calendar: WorkingDayCalendar;
}

export const SHARING_SETTINGS = Symbol('SHARING_SETTINGS');

const list = (raw: string | undefined) => (raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : []);

function int(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return n;
}

/** SHARING_RESPONSE_DAYS is JSON, e.g. {"default":10,"310000":10,"140000":5}. */
export function sharingSettingsFrom(extra: Record<string, string | undefined> = {}, jwtSecret = ''): SharingSettings {
  let responseDays: Record<string, number> = { default: 10 };
  if (extra.SHARING_RESPONSE_DAYS) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(extra.SHARING_RESPONSE_DAYS);
    } catch (err) {
      throw new Error(`SHARING_RESPONSE_DAYS is not valid JSON: ${(err as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('SHARING_RESPONSE_DAYS must be a JSON object of region code → working days');
    responseDays = { ...responseDays, ...(parsed as Record<string, number>) };
    for (const [k, v] of Object.entries(responseDays))
      if (!Number.isInteger(v) || v < 1 || v > 60) throw new Error(`SHARING_RESPONSE_DAYS.${k} must be an integer between 1 and 60`);
  }
  return {
    responseDays,
    feedbackDays: int('SHARING_FEEDBACK_DAYS', extra.SHARING_FEEDBACK_DAYS, 5, 1),
    approachingDays: int('SHARING_APPROACHING_DAYS', extra.SHARING_APPROACHING_DAYS, 2),
    linkTtlSeconds: int('SHARING_LINK_TTL_SECONDS', extra.SHARING_LINK_TTL_SECONDS, 900, 1),
    sweepMs: int('SHARING_SWEEP_MS', extra.SHARING_SWEEP_MS, 60_000, 10),
    webhookMaxAttempts: int('SHARING_WEBHOOK_MAX_ATTEMPTS', extra.SHARING_WEBHOOK_MAX_ATTEMPTS, 5, 1),
    webhookBackoffMs: int('SHARING_WEBHOOK_BACKOFF_MS', extra.SHARING_WEBHOOK_BACKOFF_MS, 2_000, 0),
    linkKey: createHmac('sha256', extra.SHARING_LINK_KEY ?? jwtSecret).update('govdata-sharing-download-links').digest(),
    credentialsKey: credentialsKey({ CREDENTIALS_KEY: extra.CREDENTIALS_KEY }),
    readPoolSize: int('SHARING_READ_POOL_SIZE', extra.SHARING_READ_POOL_SIZE, 10, 1),
    webhookAllowedHosts: extra.SHARING_WEBHOOK_ALLOWED_HOSTS ? list(extra.SHARING_WEBHOOK_ALLOWED_HOSTS).map((h) => h.toLowerCase()) : undefined,
    pushAllowedHosts: extra.SHARING_PUSH_ALLOWED_HOSTS ? list(extra.SHARING_PUSH_ALLOWED_HOSTS).map((h) => h.toLowerCase()) : undefined,
    calendar: new WorkingDayCalendar({ extraHolidays: list(extra.CALENDAR_EXTRA_HOLIDAYS), extraWorkdays: list(extra.CALENDAR_EXTRA_WORKDAYS) }),
  };
}

/** Exact region code, then its province (`xx0000`), then `default`. */
export function responseDaysFor(settings: Pick<SharingSettings, 'responseDays'>, regionCode: string): number {
  return settings.responseDays[regionCode] ?? settings.responseDays[`${regionCode.slice(0, 2)}0000`] ?? settings.responseDays.default;
}

export const sharingSettingsProvider: FactoryProvider = {
  provide: SHARING_SETTINGS,
  inject: [SERVICE_RUNTIME],
  useFactory: (runtime: ServiceRuntime) => sharingSettingsFrom(runtime.settings.extra, runtime.settings.jwtSecret),
};

/** The service's clock: deadlines in working days need a controllable "now" in tests. */
@Injectable()
export class SharingClock {
  private offsetMs = 0;
  private fixed?: Date;

  now(): Date {
    return this.fixed ? new Date(this.fixed) : new Date(Date.now() + this.offsetMs);
  }

  /** Tests only: pin the clock (or pass undefined to release it). */
  set(at: Date | undefined): void {
    this.fixed = at;
  }
}
