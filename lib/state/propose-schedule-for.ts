import type { ClientBase } from 'pg';
import type { OperationSpec } from '../migrations/types';
import { proposeSchedule, type Schedule } from '../timeline/propose-schedule';
import { readScheduleRules, type ScheduleRules } from '../timeline/schedule-rules';
import { changedColumns, scheduledChange } from '../timeline/scheduled-change';
import { parseSchedule } from './records';
import { FINISHED_STATES } from '../lifecycle/migration-states';
import { teamTimeZone } from './team-time-zone';

/** One key for every proposal: two people creating changes at the same moment must not both take a slot's last place. */
const PROPOSAL_LOCK = 0x6563_7363; // "ecsc"

/** The team's schedule rules (settings 'schedule_rules'), defaults filled in. */
export async function scheduleRules(db: Pick<ClientBase, 'query'>): Promise<ScheduleRules> {
  const { rows } = await db.query<{ value: unknown }>("SELECT value FROM expand_contract.settings WHERE key = 'schedule_rules'");
  return readScheduleRules(rows[0]?.value);
}

/**
 * The next free slot for a new change, read and decided inside the caller's transaction (which
 * must then insert the migration): the advisory lock serialises proposals until it commits.
 */
export async function proposeScheduleFor(db: ClientBase, spec: OperationSpec, now = new Date()): Promise<Schedule> {
  await db.query('SELECT pg_advisory_xact_lock($1)', [PROPOSAL_LOCK]);
  const timeZone = await teamTimeZone(db);
  const rules = await scheduleRules(db);
  const { rows: open } = await db.query('SELECT id, status, spec, schedule FROM expand_contract.migrations WHERE status <> ALL ($1::text[])', [
    FINISHED_STATES,
  ]);
  const { rows: runs } = await db.query(
    // Only these columns (not StateStore.phaseRunsOf's): a signed-in person may read when phases ran, not their errors or who ran them.
    'SELECT migration_id, phase, status, started_at, finished_at FROM expand_contract.phase_runs WHERE migration_id = ANY ($1::bigint[]) ORDER BY started_at',
    [open.map((r) => r.id)],
  );
  const existing = open.map((r) =>
    scheduledChange(
      { id: Number(r.id), status: r.status, spec: r.spec, schedule: parseSchedule(r.schedule) },
      runs
        .filter((run) => run.migration_id === r.id)
        .map((run) => ({ phase: run.phase, status: run.status, startedAt: run.started_at, finishedAt: run.finished_at })),
      now,
    ),
  );
  return proposeSchedule(now, timeZone, rules, existing, changedColumns(spec));
}
