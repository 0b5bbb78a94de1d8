import { describe, expect, it } from 'vitest';
import { splitAtHours } from './split-at-hours';

const at = (hhmm: string) => new Date(`2026-12-02T${hhmm}:00Z`);
const iso = (split: ReturnType<typeof splitAtHours>) => ({
  hours: split.hours?.map((d) => d.toISOString().slice(11, 16)) ?? null,
  minutes: split.minutes.map((m) => m.map((d) => d.toISOString().slice(11, 16))),
});

describe('a window split into whole hours and the minutes at its edges', () => {
  it('covers a day-long window with the hours inside it and the minutes before and after them', () => {
    expect(iso(splitAtHours(at('10:05'), at('14:20')))).toEqual({
      hours: ['11:00', '14:00'],
      minutes: [
        ['10:05', '11:00'],
        ['14:00', '14:20'],
      ],
    });
  });

  it('needs no minutes for a window on whole hours', () => {
    expect(iso(splitAtHours(at('10:00'), at('12:00')))).toEqual({ hours: ['10:00', '12:00'], minutes: [] });
  });

  it('reads minutes only when no whole hour fits, even across an hour boundary', () => {
    expect(iso(splitAtHours(at('10:05'), at('10:40')))).toEqual({ hours: null, minutes: [['10:05', '10:40']] });
    expect(iso(splitAtHours(at('10:05'), at('11:20')))).toEqual({ hours: null, minutes: [['10:05', '11:20']] });
  });

  it('is empty for an empty window', () => {
    expect(splitAtHours(at('10:00'), at('10:00'))).toEqual({ hours: null, minutes: [] });
  });

  it('covers every minute of any window exactly once', () => {
    const base = at('00:00').getTime();
    for (let i = 0; i < 300; i += 1) {
      // Deterministic spread of windows from a minute to two days, on any minute.
      const from = base + ((i * 7919) % 2880) * 60_000;
      const to = from + ((i * 104_729) % 2880) * 60_000;
      const split = splitAtHours(new Date(from), new Date(to));
      const pieces = [...(split.hours ? [split.hours] : []), ...split.minutes].map(([a, b]) => [a.getTime(), b.getTime()] as const);
      expect(pieces.reduce((n, [a, b]) => n + (b - a), 0)).toBe(to - from);
      for (const [a, b] of pieces) {
        expect(a).toBeGreaterThanOrEqual(from);
        expect(b).toBeLessThanOrEqual(to);
      }
      const sorted = [...pieces].sort((x, y) => x[0] - y[0]);
      sorted.slice(1).forEach(([a], k) => expect(a).toBeGreaterThanOrEqual(sorted[k]![1]));
      if (split.hours) expect(split.hours.every((d) => d.getTime() % 3_600_000 === 0)).toBe(true);
    }
  });
});
