import { spawnSync } from 'child_process';
import * as path from 'path';
import * as chineseDays from 'chinese-days';
import { WorkingDayCalendar, shanghaiEndOfDay, toShanghaiDate } from './working-day-calendar';

const calendar = new WorkingDayCalendar();

describe('Shanghai calendar dates', () => {
  it('takes the Shanghai date of an instant', () => {
    expect(toShanghaiDate(new Date('2024-09-30T15:59:59.999Z'))).toBe('2024-09-30');
    expect(toShanghaiDate(new Date('2024-09-30T16:00:00Z'))).toBe('2024-10-01');
    expect(toShanghaiDate(new Date('2024-09-30T23:00:00Z'))).toBe('2024-10-01');
  });

  it('takes a date string as it is and rejects anything else', () => {
    expect(toShanghaiDate('2024-02-29')).toBe('2024-02-29');
    expect(() => toShanghaiDate('2023-02-29')).toThrow(RangeError);
    expect(() => toShanghaiDate('2024/10/01')).toThrow(RangeError);
    expect(() => toShanghaiDate('2024-10-01T00:00:00Z')).toThrow(RangeError);
    expect(() => toShanghaiDate(new Date('nonsense'))).toThrow('Invalid Date');
  });

  it('gives the end of a Shanghai day as an instant', () => {
    expect(shanghaiEndOfDay('2024-10-16').toISOString()).toBe('2024-10-16T15:59:59.999Z');
  });
});

describe('isWorkingDay from the chinese-days data', () => {
  it.each([
    // 2024 国庆: 10-01…10-07 off; Sun 09-29 and Sat 10-12 are 调休 working days
    ['2024-09-29', true],
    ['2024-09-30', true],
    ['2024-10-01', false],
    ['2024-10-07', false],
    ['2024-10-08', true],
    ['2024-10-12', true],
    ['2024-10-13', false],
    // 2025 国庆+中秋: 10-01…10-08 off; Sun 09-28 and Sat 10-11 worked
    ['2025-09-28', true],
    ['2025-10-08', false],
    ['2025-10-09', true],
    ['2025-10-11', true],
    // 2026 春节: 02-15…02-23 off; Sat 02-14 and Sat 02-28 worked; 国庆 make-up days Sun 09-20 and Sat 10-10
    ['2026-02-14', true],
    ['2026-02-16', false],
    ['2026-02-23', false],
    ['2026-02-28', true],
    ['2026-09-20', true],
    ['2026-10-07', false],
    ['2026-10-10', true],
    // plain weekdays and weekends
    ['2025-03-12', true],
    ['2025-03-15', false],
  ])('%s working: %s', (date, working) => {
    expect(calendar.isWorkingDay(date)).toBe(working);
  });

  it('judges an instant by its Shanghai date', () => {
    // Monday 2024-09-30 23:00 UTC is Tuesday 2024-10-01 07:00 in Shanghai: 国庆.
    expect(calendar.isWorkingDay(new Date('2024-09-30T23:00:00Z'))).toBe(false);
    expect(calendar.isWorkingDay(new Date('2024-09-30T15:00:00Z'))).toBe(true);
  });

  // The package's own functions are reliable only in a process time zone at or east of UTC.
  const itEastOfUtc = new Date(2024, 0, 1).getTimezoneOffset() <= 0 ? it : it.skip;

  itEastOfUtc('agrees with chinese-days for every day of 2024–2026', () => {
    const day = new Date(2024, 0, 1);
    const mismatches: string[] = [];
    for (; day.getFullYear() <= 2026; day.setDate(day.getDate() + 1)) {
      const key = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
      if (calendar.isWorkingDay(key) !== chineseDays.isWorkday(new Date(day))) mismatches.push(key);
    }
    expect(mismatches).toEqual([]);
  });

  it('does not depend on the process time zone', () => {
    // Jest cannot change the zone of its own process, so load the calendar in a Node child west of UTC,
    // where the package's own functions shift every holiday by one day.
    const script = `
      const ts = require('typescript');
      const fs = require('fs');
      require.extensions['.ts'] = (m, file) => m._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      }).outputText, file);
      const { WorkingDayCalendar } = require(${JSON.stringify(require.resolve('./working-day-calendar'))});
      const c = new WorkingDayCalendar();
      console.log(JSON.stringify({
        offset: new Date(2024, 0, 1).getTimezoneOffset(),
        oct7: c.isWorkingDay('2024-10-07'),
        sep29: c.isWorkingDay('2024-09-29'),
        next: c.addWorkingDays('2024-09-30', 1),
        monday: c.isWorkingDay('2024-10-14'),
        saturday: c.isWorkingDay('2024-10-19'),
        instant: c.isWorkingDay(new Date('2024-09-30T23:00:00Z')),
      }));`;
    const child = spawnSync(process.execPath, ['-e', script], {
      cwd: path.resolve(__dirname, '../../../..'),
      env: { ...process.env, TZ: 'America/New_York' },
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      offset: 300,
      oct7: false,
      sep29: true,
      next: '2024-10-08',
      monday: true,
      saturday: false,
      instant: false,
    });
  });

  it('knows which years have an official schedule and falls back to Monday–Friday after them', () => {
    expect(WorkingDayCalendar.scheduledYears()).toEqual(expect.arrayContaining([2024, 2025, 2026]));
    expect(WorkingDayCalendar.hasOfficialSchedule(2026)).toBe(true);
    expect(WorkingDayCalendar.hasOfficialSchedule(2099)).toBe(false);
    expect(calendar.isWorkingDay('2099-01-01')).toBe(true); // a Thursday; no 元旦 data for 2099
    expect(calendar.isWorkingDay('2099-01-03')).toBe(false); // Saturday
  });
});

