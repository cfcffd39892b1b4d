/**
 * Chinese working-day calendar (工作日历): weekends, statutory holidays (法定节假日) and make-up
 * working days (调休上班), from the `chinese-days` package, plus per-deployment overrides.
 *
 * Dates are calendar dates in Asia/Shanghai (UTC+8, no daylight saving), written 'YYYY-MM-DD'.
 * A `Date` argument is converted to its Shanghai date, so 2024-09-30T23:00:00Z is 2024-10-01.
 * A string argument must be 'YYYY-MM-DD' and is taken as a Shanghai date as it is.
 *
 * The package's functions mix UTC parsing with local-time formatting, so in a process time zone west
 * of UTC they misplace weekdays by one day; we read the package's published JSON data instead,
 * keyed by date string, and compute weekdays ourselves.
 * Years outside the data (see `scheduledYears`) fall back to Monday–Friday.
 */

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
  inLieuDays: Record<string, string>;
}

// The JSON data file is published and documented by chinese-days. It is loaded with require()
// because not every type check of this repo enables resolveJsonModule.
const CHINESE_DAYS: ChineseDaysData = require('chinese-days/dist/chinese-days.json');

const SCHEDULED_YEARS: readonly number[] = Object.freeze(
  [...new Set(Object.keys(CHINESE_DAYS.holidays).map((d) => Number(d.slice(0, 4))))].sort((a, b) => a - b),
);

/** 'YYYY-MM-DD' */
export type CalendarDate = string;
export type CalendarDateInput = Date | CalendarDate;

const MS_PER_DAY = 86_400_000;
export const SHANGHAI_UTC_OFFSET_MS = 8 * 3_600_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The Asia/Shanghai calendar date of an instant, or a validated 'YYYY-MM-DD' string. */
export function toShanghaiDate(input: CalendarDateInput): CalendarDate {
  return formatDay(toEpochDay(input));
}

/** The last millisecond of a Shanghai calendar date (23:59:59.999+08:00), e.g. to store a due time. */
export function shanghaiEndOfDay(date: CalendarDateInput): Date {
  return new Date((toEpochDay(date) + 1) * MS_PER_DAY - SHANGHAI_UTC_OFFSET_MS - 1);
}

export interface WorkingDayCalendarOptions {
  /** Extra days off (e.g. a local holiday), 'YYYY-MM-DD'. */
  extraHolidays?: readonly string[];
  /** Extra working days (e.g. a local make-up day), 'YYYY-MM-DD'. */
  extraWorkdays?: readonly string[];
}

export interface DeadlineStatus {
  /** The last day on which the deadline is met. */
  dueDate: CalendarDate;
  /** End of the due date in Shanghai. */
  dueAt: Date;
  /**
   * Working days after today up to and including the due date: 0 means due today. Once overdue,
   * minus the working days elapsed since the due date (0 if only days off have passed).
   */
  remainingWorkingDays: number;
  /** True from the day after the due date. */
  overdue: boolean;
}

export class WorkingDayCalendar {
  private readonly extraHolidays: ReadonlySet<CalendarDate>;
  private readonly extraWorkdays: ReadonlySet<CalendarDate>;

  constructor(options: WorkingDayCalendarOptions = {}) {
    this.extraHolidays = new Set((options.extraHolidays ?? []).map(toShanghaiDate));
    this.extraWorkdays = new Set((options.extraWorkdays ?? []).map(toShanghaiDate));
    const both = [...this.extraHolidays].filter((d) => this.extraWorkdays.has(d));
    if (both.length > 0) throw new RangeError(`Dates both extra holiday and extra workday: ${both.join(', ')}`);
  }

  /** Years for which the package has the State Council's holiday schedule (国务院办公厅部分节假日安排). */
  static scheduledYears(): readonly number[] {
    return SCHEDULED_YEARS;
  }

  static hasOfficialSchedule(year: number): boolean {
    return SCHEDULED_YEARS.includes(year);
  }

  isWorkingDay(date: CalendarDateInput): boolean {
    return this.isWorkingEpochDay(toEpochDay(date));
  }

  /**
   * The n-th working day after `start`; the start day itself never counts (民法典第二百零一条:
   * 开始的当日不计入), whether or not it is a working day. n = 0 returns the start date; a negative n
   * counts back to the |n|-th working day before it.
   */
  addWorkingDays(start: CalendarDateInput, n: number): CalendarDate {
    if (!Number.isSafeInteger(n)) throw new RangeError(`Working-day count must be an integer, got ${n}`);
    let day = toEpochDay(start);
    const step = n < 0 ? -1 : 1;
    for (let left = Math.abs(n); left > 0; ) {
      day += step;
      if (this.isWorkingEpochDay(day)) left--;
    }
    return formatDay(day);
  }

  /**
   * Working days in (a, b]: after a, up to and including b, the inverse of addWorkingDays, so
   * workingDaysBetween(s, addWorkingDays(s, n)) === n. Negative when b is before a.
   */
  workingDaysBetween(a: CalendarDateInput, b: CalendarDateInput): number {
    const from = toEpochDay(a);
    const to = toEpochDay(b);
    const [low, high, sign] = from <= to ? [from, to, 1] : [to, from, -1];
    let count = 0;
    for (let day = low + 1; day <= high; day++) if (this.isWorkingEpochDay(day)) count++;
    return count === 0 ? 0 : sign * count;
  }

  /** Due date and standing of a limit of `limitDays` working days counted from `start`, as seen at `now`. */
  deadlineStatus(start: CalendarDateInput, limitDays: number, now: CalendarDateInput): DeadlineStatus {
    if (!Number.isSafeInteger(limitDays) || limitDays < 0) throw new RangeError(`Working-day limit must be a non-negative integer, got ${limitDays}`);
    const dueDate = this.addWorkingDays(start, limitDays);
    const today = toShanghaiDate(now);
    return {
      dueDate,
      dueAt: shanghaiEndOfDay(dueDate),
      remainingWorkingDays: this.workingDaysBetween(today, dueDate),
      overdue: today > dueDate,
    };
  }

  private isWorkingEpochDay(day: number): boolean {
    const key = formatDay(day);
    if (this.extraWorkdays.has(key)) return true;
    if (this.extraHolidays.has(key)) return false;
    if (key in CHINESE_DAYS.workdays) return true;
    if (key in CHINESE_DAYS.holidays) return false;
    const weekday = new Date(day * MS_PER_DAY).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }
}

/** Days since 1970-01-01 of the Shanghai calendar date. */
function toEpochDay(input: CalendarDateInput): number {
  if (input instanceof Date) {
    const ms = input.getTime();
    if (Number.isNaN(ms)) throw new RangeError('Invalid Date');
    return Math.floor((ms + SHANGHAI_UTC_OFFSET_MS) / MS_PER_DAY);
  }
  const match = typeof input === 'string' ? DATE_PATTERN.exec(input) : null;
  if (!match) throw new RangeError(`Expected a Date or a 'YYYY-MM-DD' string, got ${String(input)}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`Not a calendar date: ${input}`);
  }
  return ms / MS_PER_DAY;
}

function formatDay(epochDay: number): CalendarDate {
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
}
