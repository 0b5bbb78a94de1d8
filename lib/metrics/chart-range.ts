import { dateTimeFormat } from '../timeline/date-time-format';

/**
 * The time window of a migration's charts, and the ticks of its time axis. "Since the expand"
 * (the default) fits the migration itself: a three-minute demo rename fills the chart rather
 * than squeezing against the right edge of an hour of baseline.
 */
export const CHART_RANGES = ['expand', '1h', '6h', '24h', '7d'] as const;
export type ChartRange = (typeof CHART_RANGES)[number];
export const DEFAULT_CHART_RANGE: ChartRange = 'expand';

export const CHART_RANGE_LABELS: Record<ChartRange, string> = {
  expand: 'Since the expand',
  '1h': 'Last hour',
  '6h': '6 h',
  '24h': '24 h',
  '7d': '7 d',
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LAST: Record<Exclude<ChartRange, 'expand'>, number> = { '1h': HOUR, '6h': 6 * HOUR, '24h': DAY, '7d': 7 * DAY };

/** A `range` search parameter as typed in the address bar: anything unknown is the default. */
export function parseChartRange(value: unknown): ChartRange {
  const text = Array.isArray(value) ? value[0] : value;
  return CHART_RANGES.find((r) => r === text) ?? DEFAULT_CHART_RANGE;
}

export interface MigrationSpan {
  /** When the expand began (the creation, before any expand). */
  start: number;
  /** When its last phase ended, for a finished migration; null while it goes on. */
  end: number | null;
}

/**
 * The window [from, to) in epoch ms, from and to on whole minutes. Since the expand, it is padded
 * on each side by a tenth of the migration's span, at least 2 minutes and at most an hour: enough
 * of the time before to see the baseline's level (its value is a line across the whole chart and
 * in the legend), never so much that an hour of "before" dwarfs a short migration.
 */
export function chartWindow(range: ChartRange, span: MigrationSpan, now: number): { from: number; to: number } {
  const ceilMinute = (t: number) => Math.ceil(t / MINUTE) * MINUTE;
  const floorMinute = (t: number) => Math.floor(t / MINUTE) * MINUTE;
  if (range !== 'expand') return { from: floorMinute(now - LAST[range]), to: now };
  const end = span.end ?? now;
  const pad = Math.min(HOUR, Math.max(2 * MINUTE, (end - span.start) * 0.1));
  const to = span.end === null ? now : Math.min(now, ceilMinute(end + pad));
  return { from: floorMinute(span.start - pad), to };
}

/** Whole minutes per point, so that [from, to) is at most `maxPoints` points (as `downsample` buckets it). */
export function bucketWidth(from: number, to: number, maxPoints: number): number {
  return Math.max(MINUTE, Math.ceil(Math.max(1, to - from) / maxPoints / MINUTE) * MINUTE);
}

/** Windows longer than this are drawn in whole hours, which the database keeps summed (metric_hours). */
export const HOURLY_AFTER = 2 * DAY;

/**
 * The points of a chart over [from, to): `width` apart from `start`, at most `maxPoints`. Up to two
 * days, whole minutes from `from`. Longer, whole hours from the UTC hour at or before `from`: a
 * point is then a sum of hourly rollups, and a week reads 168 rows a service instead of 10,080
 * (the plot has fewer pixels than either).
 */
export function chartBuckets(from: number, to: number, maxPoints: number): { start: number; width: number } {
  if (to - from <= HOURLY_AFTER) return { start: from, width: bucketWidth(from, to, maxPoints) };
  const start = Math.floor(from / HOUR) * HOUR;
  return { start, width: Math.max(HOUR, Math.ceil(bucketWidth(start, to, maxPoints) / HOUR) * HOUR) };
}

const NICE_BUCKETS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];

/** The fewest round minutes (5, 15, 30, an hour, two…) per point that keep [from, to) within `maxPoints`: a tooltip reads "(2 h)", never "(127 min)". */
export function niceBucketMinutes(from: number, to: number, maxPoints: number): number {
  const needed = Math.max(1, to - from) / MINUTE / Math.max(1, maxPoints);
  return NICE_BUCKETS.find((m) => m >= needed) ?? Math.ceil(needed / 1440) * 1440;
}

const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880].map((m) => m * MINUTE);

/** How far `timeZone`'s clock is ahead of UTC at `t`, in ms. */
export function zoneOffset(t: number, timeZone: string): number {
  const parts = dateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(t / 1000) * 1000;
}

export interface TimeTicks {
  ticks: number[];
  /** "time" labels read 14:05, "day-time" Tue 14:00, "day" Tue 1 Dec. */
  unit: 'time' | 'day-time' | 'day';
}

/**
 * At most `maxTicks` ticks over [from, to], on round times of the team's clock (every 15 minutes,
 * every 6 hours, at midnight), so they read as times a person would say.
 */
export function timeTicks(from: number, to: number, timeZone: string, maxTicks: number): TimeTicks {
  const span = Math.max(MINUTE, to - from);
  const step = TICK_STEPS.find((s) => span / s <= Math.max(1, maxTicks)) ?? TICK_STEPS.at(-1)!;
  const ticks: number[] = [];
  let local = Math.ceil((from + zoneOffset(from, timeZone)) / step) * step;
  for (let i = 0; i < 100; i += 1, local += step) {
    // Each tick is placed by the offset at its own time, so a change to summer time keeps midnight at midnight.
    const guess = local - zoneOffset(local, timeZone);
    const t = local - zoneOffset(guess, timeZone);
    if (t > to) break;
    if (t >= from) ticks.push(t);
  }
  const unit = step >= DAY ? 'day' : span > DAY ? 'day-time' : 'time';
  return { ticks, unit };
}

/** A tick's label in the team's time zone. */
export function formatTick(t: number, unit: TimeTicks['unit'], timeZone: string): string {
  const date = new Date(t);
  const time = dateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
  if (unit === 'time') return time;
  if (unit === 'day') return dateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short' }).format(date);
  return `${dateTimeFormat('en-GB', { timeZone, weekday: 'short' }).format(date)} ${time}`;
}

/** A moment in full, for tooltips and the phases' legend: "Tue 1 Dec, 14:05". */
export function formatMoment(t: number, timeZone: string): string {
  return dateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(t));
}
