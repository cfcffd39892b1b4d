import { KeyValueStore, toShanghaiDate } from '@gov/shared';
import type { TierLimits } from '../open-api.settings';

export interface RateSubject {
  kind: 'app' | 'ip';
  id: string;
}

export interface RateDecision {
  allowed: boolean;
  /** `RateLimit-*` (IETF draft) and, when refused, `Retry-After`. */
  headers: Record<string, string>;
  /** Which window refused: per second or per day. */
  refusedBy?: 'second' | 'day';
  retryAfterSeconds?: number;
  usedToday: number;
  /** True exactly once per subject and day: the call that reached 80% of the daily quota. */
  crossedWarning: boolean;
  warning: boolean;
}

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** Milliseconds until the next midnight in Shanghai (daily quotas reset with the calendar day). */
export function msUntilShanghaiMidnight(now: number): number {
  return DAY_MS - ((now + SHANGHAI_OFFSET_MS) % DAY_MS);
}

/**
 * Fixed-window limits per second and per calendar day, on the shared key-value store (Redis in
 * distributed mode, so every replica counts against the same windows). A call refused by the
 * per-second window does not use day quota.
 */
export class RateLimiter {
  /** The current Shanghai day (name and end), so each call does not format the date again. */
  private day = { name: '', end: 0, start: 0 };

  constructor(
    private readonly kv: KeyValueStore,
    private readonly now: () => number = Date.now,
  ) {}

  private dayOf(now: number): { name: string; end: number } {
    if (now < this.day.start || now >= this.day.end) {
      const end = now + msUntilShanghaiMidnight(now);
      this.day = { name: toShanghaiDate(new Date(now)), end, start: end - DAY_MS };
    }
    return this.day;
  }

  async check(subject: RateSubject, limits: TierLimits): Promise<RateDecision> {
    const now = this.now();
    const sec = Math.floor(now / 1000);
    const id = `${subject.kind}:${subject.id}`;
    const second = await this.kv.increment(`rl:s:${id}:${sec}`, 1000);
    const policy = `${limits.perSecond};w=1, ${limits.perDay};w=86400`;
    if (second.count > limits.perSecond) {
      const retry = Math.max(1, Math.ceil(second.resetInMs / 1000));
      return {
        allowed: false,
        refusedBy: 'second',
        retryAfterSeconds: retry,
        usedToday: 0,
        crossedWarning: false,
        warning: false,
        headers: { 'RateLimit-Policy': policy, 'RateLimit-Limit': String(limits.perSecond), 'RateLimit-Remaining': '0', 'RateLimit-Reset': String(retry), 'Retry-After': String(retry) },
      };
    }
    const today = this.dayOf(now);
    const day = await this.kv.increment(`rl:d:${id}:${today.name}`, today.end - now);
    const dayReset = Math.max(1, Math.ceil(day.resetInMs / 1000));
    const threshold = Math.ceil(limits.perDay * 0.8);
    const warning = day.count >= threshold;
    if (day.count > limits.perDay)
      return {
        allowed: false,
        refusedBy: 'day',
        retryAfterSeconds: dayReset,
        usedToday: day.count,
        crossedWarning: false,
        warning: true,
        headers: { 'RateLimit-Policy': policy, 'RateLimit-Limit': String(limits.perDay), 'RateLimit-Remaining': '0', 'RateLimit-Reset': String(dayReset), 'Retry-After': String(dayReset) },
      };
    // Report the window closer to running out, as clients can only act on one.
    const secRemaining = limits.perSecond - second.count;
    const dayRemaining = limits.perDay - day.count;
    const bySecond = secRemaining / limits.perSecond < dayRemaining / limits.perDay;
    const headers: Record<string, string> = {
      'RateLimit-Policy': policy,
      'RateLimit-Limit': String(bySecond ? limits.perSecond : limits.perDay),
      'RateLimit-Remaining': String(bySecond ? secRemaining : dayRemaining),
      'RateLimit-Reset': String(bySecond ? Math.max(1, Math.ceil(second.resetInMs / 1000)) : dayReset),
    };
    if (warning) headers['X-Quota-Warning'] = `80% of the daily quota used: ${day.count}/${limits.perDay}`;
    return { allowed: true, headers, usedToday: day.count, crossedWarning: day.count === threshold, warning };
  }
}
