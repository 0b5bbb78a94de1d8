/** Who is on call at a time. Pure; the database's expand_contract.on_call_at() does the same. */

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
