import 'server-only';
import type { Pool } from 'pg';
import type { MigrationRecord } from '../state/records';
import { StateStore } from '../state/state-store';
import { downsample } from '../metrics/downsample';
import { loadErrorSeries } from '../signals/error-evidence';
import { legacyColumn, legacyUsage } from '../signals/legacy-usage';

export const MAX_CHART_POINTS = 2000;

export interface ChartPhase {
  phase: string;
  from: number;
  to: number;
}

/** Everything the migration's charts draw, as plain numbers (epoch ms): it crosses to a client component. */
export interface MigrationCharts {
  from: number;
  to: number;
  errors: { t: number; requests: number; errors: number; postgres: number; rate: number | null }[];
  /** Error rate over the hour before the expand, the line the phases are judged against. */
  baselineRate: number | null;
  legacy: { t: number; reads: number; writes: number; unknown: number }[] | null;
  phases: ChartPhase[];
  /** Phases after which the gate saw a regression: shaded red from there on. */
  regressionsFrom: number[];
  samplerRan: boolean;
}

/** From an hour before the expand (or the creation) to now, at most MAX_CHART_POINTS per series. */
export async function getMigrationCharts(pool: Pool, migration: MigrationRecord, now: Date, regressionPhases: string[]): Promise<MigrationCharts> {
  const store = new StateStore(pool);
  const runs = await store.phaseRuns(migration.id);
  const expandRun = runs.find((r) => r.phase === 'expand' && r.status === 'succeeded');
  const start = (expandRun?.startedAt ?? migration.createdAt).getTime();
  const from = start - 3_600_000;
  const to = now.getTime();

  const series = await loadErrorSeries(pool, migration.target, new Date(from), now, migration.services);
  const perMinute = new Map<number, { t: number; requests: number; errors: number; postgres: number }>();
  for (const s of series) {
    for (const m of s.minutes) {
      const t = m.minute.getTime();
      const p = perMinute.get(t) ?? { t, requests: 0, errors: 0, postgres: 0 };
      if (s.source === 'app') {
        p.requests += m.requests;
        p.errors += m.errors;
      } else p.postgres += m.errors;
      perMinute.set(t, p);
    }
  }
  // The minute under way is not over: its few requests so far would draw a drop (or a spike) that is not there.
  const currentMinute = Math.floor(to / 60_000) * 60_000;
  const complete = [...perMinute.values()].filter((p) => p.t < currentMinute);
  const errors = downsample(complete, ['requests', 'errors', 'postgres'] as const, from, to, MAX_CHART_POINTS).map((b) => ({
    ...b,
    rate: b.requests > 0 ? b.errors / b.requests : null,
  }));
  // The minute the expand began counts as after it, as in the gate's comparison.
  const startMinute = Math.floor(start / 60_000) * 60_000;
  const before = [...perMinute.values()].filter((p) => p.t >= from && p.t < startMinute);
  const beforeRequests = before.reduce((n, p) => n + p.requests, 0);
  const baselineRate = beforeRequests > 0 ? before.reduce((n, p) => n + p.errors, 0) / beforeRequests : null;

  const column = legacyColumn(migration.spec);
  let legacy: MigrationCharts['legacy'] = null;
  let samplerRan = false;
  if (column) {
    const usage = await legacyUsage(pool, migration.target, column, new Date(from), now);
    samplerRan = usage.samples > 0;
    legacy = downsample(
      usage.intervals.map((i) => ({ t: i.at.getTime(), reads: i.reads, writes: i.writes, unknown: i.unknown })),
      ['reads', 'writes', 'unknown'] as const,
      from,
      to + 1,
      MAX_CHART_POINTS,
    );
  }

  const phases: ChartPhase[] = runs
    .filter((r) => r.status === 'succeeded' || r.status === 'running')
    .map((r) => ({ phase: r.phase, from: r.startedAt.getTime(), to: (r.finishedAt ?? now).getTime() }));
  if (migration.deployedAt) {
    const contract = runs.find((r) => r.phase === 'contract' && r.status === 'succeeded');
    phases.push({ phase: 'monitor', from: migration.deployedAt.getTime(), to: (contract?.startedAt ?? now).getTime() });
  }
  const marks: Record<string, number | undefined> = { expand: expandRun?.startedAt.getTime(), deploy: migration.deployedAt?.getTime() };
  const regressionsFrom = regressionPhases.map((p) => marks[p]).filter((t): t is number => t !== undefined);
  return { from, to, errors, baselineRate, legacy, phases, regressionsFrom, samplerRan };
}
