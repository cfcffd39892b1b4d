import { SERVICE_RUNTIME, ServiceRuntime, WorkingDayCalendar } from '@gov/shared';
import { FactoryProvider } from '@nestjs/common';

/** Limits of one tier: calls per second and per day, and rows per download. */
export interface TierLimits {
  perSecond: number;
  perDay: number;
  maxDownloadRows: number;
}

/**
 * `anonymous` applies per IP without a key; `basic` to every new app; `registered` to apps whose
 * 大规模、持续性利用登记 was approved; deployments may add more and assign them.
 */
export type Tiers = Record<string, TierLimits>;

export interface OpenSettings {
  tiers: Tiers;
  /** 有条件开放 applications are answered within N working days (绵阳: 5). */
  reviewWorkingDays: number;
  /** 数据纠错 / 需求征集 are answered within N working days. */
  feedbackWorkingDays: number;
  /** Access events are flushed every N ms or every M events, whichever comes first. */
  accessFlushMs: number;
  accessBatch: number;
  /** Rows in the dataset page preview. */
  previewRows: number;
  maxLimit: number;
  /** How long a resolved API key is trusted before it is looked up again (revocation on this replica is immediate). */
  keyCacheMs: number;
  cursorSecret: string;
  /** Connections of the records/download pool (0: share the service's TypeORM pool). */
  readPoolSize: number;
  licence: string;
  calendar: WorkingDayCalendar;
  /**
   * 聚合风险 before opening: a version whose released quasi-identifiers leave a group smaller than
   * this is not opened (OPEN_MIN_K, else SECURITY_MIN_K, else 5).
   */
  minK: number;
  /**
   * The same for 有条件开放 datasets, whose rows go only to apps approved by the provider under
   * signed commitments (不得重新识别): null (the default) records the check on the dataset without
   * refusing, so the reviewer sees the risk; set OPEN_CONDITIONAL_MIN_K to refuse there too.
   */
  conditionalMinK: number | null;
  /** The snapshot loader looks for versions to load every N ms (besides being woken by the event handlers). */
  loadPollMs: number;
  /** A failed load is retried after N ms, doubling per attempt up to 32×. */
  loadRetryMs: number;
  /** A replaced table (and its download files) is dropped N ms after the swap, so reads that started on it finish. */
  loadDropGraceMs: number;
  /** Download files built for byte ranges are deleted after N days (rebuilt on the next range request). */
  downloadCacheDays: number;
}

export const OPEN_SETTINGS = Symbol('OPEN_SETTINGS');

export const DEFAULT_TIERS: Tiers = {
  anonymous: { perSecond: 5, perDay: 2_000, maxDownloadRows: 10_000 },
  basic: { perSecond: 20, perDay: 20_000, maxDownloadRows: 1_000_000 },
  registered: { perSecond: 200, perDay: 2_000_000, maxDownloadRows: 10_000_000 },
};

function int(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}

/**
 * Reads OPEN_TIERS (JSON, merged over the defaults, e.g. {"basic":{"perSecond":50}}),
 * OPEN_REVIEW_WORKING_DAYS, OPEN_FEEDBACK_WORKING_DAYS, OPEN_ACCESS_FLUSH_MS, OPEN_ACCESS_BATCH,
 * OPEN_PREVIEW_ROWS, OPEN_KEY_CACHE_MS, OPEN_CURSOR_SECRET, OPEN_READ_POOL_SIZE, OPEN_LICENCE,
 * OPEN_MIN_K (falls back to SECURITY_MIN_K), OPEN_CONDITIONAL_MIN_K, OPEN_LOAD_POLL_MS, OPEN_LOAD_RETRY_MS, OPEN_LOAD_DROP_GRACE_MS,
 * OPEN_DOWNLOAD_CACHE_DAYS.
 */
export function openSettingsFrom(extra: Record<string, string | undefined> = {}, fallbackSecret = 'govdata-open'): OpenSettings {
  let tierOverrides: Record<string, Partial<TierLimits>> = {};
  if (extra.OPEN_TIERS) {
    try {
      tierOverrides = JSON.parse(extra.OPEN_TIERS);
    } catch (err) {
      throw new Error(`OPEN_TIERS is not valid JSON: ${(err as Error).message}`);
    }
  }
  const tiers: Tiers = { ...DEFAULT_TIERS };
  for (const [name, t] of Object.entries(tierOverrides)) {
    const merged = { ...(tiers[name] ?? DEFAULT_TIERS.basic), ...t };
    for (const [k, v] of Object.entries(merged)) if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`OPEN_TIERS.${name}.${k} must be a positive integer`);
    tiers[name] = merged;
  }
  return {
    tiers,
    reviewWorkingDays: int('OPEN_REVIEW_WORKING_DAYS', extra.OPEN_REVIEW_WORKING_DAYS, 5, 1),
    feedbackWorkingDays: int('OPEN_FEEDBACK_WORKING_DAYS', extra.OPEN_FEEDBACK_WORKING_DAYS, 10, 1),
    accessFlushMs: int('OPEN_ACCESS_FLUSH_MS', extra.OPEN_ACCESS_FLUSH_MS, 250, 1),
    accessBatch: int('OPEN_ACCESS_BATCH', extra.OPEN_ACCESS_BATCH, 500, 1),
    previewRows: int('OPEN_PREVIEW_ROWS', extra.OPEN_PREVIEW_ROWS, 10, 1),
    maxLimit: 1000,
    keyCacheMs: int('OPEN_KEY_CACHE_MS', extra.OPEN_KEY_CACHE_MS, 5_000, 0),
    cursorSecret: extra.OPEN_CURSOR_SECRET || `${fallbackSecret}:cursor`,
    readPoolSize: int('OPEN_READ_POOL_SIZE', extra.OPEN_READ_POOL_SIZE, 4, 0),
    licence: extra.OPEN_LICENCE || '开放数据授权协议：可免费获取、使用、加工和传播，须注明数据来源，不得用于违法用途，不得试图重新识别个人信息。',
    calendar: new WorkingDayCalendar(),
    minK: extra.OPEN_MIN_K ? int('OPEN_MIN_K', extra.OPEN_MIN_K, 5, 2) : int('SECURITY_MIN_K', extra.SECURITY_MIN_K, 5, 2),
    conditionalMinK: extra.OPEN_CONDITIONAL_MIN_K ? int('OPEN_CONDITIONAL_MIN_K', extra.OPEN_CONDITIONAL_MIN_K, 5, 2) : null,
    loadPollMs: int('OPEN_LOAD_POLL_MS', extra.OPEN_LOAD_POLL_MS, 2_000, 10),
    loadRetryMs: int('OPEN_LOAD_RETRY_MS', extra.OPEN_LOAD_RETRY_MS, 5_000, 10),
    loadDropGraceMs: int('OPEN_LOAD_DROP_GRACE_MS', extra.OPEN_LOAD_DROP_GRACE_MS, 5_000, 0),
    downloadCacheDays: int('OPEN_DOWNLOAD_CACHE_DAYS', extra.OPEN_DOWNLOAD_CACHE_DAYS, 7, 1),
  };
}

export const openSettingsProvider: FactoryProvider<OpenSettings> = {
  provide: OPEN_SETTINGS,
  inject: [SERVICE_RUNTIME],
  useFactory: (rt: ServiceRuntime) => openSettingsFrom(rt.settings.extra, rt.settings.jwtSecret),
};
