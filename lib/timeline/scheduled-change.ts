import type { OperationSpec } from '../migrations/types';
import type { Schedule } from './propose-schedule';
import { isOpen, type ScheduledChange } from './schedule-windows';

/** The table and columns a change touches, as schema.table and schema.table.column (old and new names). */
export function changedColumns(spec: OperationSpec): { table: string | null; columns: string[] } {
  if (spec.kind === 'raw-sql') return { table: null, columns: [] };
  const table = `${spec.schema}.${spec.table}`;
  const names = [spec.column, spec.kind === 'rename-column' ? spec.newName : spec.kind === 'change-type' ? spec.newColumn : null];
  return { table, columns: names.filter((n): n is string => !!n).map((n) => `${table}.${n}`) };
}

interface RunLike {
  phase: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
}

/**
 * A migration as the schedule rules see it: its table and columns, and the window it holds them
 * in, from the first expand that ran to the contract or rollback that ended it (an open change
 * that already ran holds its table until it ends, whatever the plan said).
 */
export function scheduledChange(
  m: { id: number; title?: string; status: string; spec: OperationSpec; schedule: Schedule | null },
  runs: RunLike[],
  now: Date,
): ScheduledChange {
  const expand = runs.find((r) => r.phase === 'expand' && r.status !== 'failed');
  // Finished: it held the table until its last contract or rollback ended. Still open (a restored change too) past
  // its planned contract: it holds the table until now, at least.
  const end = isOpen(m.status) ? undefined : runs.findLast((r) => ['contract', 'rollback', 'restore'].includes(r.phase) && r.status === 'succeeded');
  const ranUntil = end ? (end.finishedAt ?? end.startedAt) : expand && m.schedule && m.schedule.contractAt < now ? now : null;
  return { id: m.id, title: m.title, status: m.status, schedule: m.schedule, ...changedColumns(m.spec), ranFrom: expand?.startedAt ?? null, ranUntil };
}
