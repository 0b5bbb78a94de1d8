import 'server-only';
import type { Pool } from 'pg';
import type { MigrationRecord, PhaseRunRecord } from '../state/records';
import { StateStore } from '../state/state-store';
import type { TimelineMigration, TimelinePhase } from '../timeline/week-layout';

const RUN_PHASES = new Set<TimelinePhase>(['expand', 'backfill', 'contract', 'rollback', 'restore']);

/** Every migration as the timeline draws it: its schedule and what actually ran, with the deploy and monitoring derived from the deploy mark. */
export async function getTimeline(pool: Pool, now: Date): Promise<{ timeZone: string; migrations: TimelineMigration[] }> {
  const store = new StateStore(pool);
  const timeZone = await store.teamTimeZone();
  const migrations = await store.listMigrations();
  const runs = await store.phaseRunsOf(migrations.map((m) => m.id));
  return { timeZone, migrations: migrations.map((m) => toTimeline(m, runs.get(m.id) ?? [], now)) };
}

function toTimeline(m: MigrationRecord, runs: PhaseRunRecord[], now: Date): TimelineMigration {
  const actual: TimelineMigration['actual'] = [];
  for (const r of runs) {
    if (!RUN_PHASES.has(r.phase as TimelinePhase)) continue;
    const status = r.status === 'succeeded' ? 'succeeded' : r.status === 'running' ? 'running' : 'failed';
    actual.push({ phase: r.phase as TimelinePhase, start: r.startedAt, end: r.finishedAt ?? (status === 'running' ? null : r.startedAt), status });
  }
  if (m.deployedAt) {
    actual.push({ phase: 'deploy', start: m.deployedAt, end: new Date(m.deployedAt.getTime() + 15 * 60_000), status: 'succeeded' });
    const contract = runs.find((r) => r.phase === 'contract' && r.status === 'succeeded');
    const end = contract?.startedAt ?? (m.status === 'rolled_back' ? (runs.findLast((r) => r.phase === 'rollback')?.startedAt ?? now) : null);
    actual.push({ phase: 'monitor', start: m.deployedAt, end, status: end ? 'succeeded' : 'running' });
  }
  const op = m.spec as { schema?: string; table?: string };
  return {
    id: m.id,
    title: m.title,
    table: op.table ? `${op.schema ?? 'public'}.${op.table}` : null,
    status: m.status,
    schedule: m.schedule,
    actual,
    seeded: m.seeded,
  };
}
