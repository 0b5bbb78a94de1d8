import { describe, expect, it } from 'vitest';
import { proposeSchedule, scheduleFrom, type Schedule } from './propose-schedule';
import { DEFAULT_SCHEDULE_RULES, describeScheduleRules, readScheduleRules } from './schedule-rules';
import type { ScheduledChange } from './schedule-windows';

const iso = (s: Schedule) => [s.expandAt, s.deployAt, s.monitorFrom, s.contractAt].map((d) => d.toISOString());

describe('the default schedule', () => {
  it.each([
    [
      'before Monday 10:00: Monday, contract Thursday after three days of buffer',
      '2026-11-23T09:59:00Z',
      'UTC',
      ['2026-11-23T10:00:00.000Z', '2026-11-23T14:00:00.000Z', '2026-11-24T00:00:00.000Z', '2026-11-26T10:00:00.000Z'],
    ],
    [
      'at Monday 10:00: Tuesday, and the contract skips Friday and the weekend',
      '2026-11-23T10:00:00Z',
      'UTC',
      ['2026-11-24T10:00:00.000Z', '2026-11-24T14:00:00.000Z', '2026-11-25T00:00:00.000Z', '2026-11-30T10:00:00.000Z'],
    ],
    [
      'on a Thursday: next Monday',
      '2026-11-26T08:00:00Z',
      'UTC',
      ['2026-11-30T10:00:00.000Z', '2026-11-30T14:00:00.000Z', '2026-12-01T00:00:00.000Z', '2026-12-03T10:00:00.000Z'],
    ],
    [
      'in New York: 10:00 local',
      '2026-11-26T08:00:00Z',
      'America/New_York',
      ['2026-11-30T15:00:00.000Z', '2026-11-30T19:00:00.000Z', '2026-12-01T05:00:00.000Z', '2026-12-03T15:00:00.000Z'],
    ],
  ])('%s', (_name, now, tz, expected) => {
    expect(iso(proposeSchedule(new Date(now), tz))).toEqual(expected);
  });

  it('keeps 10:00 on the wall clock across the change to summer time', () => {
    // London moves its clocks on Sunday 29 March 2026: Monday 10:00 is then 09:00 UTC.
    const s = proposeSchedule(new Date('2026-03-27T12:00:00Z'), 'Europe/London');
    expect(s.expandAt.toISOString()).toBe('2026-03-30T09:00:00.000Z');
  });
});

const change = (id: number, table: string, schedule: Schedule, over: Partial<ScheduledChange> = {}): ScheduledChange => ({
  id,
  status: 'planned',
  table,
  columns: [`${table}.c${id}`],
  schedule,
  ...over,
});

