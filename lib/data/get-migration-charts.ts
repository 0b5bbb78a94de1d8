import 'server-only';
import type { Pool } from 'pg';
import { FINISHED_STATES } from '../lifecycle/migration-states';
import type { MigrationRecord, PhaseRunRecord } from '../state/records';
import { StateStore } from '../state/state-store';
import { downsample } from '../metrics/downsample';
import { chartBuckets, chartWindow, DEFAULT_CHART_RANGE, type ChartRange } from '../metrics/chart-range';
import { splitAtHours, type HourSplit } from '../metrics/split-at-hours';
import { legacyColumn, legacyUsage, samplerCoverage, type LegacyUsageOptions } from '../signals/legacy-usage';

export const MAX_CHART_POINTS = 2000;
const HOUR = 3_600_000;

export interface ChartPhase {
  /** expand, backfill, verify, deploy (a moment), monitoring (deploy to contract), contract, rollback, restore. */
  phase: string;
  from: number;
  to: number;
  status: string;
}

export interface ErrorPoint {
  t: number;
  /** Per service, in the order of `services`. */
  requests: number[];
  errors: number[];
  rates: (number | null)[];
  /** Errors in the target's Postgres log. */
  postgres: number;
}

/** Everything the migration's charts draw, as plain numbers (epoch ms): it crosses to a client component. */
export interface MigrationCharts {
  range: ChartRange;
  from: number;
  to: number;
  /** Minutes per point: 1 up to ~33 hours, wider beyond, whole hours past two days; no series has more than MAX_CHART_POINTS. */
  bucketMinutes: number;
  timeZone: string;
  /** One line each: the migration's services, or every service that reported in the window. */
  services: string[];
  errors: ErrorPoint[];
  /** Error rate over the hour before the expand, the line the phases are judged against. */
  baselineRate: number | null;
  legacy: { t: number; reads: number; writes: number; unknown: number }[] | null;
  /** Share of the window the pg_stat_statements sampler observed (0–1), as the gate counts it; null: nothing to watch. */
  legacyCoverage: number | null;
  /** Since the deploy, the span with no read of the old column: from the deploy, or the last read after it. */
  zeroReads: { from: number; to: number } | null;
  phases: ChartPhase[];
  /** Phases after which the gate saw a regression: shaded red from there on. */
  regressionsFrom: number[];
  samplerRan: boolean;
}

const RAN = ['succeeded', 'running', 'failed'];

/** The phases as bands: each run, the deploy mark, and monitoring from the deploy to the contract (or rollback, or now). */
function chartPhases(migration: MigrationRecord, runs: PhaseRunRecord[], now: number): ChartPhase[] {
  const phases: ChartPhase[] = runs
    .filter((r) => RAN.includes(r.status))
    .map((r) => ({ phase: r.phase, from: r.startedAt.getTime(), to: (r.finishedAt ?? new Date(now)).getTime(), status: r.status }));
  if (migration.deployedAt) {
    const deployed = migration.deployedAt.getTime();
    const ended = runs.find((r) => (r.phase === 'contract' || r.phase === 'rollback') && r.status === 'succeeded' && r.startedAt.getTime() >= deployed);
    phases.push({ phase: 'deploy', from: deployed, to: deployed, status: 'marked' });
    phases.push({ phase: 'monitoring', from: deployed, to: ended?.startedAt.getTime() ?? now, status: ended ? 'succeeded' : 'running' });
  }
  return phases.sort((a, b) => a.from - b.from);
}

/**
 * Errors per service and in the Postgres log over [start, to), summed by the database into
 * buckets `width` wide from `start` (30 days of minutes of five services stay in Postgres, not in
 * Node). Hour-wide buckets add up the hourly rollup, and the minutes of the hour under way.
 */
