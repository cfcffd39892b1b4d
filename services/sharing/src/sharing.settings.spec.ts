import { responseDaysFor, sharingSettingsFrom } from './sharing.settings';

describe('sharing settings', () => {
  it('defaults to 10 working days (51号文) and reads per-region limits', () => {
    const s = sharingSettingsFrom({ SHARING_RESPONSE_DAYS: '{"310000":5,"420702":3}' }, 'secret');
    expect(responseDaysFor(s, '420700')).toBe(10);
    expect(responseDaysFor(s, '310104')).toBe(5); // province fallback
    expect(responseDaysFor(s, '420702')).toBe(3);
  });

  it('stops the boot with the variable’s name on a bad value', () => {
    expect(() => sharingSettingsFrom({ SHARING_RESPONSE_DAYS: '{x' })).toThrow(/SHARING_RESPONSE_DAYS/);
    expect(() => sharingSettingsFrom({ SHARING_RESPONSE_DAYS: '{"default":0}' })).toThrow(/SHARING_RESPONSE_DAYS.default/);
    expect(() => sharingSettingsFrom({ SHARING_FEEDBACK_DAYS: 'abc' })).toThrow(/SHARING_FEEDBACK_DAYS/);
  });

  it('counts across the Spring Festival and 调休 Saturdays (2026: 15–23 Feb off, 14 and 28 Feb worked)', () => {
    const { calendar } = sharingSettingsFrom({});
    expect(calendar.addWorkingDays('2026-02-10', 10)).toBe('2026-03-02');
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true);
    expect(calendar.isWorkingDay('2026-02-28')).toBe(true);
    expect(calendar.workingDaysBetween('2026-02-10', '2026-03-03')).toBe(11);
    // A local extra holiday pushes the deadline (CALENDAR_EXTRA_HOLIDAYS).
    expect(sharingSettingsFrom({ CALENDAR_EXTRA_HOLIDAYS: '2026-02-27' }).calendar.addWorkingDays('2026-02-10', 10)).toBe('2026-03-03');
  });
});
