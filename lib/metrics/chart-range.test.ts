import { describe, expect, it } from 'vitest';
import { bucketWidth, chartBuckets, chartWindow, niceBucketMinutes, formatTick, parseChartRange, timeTicks } from './chart-range';

const MIN = 60_000;
const HOUR = 60 * MIN;
const now = Date.UTC(2026, 11, 2, 12, 0, 30);

describe('the charts time range', () => {
  it('reads the range from the address, and anything unknown as since the expand', () => {
    expect(parseChartRange('6h')).toBe('6h');
    expect(parseChartRange(['7d', '1h'])).toBe('7d');
    expect(parseChartRange('30d')).toBe('expand');
    expect(parseChartRange(undefined)).toBe('expand');
  });

  it('fits a three-minute migration still going on: a few minutes before its expand, not an hour of baseline', () => {
    const start = now - 3 * MIN;
    const w = chartWindow('expand', { start, end: null }, now);
    expect(w.to).toBe(now);
    // 2 minutes of "before": the migration is more than half of the chart.
    expect(w.from).toBe(Math.floor((start - 2 * MIN) / MIN) * MIN);
    expect((now - start) / (w.to - w.from)).toBeGreaterThan(0.5);
  });

  it('pads a long migration by a tenth of its span, at most the baseline hour', () => {
    const start = Date.UTC(2026, 11, 2, 7, 0);
    expect(chartWindow('expand', { start, end: null }, Date.UTC(2026, 11, 2, 12, 0)).from).toBe(start - 30 * MIN);
    const weekAgo = Date.UTC(2026, 10, 25, 12, 0);
    expect(chartWindow('expand', { start: weekAgo, end: null }, now).from).toBe(weekAgo - HOUR);
  });

  it('ends a finished migration shortly after its last phase, not at now', () => {
    const start = Date.UTC(2026, 10, 28, 10, 0);
    const end = start + 100 * MIN;
    const w = chartWindow('expand', { start, end }, now);
    expect(w.from).toBe(start - 10 * MIN);
    expect(w.to).toBe(end + 10 * MIN);
  });

  it('takes the last hour, 6 h, 24 h or 7 days up to now', () => {
    expect(chartWindow('1h', { start: 0, end: null }, now)).toEqual({ from: Date.UTC(2026, 11, 2, 11, 0), to: now });
    expect(now - chartWindow('7d', { start: 0, end: null }, now).from).toBeCloseTo(7 * 24 * HOUR, -5);
  });

  it('buckets whole minutes, never more than the points allowed', () => {
    expect(bucketWidth(now - HOUR, now, 2000)).toBe(MIN);
    const thirtyDays = 30 * 24 * HOUR;
    const w = bucketWidth(now - thirtyDays, now, 2000);
    expect(w % MIN).toBe(0);
    expect(thirtyDays / w).toBeLessThanOrEqual(2000);
  });
});

describe('the buckets the database sums', () => {
  it('are whole minutes up to two days', () => {
    const from = now - 24 * HOUR - 5 * MIN;
    expect(chartBuckets(from, now, 2000)).toEqual({ start: from, width: MIN });
  });

  it('are whole hours from an hour boundary past two days, so each is a sum of hourly rollups', () => {
    const from = now - 7 * 24 * HOUR - 17 * MIN;
    const week = chartBuckets(from, now, 2000);
    expect(week.width).toBe(HOUR);
    expect(week.start % HOUR).toBe(0);
    expect(week.start).toBeLessThanOrEqual(from);
    expect(from - week.start).toBeLessThan(HOUR);
    const year = chartBuckets(now - 365 * 24 * HOUR, now, 2000);
    expect(year.width % HOUR).toBe(0);
    expect((now - year.start) / year.width).toBeLessThanOrEqual(2000);
  });
});

describe('the points a chart draws', () => {
  it('are round minutes apart, as few as fit the pixels', () => {
    expect(niceBucketMinutes(now - HOUR, now, 400)).toBe(1);
    expect(niceBucketMinutes(now - 24 * HOUR, now, 100)).toBe(15);
    expect(niceBucketMinutes(now - 7 * 24 * HOUR, now, 80)).toBe(180);
    expect(niceBucketMinutes(now - 400 * 24 * HOUR, now, 20)).toBe(20 * 1440);
  });
});

describe('the time axis ticks', () => {
  it('reads HH:MM on round minutes for an hour, in the team time zone', () => {
    const { ticks, unit } = timeTicks(now - HOUR, now, 'Europe/Berlin', 8);
    expect(unit).toBe('time');
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks.map((t) => formatTick(t, unit, 'Europe/Berlin'))).toEqual(['12:10', '12:20', '12:30', '12:40', '12:50', '13:00']);
  });

  it('reads days at local midnight for a week, each label once', () => {
    const { ticks, unit } = timeTicks(now - 7 * 24 * HOUR, now, 'America/New_York', 8);
    expect(unit).toBe('day');
    const labels = ticks.map((t) => formatTick(t, unit, 'America/New_York'));
    expect(new Set(labels).size).toBe(labels.length);
    expect(ticks.every((t) => formatTick(t, 'time', 'America/New_York') === '00:00')).toBe(true);
  });

  it('names the day beside the time when the window is longer than a day but the ticks are hours apart', () => {
    const { ticks, unit } = timeTicks(now - 30 * HOUR, now, 'UTC', 10);
    expect(unit).toBe('day-time');
    expect(formatTick(ticks[0]!, unit, 'UTC')).toMatch(/^[A-Z][a-z]{2} \d\d:00$/);
  });
});
