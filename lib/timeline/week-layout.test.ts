import { describe, expect, it } from 'vitest';
import { filterTimeline, parseTimelineFilter, timelineTables } from './filter-timeline';
import { proposeSchedule } from './propose-schedule';
import { AXIS_PX, MIN_BAR_PX, layoutWeek, phaseWord, type Bar, type TimelineMigration } from './week-layout';

const monday = new Date('2026-11-23T00:00:00Z');
const now = new Date('2026-11-25T12:00:00Z'); // Wednesday noon
const schedule = proposeSchedule(new Date('2026-11-20T12:00:00Z'), 'UTC'); // this week: Monday 10:00 → Thursday 10:00
const migration = (over: Partial<TimelineMigration>): TimelineMigration => ({
  id: 1,
  title: 'Rename leads.user_email',
  table: 'public.leads',
  columns: ['public.leads.user_email', 'public.leads.contact_email'],
  status: 'expanded',
  createdBy: 'author@demo.local',
  schedule,
  actual: [],
  ...over,
});
const ran = (
  phase: TimelineMigration['actual'][number]['phase'],
  start: string,
  minutes: number | null,
  status: 'succeeded' | 'failed' | 'running' = 'succeeded',
) => ({
  phase,
  start: new Date(start),
  end: minutes === null ? null : new Date(new Date(start).getTime() + minutes * 60_000),
  status,
  actor: 'oncall@demo.local',
});
const describeBar = (b: Bar) => `${b.kind}:${b.phase}:${b.tone}`;

