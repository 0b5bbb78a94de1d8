import type { Pool } from 'pg';
import { compareAroundPhase, DEFAULT_REGRESSION_POLICY, type ErrorSeries, type RegressionPolicy, type SeriesVerdict } from '../metrics/error-regression';

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
  const all = mergeSeries(
    await Promise.all(comparedWindows(sorted, now, policy).map(([from, to]) => loadErrorSeries(state, target, new Date(from), new Date(to)))),
  );
  const counts = (s: ErrorSeries) => !services || s.source === 'postgres' || services.includes(s.service);
  const counted = all.filter(counts);
  for (const name of services ?? []) {
    if (!counted.some((s) => s.source === 'app' && s.service === name)) counted.push({ source: 'app', service: name, minutes: [] });
  }
  const others = all.filter((s) => !counts(s));
  const uncounted = sorted.flatMap((p) =>
    others
      .map((s) => compareAroundPhase(s, p.at, now, policy))
      .filter((v) => v.regression)
      .map((v) => `after ${p.phase}: ${v.detail}`),
  );
  return {
    phases: sorted.map((p) => ({ phase: p.phase, at: p.at, series: counted.map((s) => compareAroundPhase(s, p.at, now, policy)) })),
    services,
    uncounted,
  };
}

/**
 * The spans compareAroundPhase reads: each phase's window after it and the same length before,
 * merged where they overlap. A migration begun weeks ago reads a few days of minutes, not every
 * minute since its first phase.
 */
export function comparedWindows(phases: PhaseMark[], now: Date, policy: RegressionPolicy): [number, number][] {
  const spans = phases
    .map((p) => {
      const start = Math.floor(p.at.getTime() / 60_000) * 60_000;
      const length = Math.min(Math.max(60_000, now.getTime() - start), policy.maxWindowMinutes * 60_000);
      // A minute of slack each side: whole minutes are compared, and the newest may still be arriving.
      return [start - length - 60_000, Math.min(start + length, now.getTime()) + 60_000] as [number, number];
    })
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  return merged;
}

/** Series loaded window by window, joined per source and service (the windows never share a minute). */
function mergeSeries(parts: ErrorSeries[][]): ErrorSeries[] {
  const joined = new Map<string, ErrorSeries>();
  for (const s of parts.flat()) {
    const key = `${s.source}\u0000${s.service}`;
    const seen = joined.get(key);
    if (seen) seen.minutes.push(...s.minutes);
    else joined.set(key, { ...s, minutes: [...s.minutes] });
  }
  return [...joined.values()];
}
