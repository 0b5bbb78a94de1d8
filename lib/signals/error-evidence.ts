import type { Pool } from 'pg';
import {
  DEFAULT_REGRESSION_POLICY,
  judgeWindows,
  phaseWindows,
  windowCounts,
  type ErrorSeries,
  type RegressionPolicy,
  type SeriesVerdict,
} from '../metrics/error-regression';
import { splitAtHours } from '../metrics/split-at-hours';

export interface PhaseMark {
  phase: string;
  at: Date;
}

export interface ErrorEvidence {
  phases: { phase: string; at: Date; series: SeriesVerdict[] }[];
  services: string[] | null;
  /** Regressions of services not named for the migration ("after deploy: batch: …"): shown, not counted. */
  uncounted: string[];
}

/**
 * Every series compared around every phase that has begun, oldest phase first, as the gate
 * wants it. With `services` named, those (each, reporting or not: a silent one is no evidence)
 * and the Postgres log count; the others' regressions are set aside for the approver to see.
 */
export async function errorEvidence(
  state: Pool,
  target: string,
  phases: PhaseMark[],
  now: Date,
  policy: RegressionPolicy = DEFAULT_REGRESSION_POLICY,
  services: string[] | null = null,
): Promise<ErrorEvidence> {
  if (phases.length === 0) return { phases: [], services, uncounted: [] };
  const sorted = [...phases].sort((a, b) => a.at.getTime() - b.at.getTime());
  const windows = sorted.map((p) => phaseWindows(p.at, now, policy));
  const sums = await windowSums(
    state,
    target,
    windows.flatMap((w) => [w.baseline, w.after]),
  );
  const counts = (s: SeriesKey) => !services || s.source === 'postgres' || services.includes(s.service);
  const all = [...sums.keys()].map(parseKey);
  const counted = all.filter(counts);
  for (const name of services ?? []) {
    if (!counted.some((s) => s.source === 'app' && s.service === name)) counted.push({ source: 'app', service: name });
  }
  const others = all.filter((s) => !counts(s));
  const verdict = (s: SeriesKey, i: number) => {
    const w = windows[i]!;
    const per = sums.get(seriesKey(s));
    const sum = (j: number, [from, to]: [Date, Date]) => {
      const got = per?.get(j);
      return windowCounts(s.source, from, to, got?.requests ?? 0, got?.errors ?? 0, got?.bySqlstate ?? {});
    };
    return judgeWindows(s, sum(2 * i, w.baseline), sum(2 * i + 1, w.after), policy);
  };
  const uncounted = sorted.flatMap((p, i) =>
    others
      .map((s) => verdict(s, i))
      .filter((v) => v.regression)
      .map((v) => `after ${p.phase}: ${v.detail}`),
  );
  return {
    phases: sorted.map((p, i) => ({ phase: p.phase, at: p.at, series: counted.map((s) => verdict(s, i)) })),
    services,
    uncounted,
  };
}

type SeriesKey = Pick<ErrorSeries, 'source' | 'service'>;
type Sums = { requests: number; errors: number; bySqlstate: Record<string, number> };
const seriesKey = (s: SeriesKey) => `${s.source}\u0000${s.service}`;
const parseKey = (key: string): SeriesKey => {
  const [source, service] = key.split('\u0000') as [ErrorSeries['source'], string];
  return { source, service };
};

/**
 * Each window's sums per series and SQLSTATE, added up by the database: the gate compares sums,
 * so no minute row travels to the server. Whole hours come from the hourly rollup and only the
 * minutes at a window's edges from metric_minutes (a day-long window: ~24 rows a series, not
 * 1,440). Every app series reporting in any window, and this target's Postgres log.
 */
async function windowSums(state: Pool, target: string, windows: [Date, Date][]): Promise<Map<string, Map<number, Sums>>> {
  const pieces = windows.map(([from, to], i) => ({ i, ...splitAtHours(from, to) }));
  const minutes = pieces.flatMap((p) => p.minutes.map((m) => ({ i: p.i, m })));
  const hours = pieces.flatMap((p) => (p.hours ? [{ i: p.i, h: p.hours }] : []));
  const { rows } = await state.query<{ i: number; source: 'app' | 'postgres'; service: string; sqlstate: string; requests: string; errors: string }>(
    `SELECT w.i, m.source, m.service, m.sqlstate, sum(m.requests)::text AS requests, sum(m.errors)::text AS errors
       FROM unnest($2::int[], $3::timestamptz[], $4::timestamptz[]) AS w (i, from_at, to_at)
       JOIN expand_contract.metric_minutes m ON m.minute >= w.from_at AND m.minute < w.to_at
      WHERE m.source = 'app' OR (m.source = 'postgres' AND m.service = $1)
      GROUP BY w.i, m.source, m.service, m.sqlstate
     UNION ALL
     SELECT w.i, h.source, h.service, h.sqlstate, sum(h.requests)::text, sum(h.errors)::text
       FROM unnest($5::int[], $6::timestamptz[], $7::timestamptz[]) AS w (i, from_at, to_at)
       JOIN expand_contract.metric_hours h ON h.hour >= w.from_at AND h.hour < w.to_at
      WHERE h.source = 'app' OR (h.source = 'postgres' AND h.service = $1)
      GROUP BY w.i, h.source, h.service, h.sqlstate`,
    [
      target,
      minutes.map((x) => x.i),
      minutes.map((x) => x.m[0]),
      minutes.map((x) => x.m[1]),
      hours.map((x) => x.i),
      hours.map((x) => x.h[0]),
      hours.map((x) => x.h[1]),
    ],
  );
  const sums = new Map<string, Map<number, Sums>>();
  for (const r of rows) {
    const key = seriesKey(r);
    if (!sums.has(key)) sums.set(key, new Map());
    const per = sums.get(key)!;
    const sum = per.get(r.i) ?? { requests: 0, errors: 0, bySqlstate: {} };
    sum.requests += Number(r.requests);
    sum.errors += Number(r.errors);
    if (r.sqlstate && Number(r.errors) > 0) sum.bySqlstate[r.sqlstate] = (sum.bySqlstate[r.sqlstate] ?? 0) + Number(r.errors);
    per.set(r.i, sum);
  }
  return sums;
}