describe('layoutWeek', () => {
  it('gives weekdays the width and shrinks a quiet weekend, with the now line on Wednesday noon', () => {
    const layout = layoutWeek(monday, 'UTC', now, [migration({})]);
    expect(layout.columns.map((c) => c.collapsed)).toEqual([false, false, false, false, false, true, true]);
    expect(layout.columns[0]!.width).toBeCloseTo(18.8);
    expect(layout.columns[5]!.width).toBe(3);
    expect(layout.now).toBeCloseTo(2.5 * 18.8);
  });

  it('opens a weekend day when something ran on it', () => {
    const layout = layoutWeek(monday, 'UTC', now, [migration({ actual: [ran('backfill', '2026-11-28T02:00:00Z', 60)] })]);
    expect(layout.columns.map((c) => c.collapsed)).toEqual([false, false, false, false, false, false, true]);
  });

  it('draws what ran where it ran, and plans only what is still to come, with the buffer from deploy to contract', () => {
    const layout = layoutWeek(monday, 'UTC', now, [
      migration({ actual: [ran('expand', '2026-11-23T10:05:00Z', 1), ran('backfill', '2026-11-23T10:06:00Z', null, 'running')] }),
    ]);
    const lane = layout.lanes[0]!;
    expect(lane.bars.map(describeBar)).toEqual([
      'actual:expand:succeeded',
      'actual:backfill:running',
      'planned:deploy:planned',
      'planned:monitor:planned',
      'planned:contract:planned',
    ]);
    const running = lane.bars[1]!;
    // A running phase reaches the now line, and says it is still running.
    expect(running.left + running.width).toBeCloseTo(layout.now!);
    expect(running.end).toBeNull();
    const deploy = lane.bars.find((b) => b.phase === 'deploy')!;
    const contract = lane.bars.find((b) => b.phase === 'contract')!;
    expect(lane.buffer!.left).toBeCloseTo(deploy.left);
    expect(lane.buffer!.left + lane.buffer!.width).toBeCloseTo(contract.left);
    // What ran sits above what is planned.
    expect(Math.max(...lane.bars.filter((b) => b.kind === 'actual').map((b) => b.row))).toBeLessThan(
      Math.min(...lane.bars.filter((b) => b.kind === 'planned').map((b) => b.row)),
    );
  });

  it('keeps a failed expand planned (it is still to do) and draws the failure red', () => {
    const lane = layoutWeek(monday, 'UTC', now, [migration({ status: 'planned', actual: [ran('expand', '2026-11-23T10:05:00Z', 0, 'failed')] })]).lanes[0]!;
    expect(lane.bars.map(describeBar)).toEqual([
      'actual:expand:failed',
      'planned:expand:planned',
      'planned:deploy:planned',
      'planned:monitor:planned',
      'planned:contract:planned',
    ]);
  });

  it('draws a finished change as it ran: no planned phases, no buffer, and nothing in the weeks after', () => {
    const contracted = migration({
      id: 5,
      status: 'contracted',
      actual: [ran('expand', '2026-11-23T10:05:00Z', 1), ran('deploy', '2026-11-23T14:00:00Z', 15), ran('contract', '2026-11-25T10:00:00Z', 1)],
      // Planned for next week, but it finished this week.
      schedule: proposeSchedule(new Date('2026-11-29T00:00:00Z'), 'UTC'),
    });
    const week = layoutWeek(monday, 'UTC', now, [contracted]);
    expect(week.lanes[0]!.bars.every((b) => b.kind === 'actual')).toBe(true);
    expect(week.lanes[0]!.buffer).toBeNull();
    expect(layoutWeek(new Date('2026-11-30T00:00:00Z'), 'UTC', now, [contracted]).lanes).toEqual([]);
  });

  it('gives a rollback its own colour, and a rolled-back change no buffer', () => {
    const lane = layoutWeek(monday, 'UTC', now, [
      migration({
        status: 'rolled_back',
        actual: [ran('expand', '2026-11-23T10:05:00Z', 1), ran('deploy', '2026-11-23T14:00:00Z', 15), ran('rollback', '2026-11-24T15:00:00Z', 1)],
      }),
    ]).lanes[0]!;
    expect(lane.bars.map(describeBar)).toEqual(['actual:expand:succeeded', 'actual:deploy:succeeded', 'actual:rollback:undone']);
    expect(lane.buffer).toBeNull();
  });

  it('keeps a three-minute migration readable: every phase on a row of its own where it would overlap another (at 12 px at least, on the narrowest axis), labels never cut', () => {
    const lane = layoutWeek(monday, 'UTC', now, [
      migration({
        status: 'backfilled',
        actual: [ran('expand', '2026-11-23T10:00:00Z', 1), ran('backfill', '2026-11-23T10:01:00Z', 1), ran('verify', '2026-11-23T10:02:00Z', 1)],
      }),
    ]).lanes[0]!;
    const px = (p: number) => (p * AXIS_PX) / 100;
    const actual = lane.bars.filter((b) => b.kind === 'actual');
    for (const b of actual) {
      // A one-minute bar is too short for "backfill": its name goes beside it, whole.
      expect(b.label).not.toBe('inside');
      expect(px(b.width)).toBeLessThan(12);
    }
    // Bars and their labels on one row never overlap.
    const extent = (b: Bar) => {
      const text = ((phaseWord(b.phase).length * 6.4 + 10) / AXIS_PX) * 100;
      const width = Math.max(b.width, (MIN_BAR_PX / AXIS_PX) * 100);
      return [b.label === 'before' ? b.left - text : b.left, b.left + width + (b.label === 'after' ? text : 0)] as const;
    };
    for (const a of lane.bars)
      for (const b of lane.bars)
        if (a !== b && a.row === b.row) {
          const [a0, a1] = extent(a);
          const [b0, b1] = extent(b);
          expect(a1 <= b0 || b1 <= a0).toBe(true);
        }
    expect(new Set(actual.map((b) => b.row)).size).toBe(3);
    expect(lane.rows).toBe(Math.max(...lane.bars.map((b) => b.row)) + 1);
  });

  it('puts a label inside a bar that has room for it', () => {
    const lane = layoutWeek(monday, 'UTC', now, [migration({ actual: [ran('backfill', '2026-11-23T02:00:00Z', 30 * 60)] })]).lanes[0]!;
    expect(lane.bars[0]!.label).toBe('inside');
  });

  it('warns about the same column apart from the same table, only for open changes whose windows overlap', () => {
    const nextWeek = proposeSchedule(new Date('2026-11-29T00:00:00Z'), 'UTC');
    const layout = layoutWeek(monday, 'UTC', now, [
      migration({ id: 1 }),
      migration({ id: 2, title: 'Set leads.user_email NOT NULL', columns: ['public.leads.user_email'] }),
      migration({ id: 3, title: 'Drop leads.legacy', columns: ['public.leads.legacy'] }),
      migration({ id: 4, table: 'public.orders', columns: ['public.orders.status'] }),
      migration({ id: 5, status: 'contracted', actual: [ran('contract', '2026-11-24T10:00:00Z', 1)] }),
      // Same table, but the week after: no overlap.
      migration({ id: 6, status: 'planned', schedule: nextWeek }),
    ]);
    const clashes = (id: number) => layout.lanes.find((l) => l.id === id)?.clashes.map((c) => `${c.on}:${c.name}:#${c.id}`);
    expect(clashes(1)).toEqual(['column:public.leads.user_email:#2', 'table:public.leads:#3']);
    expect(clashes(2)).toEqual(['column:public.leads.user_email:#1', 'table:public.leads:#3']);
    expect(clashes(4)).toEqual([]);
    expect(clashes(5)).toEqual([]);
  });

  it('leaves a cancelled plan off the week, and out of the warnings', () => {
    const layout = layoutWeek(monday, 'UTC', now, [migration({ id: 1 }), migration({ id: 2, status: 'cancelled' })]);
    expect(layout.lanes.map((l) => [l.id, l.clashes])).toEqual([[1, []]]);
  });

  it('clips bars to the week and has no now line in another week', () => {
    const layout = layoutWeek(new Date('2026-11-30T00:00:00Z'), 'UTC', now, [
      migration({ status: 'contracted', actual: [ran('backfill', '2026-11-29T00:00:00Z', 2 * 24 * 60)] }),
    ]);
    expect(layout.now).toBeNull();
    const bar = layout.lanes[0]!.bars[0]!;
    expect(bar.left).toBe(0);
    expect(bar.width).toBeCloseTo(layout.columns[0]!.width);
  });
});

describe('the timeline filters', () => {
  const all = [
    migration({ id: 1 }),
    migration({ id: 2, createdBy: 'other@demo.local', table: 'public.orders' }),
    migration({ id: 3, createdBy: 'other@demo.local', table: null }),
  ];
  const person = { email: 'author@demo.local', waiting: [2] };
  it.each([
    [{}, [1, 2, 3]],
    [{ who: 'mine' }, [1]],
    [{ who: 'waiting' }, [2]],
    [{ table: 'public.orders' }, [2]],
    [{ who: 'mine', table: 'public.orders' }, []],
    [{ who: 'nonsense', table: '' }, [1, 2, 3]],
  ])('%o keeps %o', (params, ids) => {
    expect(filterTimeline(all, parseTimelineFilter(params), person).map((m) => m.id)).toEqual(ids);
  });
  it('lists the tables once each, in order', () => {
    expect(timelineTables(all)).toEqual(['public.leads', 'public.orders']);
  });
});
