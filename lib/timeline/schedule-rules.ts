import { z } from 'zod';

/** Days of the week as the team's rules name them; 0 is Monday, as on the timeline. */
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

const day = z.number().int().min(0).max(6);
const hour = z.number().int().min(0).max(23);

/**
 * The team's rhythm for proposing a new migration's phases (settings 'schedule_rules').
 * Expands go in a few morning slots so a reviewer and the person on call are at work; a slot
 * takes a bounded number of expands so one bad morning does not hit every change at once; the
 * contract waits a buffer of days after the deploy and never lands on a day the team keeps free
 * of destructive changes (Friday and the weekend by default: nobody drops a column before leaving).
 */
export const scheduleRulesSchema = z
  .object({
    expandDays: z.array(day).min(1, 'name at least one expand day').max(7),
    expandHour: hour,
    deployHour: hour,
    maxExpandsPerSlot: z.number().int().min(1).max(50),
    bufferDays: z.number().int().min(1).max(60),
    contractHour: hour,
    noContractDays: z.array(day).max(6, 'leave at least one day for contracts'),
  })
  .refine((r) => r.deployHour > r.expandHour, { message: 'the deploy comes after the expand, the same day', path: ['deployHour'] });

export type ScheduleRules = z.infer<typeof scheduleRulesSchema>;

export const DEFAULT_SCHEDULE_RULES: ScheduleRules = {
  expandDays: [0, 1, 2],
  expandHour: 10,
  deployHour: 14,
  maxExpandsPerSlot: 2,
  bufferDays: 3,
  contractHour: 10,
  noContractDays: [4, 5, 6],
};

/** Stored rules, or the defaults for anything missing or unreadable: a bad setting never blocks planning. */
export function readScheduleRules(stored: unknown): ScheduleRules {
  const parsed = scheduleRulesSchema.safeParse({ ...DEFAULT_SCHEDULE_RULES, ...(typeof stored === 'object' && stored ? stored : {}) });
  return parsed.success ? parsed.data : DEFAULT_SCHEDULE_RULES;
}

const days = (list: number[]) =>
  [...list]
    .sort((a, b) => a - b)
    .map((d) => WEEKDAYS[d])
    .join(', ');
const clock = (h: number) => `${String(h).padStart(2, '0')}:00`;

/** The rules in one line each, as the timeline shows them. */
export function describeScheduleRules(r: ScheduleRules): string[] {
  return [
    `Expands at ${clock(r.expandHour)} on ${days(r.expandDays)}, at most ${r.maxExpandsPerSlot} per slot; the deploy at ${clock(r.deployHour)} the same day.`,
    `Contract at ${clock(r.contractHour)}, at least ${r.bufferDays} day${r.bufferDays === 1 ? '' : 's'} after the deploy${
      r.noContractDays.length ? `, never on ${days(r.noContractDays)}` : ''
    }.`,
    'Two open changes of the same table are never proposed in overlapping weeks; an author who moves one there is warned.',
  ];
}
