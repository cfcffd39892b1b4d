/**
 * Working-day countdowns (工作日) in the browser, with the same data and rules as the services'
 * WorkingDayCalendar (libs/shared/src/calendar): weekends, statutory holidays and make-up working
 * days from the `chinese-days` package, dates in Asia/Shanghai. The holiday table (≈ 6 KB gzipped)
 * is loaded on first use, never with the main bundle.
 */
import { useEffect, useState } from 'react';

interface ChineseDays {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let loading: Promise<ChineseDays> | undefined;
const load = () => (loading ??= import('chinese-days/dist/chinese-days.json').then((m) => (m.default ?? m) as ChineseDays));

const DAY = 86_400_000;
const SHANGHAI = 8 * 3_600_000;

/** Today's date in Asia/Shanghai, 'YYYY-MM-DD'. */
export function shanghaiToday(now = Date.now()): string {
  return new Date(now + SHANGHAI).toISOString().slice(0, 10);
}

const epochDay = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY;

function isWorking(data: ChineseDays, day: number): boolean {
  const key = new Date(day * DAY).toISOString().slice(0, 10);
  if (key in data.workdays) return true;
  if (key in data.holidays) return false;
  const w = new Date(day * DAY).getUTCDay();
  return w !== 0 && w !== 6;
}

/** Working days in (a, b], negative when b is before a (the services' workingDaysBetween). */
export function workingDaysBetween(data: ChineseDays, a: string, b: string): number {
  const [from, to] = [epochDay(a), epochDay(b)];
  const [low, high, sign] = from <= to ? [from, to, 1] : [to, from, -1];
  let n = 0;
  for (let d = low + 1; d <= high; d++) if (isWorking(data, d)) n++;
  return n === 0 ? 0 : sign * n;
}

export interface Countdown {
  /** Working days left after today up to the due date (0: due today); negative once overdue. */
  left: number;
  overdue: boolean;
}

/** A function from a due date to its working-day countdown; undefined until the calendar has loaded. */
export function useWorkingDayCountdown(): ((due: string) => Countdown) | undefined {
  const [data, setData] = useState<ChineseDays>();
  useEffect(() => {
    let live = true;
    load()
      .then((d) => live && setData(d))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  if (!data) return undefined;
  const today = shanghaiToday();
  return (due: string) => ({ left: workingDaysBetween(data, today, due), overdue: today > due });
}
