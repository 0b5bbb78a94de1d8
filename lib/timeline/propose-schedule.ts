import { addWeeks } from 'date-fns';
import { atLocal, weekStart } from './team-week';

export interface Schedule {
  expandAt: Date;
  deployAt: Date;
  /** Watching starts the day after the deploy. */
  monitorFrom: Date;
  contractAt: Date;
}

/**
 * The team's default rhythm: expand Monday 10:00, code deploy Monday 14:00, monitor from
 * Tuesday, contract Friday 10:00 (team time zone); the next such slot when this week's
 * expand time has passed.
 */
export function proposeSchedule(now: Date, timeZone: string): Schedule {
  let monday = weekStart(now, timeZone);
  if (atLocal(monday, timeZone, 0, 10).getTime() <= now.getTime()) monday = new Date(addWeeks(monday, 1).getTime());
  return {
    expandAt: atLocal(monday, timeZone, 0, 10),
    deployAt: atLocal(monday, timeZone, 0, 14),
    monitorFrom: atLocal(monday, timeZone, 1, 0),
    contractAt: atLocal(monday, timeZone, 4, 10),
  };
}