describe('proposals that do not collide', () => {
  const now = new Date('2026-11-22T12:00:00Z'); // a Sunday

  it('spreads eight new changes of eight tables two to a slot: Monday, Tuesday, Wednesday, then the next Monday', () => {
    const existing: ScheduledChange[] = [];
    for (let i = 1; i <= 8; i++)
      existing.push(change(i, `public.t${i}`, proposeSchedule(now, 'UTC', DEFAULT_SCHEDULE_RULES, existing, { table: `public.t${i}`, columns: [] })));
    expect(existing.map((e) => e.schedule!.expandAt.toISOString().slice(0, 16))).toEqual([
      '2026-11-23T10:00',
      '2026-11-23T10:00',
      '2026-11-24T10:00',
      '2026-11-24T10:00',
      '2026-11-25T10:00',
      '2026-11-25T10:00',
      '2026-11-30T10:00',
      '2026-11-30T10:00',
    ]);
  });

  it('never overlaps two open changes of one table: the next starts after the last one contracts', () => {
    const first = change(1, 'public.leads', proposeSchedule(now, 'UTC'));
    const second = proposeSchedule(now, 'UTC', DEFAULT_SCHEDULE_RULES, [first], { table: 'public.leads', columns: [] });
    expect(second.expandAt.getTime()).toBeGreaterThan(first.schedule!.contractAt.getTime());
    expect(second.expandAt.toISOString()).toBe('2026-11-30T10:00:00.000Z');
  });

  it('keeps the table for a restored change: it may be contracted again', () => {
    const restored = change(1, 'public.leads', proposeSchedule(now, 'UTC'), { status: 'restored' });
    const s = proposeSchedule(now, 'UTC', DEFAULT_SCHEDULE_RULES, [restored], { table: 'public.leads', columns: [] });
    expect(s.expandAt.getTime()).toBeGreaterThan(restored.schedule!.contractAt.getTime());
  });

  it('frees the slot and the table when the change there finished or was cancelled', () => {
    const done = ['contracted', 'rolled_back', 'cancelled'].map((status, i) => change(i + 1, 'public.leads', proposeSchedule(now, 'UTC'), { status }));
    const s = proposeSchedule(now, 'UTC', DEFAULT_SCHEDULE_RULES, done, { table: 'public.leads', columns: [] });
    expect(s.expandAt.toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });

  it('follows what ran: a change of the table still open past its planned contract keeps the table', () => {
    const late = change(1, 'public.leads', proposeSchedule(new Date('2026-11-09T12:00:00Z'), 'UTC'), {
      status: 'backfilled',
      ranFrom: new Date('2026-11-10T10:00:00Z'),
      ranUntil: new Date('2026-11-26T00:00:00Z'),
    });
    const s = proposeSchedule(now, 'UTC', DEFAULT_SCHEDULE_RULES, [late], { table: 'public.leads', columns: [] });
    expect(s.expandAt.toISOString()).toBe('2026-11-30T10:00:00.000Z');
  });

  it('obeys the team rules: one expand per slot, Thursday slots, a one-day buffer and contracts on any day', () => {
    const rules = readScheduleRules({ expandDays: [3], maxExpandsPerSlot: 1, bufferDays: 1, noContractDays: [] });
    const a = proposeSchedule(now, 'UTC', rules);
    const b = proposeSchedule(now, 'UTC', rules, [change(1, 'public.a', a)], { table: 'public.b', columns: [] });
    expect(iso(a)).toEqual(['2026-11-26T10:00:00.000Z', '2026-11-26T14:00:00.000Z', '2026-11-27T00:00:00.000Z', '2026-11-27T10:00:00.000Z']);
    expect(b.expandAt.toISOString()).toBe('2026-12-03T10:00:00.000Z');
  });

  it('settles for the first slot when nothing is free for half a year, rather than never proposing', () => {
    const rules = readScheduleRules({ maxExpandsPerSlot: 1 });
    const existing: ScheduledChange[] = [];
    // Every slot for 26 weeks is taken by one change each.
    for (let w = 0; w < 26; w++)
      for (const d of [0, 1, 2])
        existing.push(change(existing.length + 1, `public.x${existing.length}`, scheduleFrom(new Date(Date.UTC(2026, 10, 23 + 7 * w + d, 10)), 'UTC', rules)));
    expect(proposeSchedule(now, 'UTC', rules, existing).expandAt.toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });
});

describe('the rules as settings', () => {
  it('fills what is missing with the defaults and ignores nonsense', () => {
    expect(readScheduleRules(null)).toEqual(DEFAULT_SCHEDULE_RULES);
    expect(readScheduleRules({ bufferDays: 5 }).bufferDays).toBe(5);
    expect(readScheduleRules({ expandHour: 30 })).toEqual(DEFAULT_SCHEDULE_RULES);
    expect(readScheduleRules({ expandHour: 15, deployHour: 14 })).toEqual(DEFAULT_SCHEDULE_RULES);
  });

  it('says the defaults in words', () => {
    expect(describeScheduleRules(DEFAULT_SCHEDULE_RULES)).toEqual([
      'Expands at 10:00 on Mon, Tue, Wed, at most 2 per slot; the deploy at 14:00 the same day.',
      'Contract at 10:00, at least 3 days after the deploy, never on Fri, Sat, Sun.',
      'Two open changes of the same table are never proposed in overlapping weeks; an author who moves one there is warned.',
    ]);
  });
});
