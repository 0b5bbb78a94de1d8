import { FINISHED_STATES, type MigrationState } from '../lifecycle/migration-states';
import type { Schedule } from './propose-schedule';

/** A migration as the schedule sees it: what it changes and when it holds its table. */
export interface ScheduledChange {
  id: number;
  title?: string;
  status: string;
  /** schema.table, or null for raw SQL that names no one table. */
  table: string | null;
  /** The columns it touches, as schema.table.column (old and new names). */
  columns: string[];
  schedule: Schedule | null;
  /** When it actually began and ended, where known: the window follows what ran. */
  ranFrom?: Date | null;
  ranUntil?: Date | null;
}

export interface ScheduleClash {
  id: number;
  title?: string;
  /** 'column' when both touch one column (the sync triggers of both would fire on it), else 'table'. */
  on: 'column' | 'table';
  /** The column or table they share. */
  name: string;
}

/** Not finished, as the lifecycle says: a restored change may still be contracted again, so it still holds its table. */
export const isOpen = (status: string) => !FINISHED_STATES.includes(status as MigrationState);

/**
 * The span a change holds its table: from its expand (as run, else as planned) to an hour past
 * its contract (as run, else as planned). Null when it has neither schedule nor runs.
 */
export function holdWindow(c: ScheduledChange, hour = 3_600_000): { from: number; to: number } | null {
  const from = c.ranFrom ?? c.schedule?.expandAt ?? null;
  const until = c.ranUntil ?? c.schedule?.contractAt ?? null;
  if (!from || !until) return null;
  return { from: from.getTime(), to: Math.max(until.getTime(), from.getTime()) + hour };
}

/**
 * Open changes whose windows overlap this one's on the same table, naming the column when they
 * share one: two expand-contracts of one column fight over its triggers and its backfill.
 */
export function scheduleClashes(change: ScheduledChange, others: ScheduledChange[]): ScheduleClash[] {
  if (!isOpen(change.status) || !change.table) return [];
  const mine = holdWindow(change);
  if (!mine) return [];
  const clashes: ScheduleClash[] = [];
  for (const o of others) {
    if (o.id === change.id || !isOpen(o.status) || o.table !== change.table) continue;
    const theirs = holdWindow(o);
    if (!theirs || theirs.from >= mine.to || mine.from >= theirs.to) continue;
    const shared = change.columns.find((c) => o.columns.includes(c));
    clashes.push({ id: o.id, title: o.title, on: shared ? 'column' : 'table', name: shared ?? change.table });
  }
  return clashes;
}

/** "same column public.leads.user_email as #5", "same table public.leads as #5 and #7". */
export function describeClashes(clashes: ScheduleClash[]): string[] {
  const groups = new Map<string, number[]>();
  for (const c of clashes) groups.set(`${c.on} ${c.name}`, [...(groups.get(`${c.on} ${c.name}`) ?? []), c.id]);
  return [...groups].map(([what, ids]) => `same ${what} as #${ids.join(', #')} in overlapping windows`);
}
