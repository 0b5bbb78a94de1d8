import { TZDate } from '@date-fns/tz';
import { addDays, startOfWeek } from 'date-fns';
import { dateTimeFormat } from './date-time-format';

/** Monday 00:00 of the week containing `at`, in the team's time zone. */
export function weekStart(at: Date, timeZone: string): Date {
  const local = new TZDate(at.getTime(), timeZone);
  return new Date(startOfWeek(local, { weekStartsOn: 1 }).getTime());
}

/** The seven days of the week starting at `monday` (local midnights; a DST change makes a day 23 or 25 hours). */
export function weekDays(monday: Date, timeZone: string): { start: Date; end: Date; label: string; weekend: boolean }[] {
  const local = new TZDate(monday.getTime(), timeZone);
  return Array.from({ length: 7 }, (_, i) => {
    const start = addDays(local, i);
    const end = addDays(local, i + 1);
    return {
      start: new Date(start.getTime()),
      end: new Date(end.getTime()),
      label: dateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone }).format(start),
      weekend: i >= 5,
    };
  });
}

/** A local wall-clock time on a given weekday of the week starting at `monday` (0 = Monday). */
export function atLocal(monday: Date, timeZone: string, dayIndex: number, hour: number, minute = 0): Date {
  const day = addDays(new TZDate(monday.getTime(), timeZone), dayIndex);
  return new Date(new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), hour, minute, timeZone).getTime());
}

/** "2026-11-23" (a Monday, or any day of the wanted week) → that week's Monday; null for nonsense. */
export function parseWeek(text: string | undefined, timeZone: string): Date | null {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const local = new TZDate(y, m - 1, d, 12, 0, timeZone);
  if (Number.isNaN(local.getTime()) || local.getDate() !== d) return null;
  return weekStart(new Date(local.getTime()), timeZone);
}

/** The week's Monday as YYYY-MM-DD in the team's zone, for links. */
export function weekParam(monday: Date, timeZone: string): string {
  const local = new TZDate(monday.getTime(), timeZone);
  return `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}`;
}
