import 'server-only';
import type { Pool } from 'pg';
import type { MigrationListing, PhaseRunRecord } from '../state/records';
import { StateStore } from '../state/state-store';
import { brownoutsOf, type BrownoutRecord } from '../state/brownout-records';
import { scheduleRules } from '../state/propose-schedule-for';
import type { ScheduleRules } from '../timeline/schedule-rules';
import { scheduledChange } from '../timeline/scheduled-change';
import type { TimelineMigration, TimelinePhase } from '../timeline/week-layout';

const RUN_PHASES = new Set<TimelinePhase>(['expand', 'backfill', 'verify', 'contract', 'rollback', 'restore']);

/**
 * Every migration as the timeline draws it: its schedule and what actually ran, with the deploy
 * and monitoring derived from the deploy mark, and the team's schedule rules the page shows.
 */
export async function getTimeline(pool: Pool, now: Date): Promise<{ timeZone: string; rules: ScheduleRules; migrations: TimelineMigration[] }> {
  const store = new StateStore(pool);
  const [timeZone, rules, migrations] = await Promise.all([store.teamTimeZone(), scheduleRules(pool), store.listMigrations()]);
  const [runs, brownouts] = await Promise.all([
    store.phaseRunsOf(migrations.map((m) => m.id)),
    brownoutsOf(
      pool,
      migrations.map((m) => m.id),
    ),
  ]);
  return {
    timeZone,
    rules,
    migrations: migrations.map((m) =>
      toTimeline(
        m,
        runs.get(m.id) ?? [],
        brownouts.filter((b) => b.migrationId === m.id),
        now,
      ),
    ),
  };
}

const BROWNOUT_BAR: Partial<Record<BrownoutRecord['status'], 'succeeded' | 'failed' | 'running'>> = {
  clean: 'succeeded',
  reverted: 'failed',
  running: 'running',
};

function toTimeline(m: MigrationListing, runs: PhaseRunRecord[], brownouts: BrownoutRecord[], now: Date): TimelineMigration {
  const actual: TimelineMigration['actual'] = [];
  for (const r of runs) {
    if (!RUN_PHASES.has(r.phase as TimelinePhase)) continue;
    const status = r.status === 'succeeded' ? 'succeeded' : r.status === 'running' ? 'running' : 'failed';
    actual.push({
      phase: r.phase as TimelinePhase,
      start: r.startedAt,
      end: r.finishedAt ?? (status === 'running' ? null : r.startedAt),
      status,
      actor: r.actor === 'seeded' ? m.createdBy : r.actor,
    });
  }
  if (m.deployedAt) {
    actual.push({ phase: 'deploy', start: m.deployedAt, end: new Date(m.deployedAt.getTime() + 15 * 60_000), status: 'succeeded', actor: m.deployedBy });
    const contract = runs.find((r) => r.phase === 'contract' && r.status === 'succeeded');
    const end = contract?.startedAt ?? (m.status === 'rolled_back' ? (runs.findLast((r) => r.phase === 'rollback')?.startedAt ?? now) : null);
    actual.push({ phase: 'monitor', start: m.deployedAt, end, status: end ? 'succeeded' : 'running', actor: null });
  }
  // Each brownout that began: clean in the success colour, one that broke something in the failure colour, with what broke.
  for (const b of brownouts) {
    const status = BROWNOUT_BAR[b.status];
    if (!status || !b.startedAt) continue;
    actual.push({ phase: 'brownout', start: b.startedAt, end: b.endedAt, status, actor: b.requestedByName, detail: b.outcome ?? 'running' });
  }
  return { ...scheduledChange(m, runs, now), title: m.title, createdBy: m.createdBy, actual, seeded: m.seeded };
}
