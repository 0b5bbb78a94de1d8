import { describe, expect, it } from 'vitest';
import { DEFAULT_REGRESSION_POLICY } from '../metrics/error-regression';
import { comparedWindows } from './error-evidence';

const t = (iso: string) => new Date(iso);
const iso = (spans: [number, number][]) => spans.map(([a, b]) => [new Date(a).toISOString(), new Date(b).toISOString()]);

describe('the minutes the error evidence reads', () => {
  it('reads a day each side of each phase of a month-old migration, not the whole month', () => {
    const now = t('2026-12-31T12:00:00Z');
    const spans = comparedWindows(
      [
        { phase: 'expand', at: t('2026-12-01T10:00:30Z') },
        { phase: 'deploy', at: t('2026-12-01T14:00:00Z') },
        { phase: 'contract', at: t('2026-12-31T11:00:00Z') },
      ],
      now,
      DEFAULT_REGRESSION_POLICY,
    );
    expect(iso(spans)).toEqual([
      ['2026-11-30T09:59:00.000Z', '2026-12-02T14:01:00.000Z'],
      ['2026-12-31T09:59:00.000Z', '2026-12-31T12:01:00.000Z'],
    ]);
  });

  it('reads as much before a fresh phase as has passed since it, up to now', () => {
    const spans = comparedWindows([{ phase: 'expand', at: t('2026-12-01T10:00:00Z') }], t('2026-12-01T10:10:00Z'), DEFAULT_REGRESSION_POLICY);
    expect(iso(spans)).toEqual([['2026-12-01T09:49:00.000Z', '2026-12-01T10:11:00.000Z']]);
  });
});
