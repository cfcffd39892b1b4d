import { isPullDue, nextPullAt, updateCycleCode } from './pull-schedule';

/** A Shanghai wall-clock time (UTC+8) as a Date. */
const cst = (text: string) => new Date(`${text}+08:00`);

describe('nextPullAt', () => {
  it('knows cycles by code and by label', () => {
    expect(updateCycleCode('每日')).toBe('DAILY');
    expect(updateCycleCode('DAILY')).toBe('DAILY');
    expect(updateCycleCode('每两天')).toBeUndefined();
  });

  it('实时: every N minutes after the last pull (15 by default)', () => {
    const last = cst('2025-03-10T10:07:30');
    expect(nextPullAt('实时', last)).toEqual(cst('2025-03-10T10:22:30'));
    expect(nextPullAt('REALTIME', last, { realtimeIntervalMinutes: 5 })).toEqual(cst('2025-03-10T10:12:30'));
    expect(() => nextPullAt('REALTIME', last, { realtimeIntervalMinutes: 0 })).toThrow(RangeError);
  });

  it('每日: the next 02:00 Asia/Shanghai', () => {
    expect(nextPullAt('每日', cst('2025-03-10T10:00:00'))).toEqual(cst('2025-03-11T02:00:00'));
    // 01:00 local is before that day's run
    expect(nextPullAt('每日', cst('2025-03-10T01:00:00'))).toEqual(cst('2025-03-10T02:00:00'));
    // exactly at 02:00: the run is done, next day
    expect(nextPullAt('每日', cst('2025-03-10T02:00:00'))).toEqual(cst('2025-03-11T02:00:00'));
    // 20:00 UTC is 04:00 next day in Shanghai
    expect(nextPullAt('每日', new Date('2025-03-10T20:00:00Z'))).toEqual(cst('2025-03-12T02:00:00'));
    expect(nextPullAt('每日', cst('2025-03-10T10:00:00'))?.toISOString()).toBe('2025-03-10T18:00:00.000Z');
  });

  it('每日 at a configured time', () => {
    expect(nextPullAt('DAILY', cst('2025-03-10T10:00:00'), { hour: 23, minute: 30 })).toEqual(cst('2025-03-10T23:30:00'));
    expect(() => nextPullAt('DAILY', cst('2025-03-10T10:00:00'), { hour: 24 })).toThrow(RangeError);
  });

  it('每周: the next Monday 02:00', () => {
    // 2025-03-12 is a Wednesday
    expect(nextPullAt('每周', cst('2025-03-12T09:00:00'))).toEqual(cst('2025-03-17T02:00:00'));
    // Monday 01:00 → that Monday 02:00; Monday 03:00 → the next one
    expect(nextPullAt('每周', cst('2025-03-17T01:00:00'))).toEqual(cst('2025-03-17T02:00:00'));
    expect(nextPullAt('每周', cst('2025-03-17T03:00:00'))).toEqual(cst('2025-03-24T02:00:00'));
    // Sunday late evening
    expect(nextPullAt('每周', cst('2025-03-16T23:59:00'))).toEqual(cst('2025-03-17T02:00:00'));
  });

  it('每月, 每季度, 每半年, 每年: the first day of the next period, 02:00', () => {
    expect(nextPullAt('每月', cst('2025-01-31T12:00:00'))).toEqual(cst('2025-02-01T02:00:00'));
    expect(nextPullAt('每月', cst('2025-12-05T12:00:00'))).toEqual(cst('2026-01-01T02:00:00'));
    expect(nextPullAt('每月', cst('2025-03-01T01:00:00'))).toEqual(cst('2025-03-01T02:00:00'));
    expect(nextPullAt('每季度', cst('2025-02-15T00:00:00'))).toEqual(cst('2025-04-01T02:00:00'));
    expect(nextPullAt('每季度', cst('2025-11-15T00:00:00'))).toEqual(cst('2026-01-01T02:00:00'));
    expect(nextPullAt('每半年', cst('2025-02-15T00:00:00'))).toEqual(cst('2025-07-01T02:00:00'));
    expect(nextPullAt('每半年', cst('2025-07-01T03:00:00'))).toEqual(cst('2026-01-01T02:00:00'));
    expect(nextPullAt('每年', cst('2025-06-30T00:00:00'))).toEqual(cst('2026-01-01T02:00:00'));
    // New Year's Eve 23:00 UTC is already 1 January 07:00 in Shanghai
    expect(nextPullAt('每年', new Date('2025-12-31T23:00:00Z'))).toEqual(cst('2027-01-01T02:00:00'));
  });

  it('不定期 and unknown cycles are never pulled automatically', () => {
    expect(nextPullAt('不定期', cst('2025-03-10T10:00:00'))).toBeNull();
    expect(nextPullAt('IRREGULAR', null)).toBeNull();
    expect(nextPullAt('每两天', cst('2025-03-10T10:00:00'))).toBeNull();
    expect(nextPullAt(null, null)).toBeNull();
  });

  it('a source never pulled is due now', () => {
    const now = cst('2025-03-10T10:00:00');
    expect(nextPullAt('每月', null, { now })).toEqual(now);
    expect(isPullDue('每月', null, now)).toBe(true);
    expect(isPullDue('不定期', null, now)).toBe(false);
  });

  it('isPullDue compares with now; a missed run is due at once', () => {
    const last = cst('2025-03-10T10:00:00');
    expect(isPullDue('每日', last, cst('2025-03-11T01:59:59'))).toBe(false);
    expect(isPullDue('每日', last, cst('2025-03-11T02:00:00'))).toBe(true);
    expect(isPullDue('每日', last, cst('2025-04-01T12:00:00'))).toBe(true);
    expect(isPullDue('实时', last, cst('2025-03-10T10:14:00'))).toBe(false);
    expect(isPullDue('实时', last, cst('2025-03-10T10:15:00'))).toBe(true);
  });
});
