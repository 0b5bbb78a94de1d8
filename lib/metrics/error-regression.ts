/**
 * Did a phase make errors worse? One series (a service's reports, or the target's Postgres
 * log) is compared over the time since the phase began against the same length of time just
 * before it. Pure: minute counts in, a verdict with its numbers out.
 */

export type ErrorSource = 'app' | 'postgres';

export interface MinuteCount {
  minute: Date;
  requests: number;
  errors: number;
  /** Errors by SQLSTATE in this minute, when the source says. */
  bySqlstate?: Record<string, number>;
}

export interface ErrorSeries {
  source: ErrorSource;
  service: string;
  minutes: MinuteCount[];
}

export interface RegressionPolicy {
  /** The rate after the phase may exceed the baseline by this share before it counts (0.25 = 25%). */
  margin: number;
  /** A service's window needs this many requests before its rate means anything. */
  minRequests: number;
  /** Fewer errors than this after a phase are never a regression (one stray error is not an incident). */
  minErrors: number;
  /** The compared windows are at most this long (a week after expand is compared with the day before, not a week of history). */
  maxWindowMinutes: number;
}

export const DEFAULT_REGRESSION_POLICY: RegressionPolicy = { margin: 0.25, minRequests: 100, minErrors: 5, maxWindowMinutes: 1440 };

export interface WindowCounts {
  from: Date;
  to: Date;
  requests: number;
  errors: number;
  /** app: errors per request; postgres (no request counts): errors per minute. Null without requests. */
  rate: number | null;
  bySqlstate: Record<string, number>;
}

export interface SeriesVerdict {
  source: ErrorSource;
  service: string;
  baseline: WindowCounts;
  after: WindowCounts;
  /** The window after the phase had enough volume for its rate to be evidence. */
  enoughVolume: boolean;
  regression: boolean;
  detail: string;
}

function countWindow(series: ErrorSeries, from: Date, to: Date): WindowCounts {
  let requests = 0;
  let errors = 0;
  const bySqlstate: Record<string, number> = {};
  for (const m of series.minutes) {
    const t = m.minute.getTime();
    if (t < from.getTime() || t >= to.getTime()) continue;
    requests += m.requests;
    errors += m.errors;
    for (const [state, n] of Object.entries(m.bySqlstate ?? {})) bySqlstate[state] = (bySqlstate[state] ?? 0) + n;
  }
  return windowCounts(series.source, from, to, requests, errors, bySqlstate);
}

/** A window's sums as the comparison reads them: app, errors per request; postgres (no request counts), errors per minute. */
export function windowCounts(source: ErrorSource, from: Date, to: Date, requests: number, errors: number, bySqlstate: Record<string, number>): WindowCounts {
  const minutes = Math.max(1, (to.getTime() - from.getTime()) / 60_000);
  const rate = source === 'postgres' ? errors / minutes : requests > 0 ? errors / requests : null;
  return { from, to, requests, errors, rate, bySqlstate };
}

/**
 * The two windows compared for a phase: after it (up to `now`, at most maxWindowMinutes) and
 * the same length just before it. Whole minutes: the minute the phase began counts as after it.
 */
export function phaseWindows(
  phaseStart: Date,
  now: Date,
  policy: RegressionPolicy = DEFAULT_REGRESSION_POLICY,
): { baseline: [Date, Date]; after: [Date, Date] } {
  const start = new Date(Math.floor(phaseStart.getTime() / 60_000) * 60_000);
  const length = Math.min(Math.max(60_000, now.getTime() - start.getTime()), policy.maxWindowMinutes * 60_000);
  return { baseline: [new Date(start.getTime() - length), start], after: [start, new Date(start.getTime() + length)] };
}

export function describeRate(source: ErrorSource, w: WindowCounts): string {
  if (w.rate === null) return 'no requests';
  if (source === 'postgres') return `${w.errors} error(s), ${w.rate.toFixed(2)}/min`;
  return `${(w.rate * 100).toFixed(2)}% of ${w.requests.toLocaleString('en-US')} requests`;
}

const topStates = (w: WindowCounts) =>
  Object.entries(w.bySqlstate)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([state, n]) => `${state} ×${n}`)
    .join(', ');

/**
 * The series after `phaseStart` (up to `now`, at most maxWindowMinutes) against the same length
 * of time before it. Whole minutes only: the minute the phase began counts as after it.
 */
export function compareAroundPhase(series: ErrorSeries, phaseStart: Date, now: Date, policy: RegressionPolicy = DEFAULT_REGRESSION_POLICY): SeriesVerdict {
  const w = phaseWindows(phaseStart, now, policy);
  return judgeWindows(series, countWindow(series, ...w.baseline), countWindow(series, ...w.after), policy);
}

/** The verdict on one series from its two windows' sums, however they were counted. */
export function judgeWindows(
  series: Pick<ErrorSeries, 'source' | 'service'>,
  baseline: WindowCounts,
  after: WindowCounts,
  policy: RegressionPolicy = DEFAULT_REGRESSION_POLICY,
): SeriesVerdict {
  const enoughVolume = series.source === 'postgres' || after.requests >= policy.minRequests;
  const worse = after.rate !== null && after.rate > (baseline.rate ?? 0) * (1 + policy.margin);
  const regression = enoughVolume && after.errors >= policy.minErrors && worse;
  const states = topStates(after);
  const detail = `${series.service}: ${describeRate(series.source, after)} after, ${describeRate(series.source, baseline)} before${states ? ` (${states})` : ''}`;
  return { source: series.source, service: series.service, baseline, after, enoughVolume, regression, detail };
}