async function errorPoints(pool: Pool, migration: MigrationRecord, start: number, to: number, width: number) {
  // From an hour boundary there are no minutes before the first whole hour: at most the hour under way's.
  const split: HourSplit =
    width % HOUR === 0 && start % HOUR === 0 ? splitAtHours(new Date(start), new Date(to)) : { hours: null, minutes: [[new Date(start), new Date(to)]] };
  const none: [null, null] = [null, null];
  const [minutesFrom, minutesTo] = split.minutes.length > 0 ? [split.minutes[0]![0], split.minutes.at(-1)![1]] : none;
  const [hoursFrom, hoursTo] = split.hours ?? none;
  const { rows } = await pool.query<{ source: 'app' | 'postgres'; service: string; t: Date; requests: number; errors: number }>(
    `SELECT source, service, date_bin(make_interval(secs => $2), at, $3::timestamptz) AS t, sum(requests)::float8 AS requests, sum(errors)::float8 AS errors
       FROM (SELECT source, service, minute AS at, requests, errors FROM expand_contract.metric_minutes WHERE minute >= $4 AND minute < $5
             UNION ALL
             SELECT source, service, hour, requests, errors FROM expand_contract.metric_hours WHERE hour >= $6 AND hour < $7) m
      WHERE (source = 'app' AND ($8::text[] IS NULL OR service = ANY ($8))) OR (source = 'postgres' AND service = $1)
      GROUP BY 1, 2, 3`,
    [migration.target, width / 1000, new Date(start), minutesFrom, minutesTo, hoursFrom, hoursTo, migration.services],
  );
  const app = rows.filter((r) => r.source === 'app');
  // A service named for the migration is drawn even while silent: its absence is something to see.
  const services = migration.services ?? [...new Set(app.map((r) => r.service))].sort();
  const series = (list: typeof rows) => list.map((r) => ({ t: r.t.getTime(), requests: r.requests, errors: r.errors }));
  const byTime = new Map<number, ErrorPoint>();
  const point = (t: number) => {
    let p = byTime.get(t);
    if (!p) byTime.set(t, (p = { t, requests: services.map(() => 0), errors: services.map(() => 0), rates: services.map(() => null), postgres: 0 }));
    return p;
  };
  services.forEach((service, i) => {
    for (const b of series(app.filter((r) => r.service === service))) {
      const p = point(b.t);
      p.requests[i] = b.requests;
      p.errors[i] = b.errors;
      p.rates[i] = b.requests > 0 ? b.errors / b.requests : null;
    }
  });
  for (const b of series(rows.filter((r) => r.source === 'postgres'))) point(b.t).postgres = b.errors;
  return { services, errors: [...byTime.values()].sort((a, b) => a.t - b.t) };
}

/** The services' error rate over the hour before the expand (the minute the expand began counts as after it, as in the gate). */
async function baseline(pool: Pool, migration: MigrationRecord, start: number): Promise<number | null> {
  const startMinute = Math.floor(start / 60_000) * 60_000;
  const { rows } = await pool.query<{ requests: number | null; errors: number | null }>(
    `SELECT sum(requests)::float8 AS requests, sum(errors)::float8 AS errors FROM expand_contract.metric_minutes
      WHERE source = 'app' AND minute >= $1 AND minute < $2 AND ($3::text[] IS NULL OR service = ANY ($3))`,
    [new Date(startMinute - 3_600_000), new Date(startMinute), migration.services],
  );
  const { requests, errors } = rows[0] ?? { requests: null, errors: null };
  return requests ? (errors ?? 0) / requests : null;
}

/**
 * The charts over `range` ("since the expand" by default), at most MAX_CHART_POINTS per series;
 * `regressionPhases` are the phases after which the gate saw errors rise. `known` spares reading
 * again what the caller already has.
 */
export async function getMigrationCharts(
  pool: Pool,
  migration: MigrationRecord,
  now: Date,
  regressionPhases: string[],
  range: ChartRange = DEFAULT_CHART_RANGE,
  known?: {
    runs: PhaseRunRecord[];
    timeZone: string;
    /** The views and routines the gate found reading the column: the chart counts the same use it does. */
    readers?: LegacyUsageOptions['readers'];
    readerFunctions?: LegacyUsageOptions['readerFunctions'];
  },
): Promise<MigrationCharts> {
  const store = new StateStore(pool);
  const [runs, timeZone] = known ? [known.runs, known.timeZone] : await Promise.all([store.phaseRuns(migration.id), store.teamTimeZone()]);
  const phases = chartPhases(migration, runs, now.getTime());
  const firstRun = (phase: string) => phases.find((p) => p.phase === phase)?.from;
  const regressionsFrom = regressionPhases.map(firstRun).filter((t): t is number => t !== undefined);
  return chartsOver(
    pool,
    migration,
    now,
    { runs, timeZone, phases, regressionsFrom, readers: { readers: known?.readers, readerFunctions: known?.readerFunctions } },
    range,
  );
}

