import { WorkingDayCalendar } from '@gov/shared';
import { shanghaiToday, workingDaysBetween } from './workingDays';

// The same table the browser loads lazily.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const DATA = require('chinese-days/dist/chinese-days.json');

describe('portal working-day countdown', () => {
  const calendar = new WorkingDayCalendar();
  const day = (base: string, n: number) => new Date(Date.parse(`${base}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

  it('counts as the services count, across holidays, make-up days and both directions', () => {
    for (const base of ['2024-09-25', '2025-09-24', '2026-02-10', '2026-09-28']) {
      for (let n = -20; n <= 20; n++) {
        const other = day(base, n);
        expect([base, other, workingDaysBetween(DATA, base, other)]).toEqual([base, other, calendar.workingDaysBetween(base, other)]);
      }
    }
  });

  it('takes today in Asia/Shanghai', () => {
    expect(shanghaiToday(Date.parse('2024-09-30T15:59:59Z'))).toBe('2024-09-30');
    expect(shanghaiToday(Date.parse('2024-09-30T16:00:00Z'))).toBe('2024-10-01');
  });
});
