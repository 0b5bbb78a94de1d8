import { describe, expect, it } from 'vitest';
import {
  compareAroundPhase,
  DEFAULT_REGRESSION_POLICY,
  judgeWindows,
  phaseWindows,
  windowCounts,
  type ErrorSeries,
  type MinuteCount,
} from './error-regression';

const phase = new Date('2026-11-23T14:00:00Z');
const minute = (offset: number, requests: number, errors: number, bySqlstate?: Record<string, number>): MinuteCount => ({
  minute: new Date(phase.getTime() + offset * 60_000),
  requests,
  errors,
  bySqlstate,
});
/** `n` minutes before and after the phase, each with the given counts. */
function around(before: [number, number], after: [number, number], n = 30, source: 'app' | 'postgres' = 'app'): ErrorSeries {
  const minutes: MinuteCount[] = [];
  for (let i = 1; i <= n; i += 1) minutes.push(minute(-i, ...before));
  for (let i = 0; i < n; i += 1) minutes.push(minute(i, ...after));
  return { source, service: 'web', minutes };
}
const now = new Date(phase.getTime() + 30 * 60_000);

describe('compareAroundPhase', () => {
  it.each([
    // name, before [req, err]/min, after [req, err]/min, regression
    { name: 'same rate', before: [100, 1], after: [100, 1], regression: false },
    { name: 'up by exactly the margin', before: [100, 4], after: [100, 5], regression: false },
    { name: 'just above the margin', before: [100, 4], after: [100, 6], regression: true },
    { name: 'from zero errors to some', before: [100, 0], after: [100, 1], regression: true },
    { name: 'fewer errors', before: [100, 5], after: [100, 1], regression: false },
  ] as const)('$name → regression $regression', ({ before, after, regression }) => {
    const v = compareAroundPhase(around([...before], [...after]), phase, now);
    expect(v.regression).toBe(regression);
    expect(v.after.requests).toBe(after[0] * 30);
    expect(v.baseline.requests).toBe(before[0] * 30);
  });

  it('needs the minimum number of errors: 4 errors from a zero baseline is not an incident, 5 is', () => {
    const series = around([10, 0], [10, 0]);
    series.minutes.push(minute(3, 0, 4));
    expect(compareAroundPhase(series, phase, now).regression).toBe(false);
    series.minutes.push(minute(4, 0, 1));
    expect(compareAroundPhase(series, phase, now).regression).toBe(true);
  });

  it('needs the minimum request volume before a service rate is evidence', () => {
    const quiet = compareAroundPhase(around([3, 0], [3, 1]), phase, now);
    expect(quiet.after.requests).toBe(90);
    expect(quiet.enoughVolume).toBe(false);
    expect(quiet.regression).toBe(false);
    const busy = compareAroundPhase(around([4, 0], [4, 1]), phase, now);
    expect(busy.enoughVolume).toBe(true);
    expect(busy.regression).toBe(true);
  });

  it('compares equal lengths: 10 minutes after the phase against the 10 minutes before it', () => {
    const v = compareAroundPhase(around([100, 0], [100, 0], 60), phase, new Date(phase.getTime() + 10 * 60_000));
    expect(v.after.requests).toBe(1000);
    expect(v.baseline.requests).toBe(1000);
    expect(v.baseline.from.toISOString()).toBe('2026-11-23T13:50:00.000Z');
  });

  it('caps both windows at maxWindowMinutes', () => {
    const v = compareAroundPhase(around([100, 0], [100, 0], 60), phase, new Date(phase.getTime() + 600 * 60_000), {
      ...DEFAULT_REGRESSION_POLICY,
      maxWindowMinutes: 20,
    });
    expect(v.after.requests).toBe(2000);
    expect(v.baseline.requests).toBe(2000);
  });

  it('counts the Postgres log per minute (it has no request counts) and names the SQLSTATEs', () => {
    const series = around([0, 0], [0, 0], 30, 'postgres');
    series.minutes.push(minute(2, 0, 40, { '42703': 40 }), minute(3, 0, 2, { '23505': 2 }));
    const v = compareAroundPhase(series, phase, now);
    expect(v.enoughVolume).toBe(true);
    expect(v.regression).toBe(true);
    expect(v.after.bySqlstate).toEqual({ '42703': 40, '23505': 2 });
    expect(v.detail).toContain('42703 ×40');
    expect(v.after.rate).toBeCloseTo(42 / 30);
  });

  it('ignores minutes outside both windows', () => {
    const series = around([100, 0], [100, 0]);
    series.minutes.push(minute(-500, 100, 100), minute(500, 100, 100));
    const v = compareAroundPhase(series, phase, now);
    expect(v.baseline.errors).toBe(0);
    expect(v.after.errors).toBe(0);
  });
});

describe('the windows compared around a phase', () => {
  it('compares a day each side of a month-old phase, and as much before a fresh phase as has passed since it', () => {
    const old = phaseWindows(new Date('2026-11-01T10:00:30Z'), new Date('2026-12-01T10:00:00Z'));
    expect([...old.baseline, ...old.after].map((d) => d.toISOString())).toEqual([
      '2026-10-31T10:00:00.000Z',
      '2026-11-01T10:00:00.000Z',
      '2026-11-01T10:00:00.000Z',
      '2026-11-02T10:00:00.000Z',
    ]);
    const fresh = phaseWindows(new Date('2026-12-01T10:00:00Z'), new Date('2026-12-01T10:10:00Z'));
    expect([...fresh.baseline, ...fresh.after].map((d) => d.toISOString())).toEqual([
      '2026-12-01T09:50:00.000Z',
      '2026-12-01T10:00:00.000Z',
      '2026-12-01T10:00:00.000Z',
      '2026-12-01T10:10:00.000Z',
    ]);
  });

  it('judges sums counted elsewhere (by the database) exactly as it judges minutes', () => {
    const at = new Date('2026-12-01T10:00:00Z');
    const now = new Date('2026-12-01T11:00:00Z');
    const minutes = Array.from({ length: 120 }, (_, i): MinuteCount => ({
      minute: new Date(at.getTime() + (i - 60) * 60_000),
      requests: 100,
      errors: i >= 60 ? 2 : 1,
      bySqlstate: i >= 60 ? { '42703': 1 } : {},
    }));
    const series = { source: 'app' as const, service: 'web', minutes };
    const w = phaseWindows(at, now);
    const sum = ([from, to]: [Date, Date]) => {
      const inside = minutes.filter((m) => m.minute >= from && m.minute < to);
      const states = inside.reduce((n, m) => n + (m.bySqlstate?.['42703'] ?? 0), 0);
      return windowCounts(
        'app',
        from,
        to,
        inside.reduce((n, m) => n + m.requests, 0),
        inside.reduce((n, m) => n + m.errors, 0),
        states ? { '42703': states } : {},
      );
    };
    const direct = compareAroundPhase(series, at, now);
    expect(judgeWindows(series, sum(w.baseline), sum(w.after))).toEqual(direct);
    expect(direct.regression).toBe(true);
    expect(direct.detail).toBe('web: 2.00% of 6,000 requests after, 1.00% of 6,000 requests before (42703 ×60)');
  });
});
