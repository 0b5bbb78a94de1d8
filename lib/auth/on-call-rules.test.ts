import { describe, expect, it } from 'vitest';
import { checkOverrideWindow, checkShiftDays, nextMondayNine, OnCallRuleError, parseRotationEmails, parseUtcDateTime } from './on-call';

describe('the rotation and override rules', () => {
  it.each([
    ['a Tuesday', '2026-12-01T21:53:00Z', '2026-12-07T09:00:00.000Z'],
    ['a Sunday night', '2026-12-06T23:59:00Z', '2026-12-07T09:00:00.000Z'],
    ['a Monday before nine', '2026-12-07T08:59:00Z', '2026-12-07T09:00:00.000Z'],
    ['a Monday at nine: the handover is a week on', '2026-12-07T09:00:00Z', '2026-12-14T09:00:00.000Z'],
  ])('starts the rotation by default on the next Monday 09:00 UTC, from %s', (_when, now, expected) => {
    expect(nextMondayNine(new Date(now)).toISOString()).toBe(expected);
  });

  it('takes whole shifts of 1 to 366 days only', () => {
    expect(checkShiftDays(7)).toBe(7);
    for (const bad of [0, -7, 1.5, Number.NaN, 367]) expect(() => checkShiftDays(bad)).toThrow(OnCallRuleError);
  });

  it('refuses an override that does not end after it starts, or misses a time', () => {
    const at = (t: string) => new Date(t);
    expect(() => checkOverrideWindow(at('2026-12-01T09:00Z'), at('2026-12-01T10:00Z'))).not.toThrow();
    expect(() => checkOverrideWindow(at('2026-12-01T09:00Z'), at('2026-12-01T09:00Z'))).toThrow('"to" must be later than "from"');
    expect(() => checkOverrideWindow(at('2026-12-02T09:00Z'), at('2026-12-01T09:00Z'))).toThrow('"to" must be later than "from"');
    expect(() => checkOverrideWindow(at(''), at('2026-12-01T09:00Z'))).toThrow('needs both its from and to times');
  });

  it('reads a rotation typed with commas, spaces or lines, in order, lower case', () => {
    expect(parseRotationEmails(' Ona@x.example, otto@x.example\nada@x.example ,')).toEqual(['ona@x.example', 'otto@x.example', 'ada@x.example']);
  });

  it('reads a form time without a zone as UTC, and one with a zone as written', () => {
    expect(parseUtcDateTime('2026-12-07T09:00').toISOString()).toBe('2026-12-07T09:00:00.000Z');
    expect(parseUtcDateTime('2026-12-07T09:00+01:00').toISOString()).toBe('2026-12-07T08:00:00.000Z');
    expect(Number.isNaN(parseUtcDateTime('').getTime())).toBe(true);
  });
});
