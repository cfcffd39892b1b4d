export {
  WorkingDayCalendar,
  toShanghaiDate,
  shanghaiEndOfDay,
  SHANGHAI_UTC_OFFSET_MS,
} from './working-day-calendar';
export type { CalendarDate, CalendarDateInput, WorkingDayCalendarOptions, DeadlineStatus } from './working-day-calendar';
