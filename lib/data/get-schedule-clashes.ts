import 'server-only';
import type { Pool } from 'pg';
import { parseSchedule, type MigrationRecord } from '../state/records';
import { StateStore } from '../state/state-store';
import { FINISHED_STATES } from '../lifecycle/migration-states';
import { scheduleClashes, type ScheduleClash } from '../timeline/schedule-windows';
import { changedColumns, scheduledChange } from '../timeline/scheduled-change';

/**
 * Open changes of the same table (or column) whose windows overlap this migration's: the
 * proposal never puts them there, so a clash means someone moved a schedule onto another.
 * Only the open changes of its table are read, whatever the size of the history.
 */
export async function getScheduleClashes(pool: Pool, migration: MigrationRecord, now: Date): Promise<ScheduleClash[]> {
  const { table } = changedColumns(migration.spec);
  if (!table) return [];
  const { rows } = await pool.query(
    `SELECT id, title, status, spec, schedule FROM expand_contract.migrations
      WHERE status <> ALL ($2::text[]) AND (spec->>'schema') || '.' || (spec->>'table') = $1`,
    [table, FINISHED_STATES],
  );
  const store = new StateStore(pool);
  const runs = await store.phaseRunsOf([migration.id, ...rows.map((r) => Number(r.id))]);
  const others = rows.map((r) =>
    scheduledChange(
      { id: Number(r.id), title: r.title, status: r.status, spec: r.spec, schedule: parseSchedule(r.schedule) },
      runs.get(Number(r.id)) ?? [],
      now,
    ),
  );
  return scheduleClashes(scheduledChange(migration, runs.get(migration.id) ?? [], now), others);
}