async function chartsOver(
  pool: Pool,
  migration: MigrationRecord,
  nowDate: Date,
  known: {
    runs: PhaseRunRecord[];
    timeZone: string;
    phases: ChartPhase[];
    regressionsFrom: number[];
    readers?: Pick<LegacyUsageOptions, 'readers' | 'readerFunctions'>;
  },
  range: ChartRange,
): Promise<MigrationCharts> {
  const now = nowDate.getTime();
  const { phases } = known;
  const expand = known.runs.find((r) => r.phase === 'expand' && RAN.includes(r.status));
  const start = (expand?.startedAt ?? migration.createdAt).getTime();
  const finished = FINISHED_STATES.includes(migration.status as (typeof FINISHED_STATES)[number]);
  const end = finished && phases.length > 0 ? Math.max(...phases.map((p) => p.to)) : null;
  const shown = chartWindow(range, { start, end }, now);
  const buckets = chartBuckets(shown.from, shown.to, MAX_CHART_POINTS);
  // Hourly points start on the hour: the axis starts with the first of them.
  const { to } = shown;
  const from = buckets.start;
  // The bucket under way (the minute, or the hour on a week's chart) is not over: its few requests so
  // far would draw a drop (or a spike) that is not there.
  const complete = Math.min(to, buckets.start + Math.floor((Math.floor(now / 60_000) * 60_000 - buckets.start) / buckets.width) * buckets.width);

  const [{ services, errors }, baselineRate, legacy] = await Promise.all([
    errorPoints(pool, migration, buckets.start, complete, buckets.width),
    baseline(pool, migration, start),
    legacyPoints(pool, migration, from, to, phases, buckets.width, known.readers),
  ]);
  return {
    range,
    from,
    to,
    bucketMinutes: buckets.width / 60_000,
    timeZone: known.timeZone,
    services,
    errors,
    baselineRate,
    ...legacy,
    phases,
    regressionsFrom: known.regressionsFrom,
  };
}

/** Uses of the old column per sampling interval in the window, the sampler's coverage of it, and the span since the deploy without reads. */
async function legacyPoints(
  pool: Pool,
  migration: MigrationRecord,
  from: number,
  to: number,
  phases: ChartPhase[],
  /** The error chart's bucket width: both charts share one time axis, and count per the same span. */
  width: number,
  readers: Pick<LegacyUsageOptions, 'readers' | 'readerFunctions'> = {},
): Promise<Pick<MigrationCharts, 'legacy' | 'legacyCoverage' | 'zeroReads' | 'samplerRan'>> {
  const column = legacyColumn(migration.spec);
  if (!column) return { legacy: null, legacyCoverage: null, zeroReads: null, samplerRan: false };
  const deployed = migration.deployedAt?.getTime() ?? null;
  // Reads between the deploy and a window that starts after it still end the zero-read span.
  const usageFrom = deployed !== null && deployed < from ? deployed : from;
  const [usage, coverage] = await Promise.all([
    legacyUsage(pool, migration.target, column, new Date(usageFrom), new Date(to), readers),
    samplerCoverage(pool, migration.target, new Date(from), new Date(to)),
  ]);
  const legacy = downsample(
    usage.intervals.map((i) => ({ t: i.at.getTime(), reads: i.reads, writes: i.writes, unknown: i.unknown })),
    ['reads', 'writes', 'unknown'] as const,
    from,
    to + 1,
    MAX_CHART_POINTS,
    width,
  );
  let zeroReads: MigrationCharts['zeroReads'] = null;
  if (deployed !== null && deployed <= to) {
    const lastRead = Math.max(deployed, ...usage.intervals.filter((i) => i.reads > 0 && i.at.getTime() > deployed).map((i) => i.at.getTime()));
    // Once contracted the column is gone: the span ends where monitoring did.
    const monitoring = phases.find((p) => p.phase === 'monitoring');
    const until = Math.min(to, monitoring?.to ?? to);
    if (until > lastRead) zeroReads = { from: lastRead, to: until };
  }
  return { legacy, legacyCoverage: coverage.coverage, zeroReads, samplerRan: coverage.samples > 0 };
}