describe('addWorkingDays', () => {
  it('does not count the start day and skips the holiday', () => {
    expect(calendar.addWorkingDays('2024-09-30', 1)).toBe('2024-10-08');
    expect(calendar.addWorkingDays('2025-09-30', 1)).toBe('2025-10-09');
    expect(calendar.addWorkingDays('2026-09-30', 1)).toBe('2026-10-08');
  });

  it('lands on a 调休 Saturday or Sunday', () => {
    expect(calendar.addWorkingDays('2024-09-27', 1)).toBe('2024-09-29');
    expect(calendar.addWorkingDays('2026-02-13', 1)).toBe('2026-02-14');
    expect(calendar.addWorkingDays('2026-02-14', 1)).toBe('2026-02-24');
  });

  it('counts ten working days across 国庆 2024', () => {
    // 09-29, 09-30, 10-08, 10-09, 10-10, 10-11, 10-12 (Sat, worked), 10-14, 10-15, 10-16
    expect(calendar.addWorkingDays('2024-09-27', 10)).toBe('2024-10-16');
    expect(calendar.addWorkingDays(new Date('2024-09-27T09:30:00+08:00'), 10)).toBe('2024-10-16');
  });

  it('starts from a day off the same way', () => {
    expect(calendar.addWorkingDays('2024-10-03', 1)).toBe('2024-10-08');
    expect(calendar.addWorkingDays('2024-10-05', 0)).toBe('2024-10-05');
  });

  it('counts backwards for negative n', () => {
    expect(calendar.addWorkingDays('2024-10-08', -1)).toBe('2024-09-30');
    expect(calendar.addWorkingDays('2024-10-08', -3)).toBe('2024-09-27');
  });

  it('rejects non-integer counts', () => {
    expect(() => calendar.addWorkingDays('2024-10-08', 1.5)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('counts working days after a, up to and including b', () => {
    expect(calendar.workingDaysBetween('2024-09-27', '2024-10-16')).toBe(10);
    expect(calendar.workingDaysBetween('2024-09-30', '2024-10-07')).toBe(0);
    expect(calendar.workingDaysBetween('2024-09-30', '2024-10-08')).toBe(1);
    expect(calendar.workingDaysBetween('2024-10-16', '2024-10-16')).toBe(0);
  });

  it('is negative when b is before a', () => {
    expect(calendar.workingDaysBetween('2024-10-16', '2024-09-27')).toBe(-10);
    expect(Object.is(calendar.workingDaysBetween('2024-10-07', '2024-09-30'), 0)).toBe(true);
  });

  it('inverts addWorkingDays', () => {
    for (const start of ['2024-09-27', '2025-09-26', '2026-02-10', '2026-12-30']) {
      for (const n of [0, 1, 5, 10, 20]) {
        expect(calendar.workingDaysBetween(start, calendar.addWorkingDays(start, n))).toBe(n);
      }
    }
  });
});

describe('deadlineStatus', () => {
  // A conditional-share request received on Friday 2024-09-27 must be answered within 10 working days.
  const start = new Date('2024-09-27T10:00:00+08:00');

  it('counts remaining working days while running', () => {
    expect(calendar.deadlineStatus(start, 10, new Date('2024-10-08T10:00:00+08:00'))).toEqual({
      dueDate: '2024-10-16',
      dueAt: new Date('2024-10-16T23:59:59.999+08:00'),
      remainingWorkingDays: 7,
      overdue: false,
    });
  });

  it('is due, not overdue, on the due date', () => {
    const status = calendar.deadlineStatus(start, 10, new Date('2024-10-16T23:59:00+08:00'));
    expect(status).toMatchObject({ remainingWorkingDays: 0, overdue: false });
  });

  it('is overdue from the next Shanghai day, even when UTC still shows the due date', () => {
    const status = calendar.deadlineStatus(start, 10, new Date('2024-10-16T16:30:00Z'));
    expect(status).toMatchObject({ remainingWorkingDays: -1, overdue: true });
  });

  it('is overdue with 0 remaining when only days off have passed', () => {
    // Due Friday 2024-10-18; on Saturday nothing has been worked since, but the deadline is past.
    const status = calendar.deadlineStatus('2024-10-16', 2, '2024-10-19');
    expect(status).toMatchObject({ dueDate: '2024-10-18', remainingWorkingDays: 0, overdue: true });
  });

  it('rejects negative limits', () => {
    expect(() => calendar.deadlineStatus(start, -1, start)).toThrow(RangeError);
  });
});

describe('configuration overrides', () => {
  it('adds local holidays and working days', () => {
    const local = new WorkingDayCalendar({ extraHolidays: ['2024-10-08'], extraWorkdays: ['2024-10-05'] });
    expect(local.isWorkingDay('2024-10-08')).toBe(false);
    expect(local.isWorkingDay('2024-10-05')).toBe(true);
    expect(local.addWorkingDays('2024-09-30', 1)).toBe('2024-10-05');
    expect(local.addWorkingDays('2024-09-30', 2)).toBe('2024-10-09');
    expect(calendar.isWorkingDay('2024-10-08')).toBe(true);
  });

  it('rejects malformed and contradictory overrides', () => {
    expect(() => new WorkingDayCalendar({ extraHolidays: ['2024-13-01'] })).toThrow(RangeError);
    expect(() => new WorkingDayCalendar({ extraHolidays: ['2024-10-08'], extraWorkdays: ['2024-10-08'] })).toThrow('2024-10-08');
  });
});
