import { describe, expect, it } from 'vitest';
import { proposeSchedule } from './propose-schedule';
import { layoutWeek, type TimelineMigration } from './week-layout';

const monday = new Date('2026-11-23T00:00:00Z');
const now = new Date('2026-11-25T12:00:00Z'); // Wednesday noon
const schedule = proposeSchedule(new Date('2026-11-20T12:00:00Z'), 'UTC'); // this week's slots
const migration = (over: Partial<TimelineMigration>): TimelineMigration => ({
  id: 1,
  title: 'Rename leads.user_email',
  table: 'public.leads',
  status: 'expanded',
  schedule,
  actual: [],
  ...over,
});

describe('layoutWeek', () => {
  it('gives weekdays the width and shrinks a quiet weekend, with the now line on Wednesday noon', () => {
    const layout = layoutWeek(monday, 'UTC', now, [migration({})]);
    expect(layout.columns.map((c) => c.collapsed)).toEqual([false, false, false, false, false, true, true]);
    expect(layout.columns[0]!.width).toBeCloseTo(18.8);
    expect(layout.columns[5]!.width).toBe(3);
    expect(layout.now).toBeCloseTo(2.5 * 18.8);
  });

  it('opens a weekend day when something ran on it', () => {
    const layout = layoutWeek(monday, 'UTC', now, [
      migration({ actual: [{ phase: 'backfill', start: new Date('2026-11-28T02:00:00Z'), end: new Date('2026-11-28T03:00:00Z'), status: 'succeeded' }] }),
    ]);
    expect(layout.columns.map((c) => c.collapsed)).toEqual([false, false, false, false, false, false, true]);
  });

  it('draws planned and actual bars apart, in order, and the buffer from deploy to contract', () => {
    const layout = layoutWeek(monday, 'UTC', now, [
      migration({
        actual: [
          { phase: 'expand', start: new Date('2026-11-23T10:05:00Z'), end: new Date('2026-11-23T10:06:00Z'), status: 'succeeded' },
          { phase: 'backfill', start: new Date('2026-11-23T10:06:00Z'), end: null, status: 'running' },
        ],
      }),
    ]);
    const lane = layout.lanes[0]!;
    expect(lane.bars.map((b) => `${b.kind}:${b.phase}:${b.status}`)).toEqual([
      'planned:expand:planned',
      'planned:deploy:planned',
      'planned:monitor:planned',
      'planned:contract:planned',
      'actual:expand:succeeded',
      'actual:backfill:running',
    ]);
    const running = lane.bars.at(-1)!;
    // A running phase reaches the now line.
    expect(running.left + running.width).toBeCloseTo(layout.now!);
    expect(lane.buffer!.left).toBeCloseTo(lane.bars[1]!.left);
    expect(lane.buffer!.left + lane.buffer!.width).toBeCloseTo(lane.bars[3]!.left);
  });

  it('flags two open changes of one table, not a finished one, and leaves out migrations with nothing this week', () => {
    const layout = layoutWeek(monday, 'UTC', now, [
      migration({ id: 1 }),
      migration({ id: 2, title: 'Drop leads.legacy' }),
      migration({ id: 3, table: 'public.orders' }),
      migration({ id: 4, status: 'contracted' }),
      migration({ id: 5, schedule: proposeSchedule(new Date('2026-12-01T00:00:00Z'), 'UTC') }),
    ]);
    expect(layout.lanes.map((l) => [l.id, l.conflictWith])).toEqual([
      [1, [2]],
      [2, [1]],
      [3, []],
      [4, []],
    ]);
  });

  it('leaves a cancelled plan off the week, and out of the same-table warnings', () => {
    const layout = layoutWeek(monday, 'UTC', now, [migration({ id: 1 }), migration({ id: 2, status: 'cancelled' })]);
    expect(layout.lanes.map((l) => [l.id, l.conflictWith])).toEqual([[1, []]]);
  });

  it('clips bars to the week and has no now line in another week', () => {
    const layout = layoutWeek(new Date('2026-11-30T00:00:00Z'), 'UTC', now, [
      migration({ actual: [{ phase: 'backfill', start: new Date('2026-11-29T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z'), status: 'succeeded' }] }),
    ]);
    expect(layout.now).toBeNull();
    const bar = layout.lanes[0]!.bars[0]!;
    expect(bar.left).toBe(0);
    expect(bar.width).toBeCloseTo(layout.columns[0]!.width);
  });
});
