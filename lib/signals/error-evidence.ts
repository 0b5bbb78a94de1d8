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

/**
 * Per-minute series between `from` and `to`: the reports of `services` (null: every service),
 * and the Postgres log of this target (stored under the target's label), each with its errors
 * by SQLSTATE.
 */
export async function loadErrorSeries(state: Pool, target: string, from: Date, to: Date, services: readonly string[] | null = null): Promise<ErrorSeries[]> {
  const { rows } = await state.query<{ source: 'app' | 'postgres'; service: string; minute: Date; sqlstate: string; requests: string; errors: string }>(
    `SELECT source, service, minute, sqlstate, sum(requests)::text AS requests, sum(errors)::text AS errors
       FROM expand_contract.metric_minutes
      WHERE minute >= $2 AND minute < $3 AND ((source = 'app' AND ($4::text[] IS NULL OR service = ANY ($4))) OR (source = 'postgres' AND service = $1))
      GROUP BY source, service, minute, sqlstate
      ORDER BY source, service, minute`,
    [target, from, to, services],
  );
  const bySeries = new Map<string, ErrorSeries>();
  const byMinute = new Map<string, ErrorSeries['minutes'][number]>();
  for (const r of rows) {
    const key = `${r.source}\u0000${r.service}`;
    let series = bySeries.get(key);
    if (!series) bySeries.set(key, (series = { source: r.source, service: r.service, minutes: [] }));
    const minuteKey = `${key}\u0000${r.minute.getTime()}`;
    let m = byMinute.get(minuteKey);
    if (!m) {
      byMinute.set(minuteKey, (m = { minute: r.minute, requests: 0, errors: 0, bySqlstate: {} }));
      series.minutes.push(m);
    }
    m.requests += Number(r.requests);
    m.errors += Number(r.errors);
    if (r.sqlstate && Number(r.errors) > 0) m.bySqlstate![r.sqlstate] = (m.bySqlstate![r.sqlstate] ?? 0) + Number(r.errors);
  }
  return [...bySeries.values()];
}

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
 * so no minute row travels to the server (a gate on a busy target would otherwise read tens of
 * thousands). Every app series reporting in any window, and this target's Postgres log.
 */
async function windowSums(state: Pool, target: string, windows: [Date, Date][]): Promise<Map<string, Map<number, Sums>>> {
  const { rows } = await state.query<{ i: number; source: 'app' | 'postgres'; service: string; sqlstate: string; requests: string; errors: string }>(
    `SELECT w.i::int - 1 AS i, m.source, m.service, m.sqlstate, sum(m.requests)::text AS requests, sum(m.errors)::text AS errors
       FROM unnest($2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS w (from_at, to_at, i)
       JOIN expand_contract.metric_minutes m ON m.minute >= w.from_at AND m.minute < w.to_at
      WHERE m.source = 'app' OR (m.source = 'postgres' AND m.service = $1)
      GROUP BY w.i, m.source, m.service, m.sqlstate`,
    [target, windows.map((w) => w[0]), windows.map((w) => w[1])],
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
