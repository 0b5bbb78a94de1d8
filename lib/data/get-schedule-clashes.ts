import 'server-only';
import type { Pool } from 'pg';
import type { MigrationRecord } from '../state/records';
import { StateStore } from '../state/state-store';
import { scheduleClashes, type ScheduleClash } from '../timeline/schedule-windows';
import { scheduledChange } from '../timeline/scheduled-change';

/**
 * Open changes of the same table (or column) whose windows overlap this migration's: the
 * proposal never puts them there, so a clash means someone moved a schedule onto another.
 */
export async function getScheduleClashes(pool: Pool, migration: MigrationRecord, now: Date): Promise<ScheduleClash[]> {
  const store = new StateStore(pool);
  const all = await store.listMigrations();
  const runs = await store.phaseRunsOf(all.map((m) => m.id));
  const changes = all.map((m) => scheduledChange(m, runs.get(m.id) ?? [], now));
  return scheduleClashes(
    changes.find((c) => c.id === migration.id)!,
    changes,
  );
}
