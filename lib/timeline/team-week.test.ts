import { describe, expect, it } from 'vitest';
import { parseWeek, weekDays, weekParam, weekStart } from './team-week';

describe('the team week', () => {
  it.each([
    ['a Wednesday in UTC', '2026-11-25T15:00:00Z', 'UTC', '2026-11-23T00:00:00.000Z'],
    ['Sunday night is still the week before', '2026-11-29T23:59:00Z', 'UTC', '2026-11-23T00:00:00.000Z'],
    ['Monday 00:30 in Berlin is Sunday 23:30 UTC', '2026-11-29T23:30:00Z', 'Europe/Berlin', '2026-11-29T23:00:00.000Z'],
    ['Sunday afternoon in Los Angeles is Monday in UTC', '2026-11-30T01:00:00Z', 'America/Los_Angeles', '2026-11-23T08:00:00.000Z'],
  ])('%s', (_name, at, tz, monday) => {
    expect(weekStart(new Date(at), tz).toISOString()).toBe(monday);
  });

  it('has seven local days, 23 hours on the day clocks go forward', () => {
    const days = weekDays(new Date('2026-03-23T00:00:00Z'), 'Europe/London');
    expect(days.map((d) => d.weekend)).toEqual([false, false, false, false, false, true, true]);
    expect(days[6]!.label).toBe('Sun 29 Mar');
    expect((days[6]!.end.getTime() - days[6]!.start.getTime()) / 3_600_000).toBe(23);
  });

  it('reads a week parameter as its Monday, and refuses nonsense', () => {
    expect(parseWeek('2026-11-26', 'UTC')!.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(weekParam(parseWeek('2026-11-26', 'Europe/Berlin')!, 'Europe/Berlin')).toBe('2026-11-23');
    for (const bad of ['2026-02-30', 'next week', '', undefined]) expect(parseWeek(bad, 'UTC')).toBeNull();
  });
});
