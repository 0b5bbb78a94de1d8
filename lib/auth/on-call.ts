/** Who is on call at a time. Pure; the database's expand_contract.on_call_at() does the same. */
import { AppError } from '../errors/app-error';

export interface OnCallSchedule {
  /** The first shift's start; shifts follow every shiftDays (before it too). */
  startsAt: Date;
  shiftDays: number;
  /** User ids in rotation order. */
  rotation: string[];
  overrides: { userId: string; startsAt: Date; endsAt: Date; createdAt: Date; id?: number }[];
}

const DAY = 86_400_000;

export function onCallAt(schedule: OnCallSchedule, at: Date): string | null {
  const t = at.getTime();
  // The latest override covering the time wins: a later swap replaces an earlier one.
  const override = schedule.overrides
    .filter((o) => t >= o.startsAt.getTime() && t < o.endsAt.getTime())
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id ?? 0) - (a.id ?? 0))[0];
  if (override) return override.userId;
  const n = schedule.rotation.length;
  if (n === 0) return null;
  const shift = Math.floor((t - schedule.startsAt.getTime()) / (Math.max(1, schedule.shiftDays) * DAY));
  return schedule.rotation[((shift % n) + n) % n]!;
}

/** A rotation or override the rules refuse: said to the admin or the operator as it is. */
export class OnCallRuleError extends AppError {
  readonly code = 'on-call-rule';
  readonly kind = 'invalid';
  constructor(message: string) {
    super(message);
    this.name = 'OnCallRuleError';
  }
}

/** Shifts are whole days, at least one (the database's set_oncall_shifts() refuses the rest). */
export function checkShiftDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new OnCallRuleError('a shift is a whole number of days, from 1 to 366');
  return days;
}

/** An override covers a time span: from strictly before to (the table's CHECK says the same). */
export function checkOverrideWindow(from: Date, to: Date): void {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new OnCallRuleError('an override needs both its from and to times');
  if (to.getTime() <= from.getTime()) throw new OnCallRuleError('an override ends after it starts: "to" must be later than "from"');
}

/** The rotation as typed: emails separated by commas, spaces or lines, in order. */
export const parseRotationEmails = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);

/** The default first handover: the next Monday 09:00 UTC strictly after `now` (a week on, on a Monday after 09:00). */
export function nextMondayNine(now: Date): Date {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 9));
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7));
  if (d.getTime() <= now.getTime()) d.setUTCDate(d.getUTCDate() + 7);
  return d;
}

/**
 * A time typed into the Admin page's forms, read as UTC when it names no zone (a datetime-local
 * field's "2026-12-07T09:00"): the page says its times are UTC, as the rotation's are.
 */
export function parseUtcDateTime(text: string): Date {
  const t = text.trim();
  return new Date(/(Z|[+-]\d{2}:?\d{2})$/i.test(t) || t === '' ? t : `${t}Z`);
}
