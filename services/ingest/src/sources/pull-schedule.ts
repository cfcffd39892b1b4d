import { UPDATE_CYCLES } from '@gov/shared';

/**
 * When a registered source (interface or database pull) is pulled next, from its catalog entry's
 * update cycle (更新周期). Calendar-aligned, in China Standard Time (Asia/Shanghai is UTC+8 all
 * year, no daylight saving since 1991, so a fixed offset is exact):
 *
 *   实时 REALTIME      lastPulledAt + N minutes (default 15, `realtimeIntervalMinutes`)
 *   每日 DAILY         the next 02:00 after lastPulledAt
 *   每周 WEEKLY        the next Monday 02:00
 *   每月 MONTHLY       the next 1st of a month, 02:00
 *   每季度 QUARTERLY   the next 1 January / April / July / October, 02:00
 *   每半年 HALF_YEARLY the next 1 January / July, 02:00
 *   每年 YEARLY        the next 1 January, 02:00
 *   不定期 IRREGULAR   null: never automatically, only on demand
 *
 * The hour (02:00, when department systems are quiet) is `hour`/`minute`. A source never pulled
 * is due at once (`now`). An on-demand pull counts as a pull: the next automatic one follows it.
 * A time in the past (the scheduler was down) means due now. Cycles are given by code or label;
 * an unknown cycle is never pulled automatically (null), like 不定期.
 */

export interface PullScheduleOptions {
  /** Minutes between pulls of a 实时 source; default 15. */
  realtimeIntervalMinutes?: number;
  /** Local (Asia/Shanghai) time of day of scheduled pulls; default 02:00. */
  hour?: number;
  minute?: number;
  /** For a source never pulled; default the current time. */
  now?: Date;
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const MINUTE_MS = 60_000;
export const DEFAULT_REALTIME_INTERVAL_MINUTES = 15;

/** Months between pulls of calendar cycles. */
const PERIOD_MONTHS: Record<string, number> = { MONTHLY: 1, QUARTERLY: 3, HALF_YEARLY: 6, YEARLY: 12 };

/** The update-cycle code of a code or a label (实时 → REALTIME), undefined when unknown. */
export function updateCycleCode(cycle: string | null | undefined): string | undefined {
  if (!cycle) return undefined;
  const entry = UPDATE_CYCLES.find((e) => e.code === cycle || e.label === cycle);
  return entry?.code;
}

export function nextPullAt(updateCycle: string | null | undefined, lastPulledAt: Date | null | undefined, options: PullScheduleOptions = {}): Date | null {
  const code = updateCycleCode(updateCycle);
  if (!code || code === 'IRREGULAR') return null;
  if (!lastPulledAt) return new Date((options.now ?? new Date()).getTime());
  const last = lastPulledAt.getTime();
  if (Number.isNaN(last)) throw new RangeError('lastPulledAt is not a valid date');

  if (code === 'REALTIME') {
    const minutes = options.realtimeIntervalMinutes ?? DEFAULT_REALTIME_INTERVAL_MINUTES;
    if (!(minutes > 0)) throw new RangeError('realtimeIntervalMinutes must be positive');
    return new Date(last + minutes * MINUTE_MS);
  }

  const hour = options.hour ?? 2;
  const minute = options.minute ?? 0;
  if (!Number.isInteger(hour) || hour < 0 || hour > 23 || !Number.isInteger(minute) || minute < 0 || minute > 59)
    throw new RangeError('hour must be 0–23 and minute 0–59');
  // Shanghai wall-clock fields of the last pull
  const local = new Date(last + SHANGHAI_OFFSET_MS);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const d = local.getUTCDate();
  const at = (year: number, month: number, day: number) => new Date(Date.UTC(year, month, day, hour, minute) - SHANGHAI_OFFSET_MS);

  if (code === 'DAILY') {
    const today = at(y, m, d);
    return today.getTime() > last ? today : at(y, m, d + 1);
  }
  if (code === 'WEEKLY') {
    const sinceMonday = (local.getUTCDay() + 6) % 7;
    const monday = at(y, m, d - sinceMonday);
    return monday.getTime() > last ? monday : at(y, m, d - sinceMonday + 7);
  }
  const period = PERIOD_MONTHS[code];
  if (period) {
    const start = Math.floor(m / period) * period;
    const current = at(y, start, 1);
    return current.getTime() > last ? current : at(y, start + period, 1);
  }
  return null;
}

/** True when a source of this cycle last pulled then is due at `now`. */
export function isPullDue(updateCycle: string | null | undefined, lastPulledAt: Date | null | undefined, now: Date, options: PullScheduleOptions = {}): boolean {
  const next = nextPullAt(updateCycle, lastPulledAt, { ...options, now });
  return next !== null && next.getTime() <= now.getTime();
}
