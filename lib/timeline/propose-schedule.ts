import { addDays } from 'date-fns';
import { TZDate } from '@date-fns/tz';
import { DEFAULT_SCHEDULE_RULES, type ScheduleRules } from './schedule-rules';
import { holdWindow, isOpen, type ScheduledChange } from './schedule-windows';
import { atLocal, weekStart } from './team-week';

export interface Schedule {
  expandAt: Date;
  deployAt: Date;
  /** Watching starts the day after the deploy. */
  monitorFrom: Date;
  contractAt: Date;
}

/** How far ahead a proposal looks for a free slot before it settles for the first one. */
const HORIZON_WEEKS = 26;

/** The phases for an expand at `expandAt`: the deploy that day, monitoring from the next, the contract on the first allowed day after the buffer. */
export function scheduleFrom(expandAt: Date, timeZone: string, rules: ScheduleRules): Schedule {
  const local = new TZDate(expandAt.getTime(), timeZone);
  const at = (days: number, hour: number) => new Date(new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + days, hour, 0, timeZone).getTime());
  let offset = rules.bufferDays;
  // 0 = Monday, as the rules count days.
  const weekday = (days: number) => (addDays(local, days).getDay() + 6) % 7;
  while (rules.noContractDays.includes(weekday(offset))) offset += 1;
  return { expandAt, deployAt: at(0, rules.deployHour), monitorFrom: at(1, 0), contractAt: at(offset, rules.contractHour) };
}

/**
 * The next slot in the team's rhythm that is still free: the slot holds fewer than the rules'
 * expands, and no open change of the same table holds an overlapping window. With nothing
 * free within half a year, the first slot (the timeline then warns about the clash).
 */
export function proposeSchedule(
  now: Date,
  timeZone: string,
  rules: ScheduleRules = DEFAULT_SCHEDULE_RULES,
  existing: ScheduledChange[] = [],
  change: Pick<ScheduledChange, 'table' | 'columns'> = { table: null, columns: [] },
): Schedule {
  const open = existing.filter((e) => isOpen(e.status));
  const days = [...new Set(rules.expandDays)].sort((a, b) => a - b);
  let first: Schedule | null = null;
  for (let week = 0; week < HORIZON_WEEKS; week++) {
    const monday = weekStart(new Date(weekStart(now, timeZone).getTime() + week * 7 * 86_400_000 + 12 * 3_600_000), timeZone);
    for (const day of days) {
      const expandAt = atLocal(monday, timeZone, day, rules.expandHour);
      if (expandAt.getTime() <= now.getTime()) continue;
      const candidate = scheduleFrom(expandAt, timeZone, rules);
      first ??= candidate;
      const inSlot = open.filter((e) => e.schedule && !e.ranFrom && e.schedule.expandAt.getTime() === expandAt.getTime()).length;
      if (inSlot >= rules.maxExpandsPerSlot) continue;
      const mine = holdWindow({ id: 0, status: 'planned', table: change.table, columns: change.columns, schedule: candidate })!;
      const clash =
        change.table !== null &&
        open.some((e) => {
          if (e.table !== change.table) return false;
          const w = holdWindow(e);
          return w !== null && w.from < mine.to && mine.from < w.to;
        });
      if (!clash) return candidate;
    }
  }
  return first!;
}
