import { describe, expect, it } from 'vitest';
import { estimateLabelWidth, placeBands, rowsUsed } from './band-lanes';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const overlap = (a: { labelLeft: number; labelWidth: number }, b: { labelLeft: number; labelWidth: number }) =>
  a.labelLeft < b.labelLeft + b.labelWidth && b.labelLeft < a.labelLeft + a.labelWidth;

describe('phase bands and their labels', () => {
  it('keeps a one-minute phase on a week-long axis visible', () => {
    const [band] = placeBands([{ phase: 'expand', from: DAY, to: DAY + MIN }], { from: 0, to: 7 * DAY, width: 700 });
    expect(band!.left).toBeCloseTo(100);
    expect(band!.width).toBe(4);
  });

  it('puts labels of phases minutes apart on rows of their own, none overlapping on a row', () => {
    const bands = ['expand', 'backfill', 'verify'].map((phase, i) => ({ phase, from: DAY + i * 5 * MIN, to: DAY + i * 5 * MIN + MIN }));
    const placed = placeBands(bands, { from: 0, to: 7 * DAY, width: 700 });
    expect(placed.map((p) => p.row)).toEqual([0, 1, 2]);
    expect(rowsUsed(placed)).toBe(3);
  });

  it('reuses the first row once a label has room again, and leaves a fourth crowded label to the legend', () => {
    const bands = ['expand', 'backfill', 'verify', 'deploy', 'contract'].map((phase, i) => ({
      phase,
      from: i < 4 ? i * MIN : 5 * DAY,
      to: i < 4 ? i * MIN + MIN : 5 * DAY + MIN,
    }));
    const placed = placeBands(bands, { from: 0, to: 7 * DAY, width: 700 });
    expect(placed.map((p) => p.row)).toEqual([0, 1, 2, null, 0]);
    for (const a of placed) for (const b of placed) if (a !== b && a.row !== null && a.row === b.row) expect(overlap(a, b)).toBe(false);
  });

  it('keeps a label inside the chart when its band is at the right edge, and drops bands outside the window', () => {
    const placed = placeBands(
      [
        { phase: 'old', from: -2 * DAY, to: -DAY },
        { phase: 'monitoring', from: 699 * MIN, to: 700 * MIN },
      ],
      { from: 0, to: 700 * MIN, width: 700 },
    );
    expect(placed).toHaveLength(1);
    expect(placed[0]!.labelLeft + placed[0]!.labelWidth).toBeLessThanOrEqual(700);
    expect(placed[0]!.labelWidth).toBe(estimateLabelWidth('monitoring'));
  });

  it('labels a long band in its middle, where the short phases at its start leave room', () => {
    const bands = [
      { phase: 'expand', from: 0, to: MIN },
      { phase: 'backfill', from: 3 * MIN, to: 5 * MIN },
      { phase: 'verify', from: 12 * MIN, to: 13 * MIN },
      { phase: 'deploy', from: 4 * 60 * MIN, to: 4 * 60 * MIN },
      { phase: 'monitoring', from: 4 * 60 * MIN, to: 4 * DAY },
    ];
    const placed = placeBands(bands, { from: -60 * MIN, to: 4 * DAY + 60 * MIN, width: 1100 });
    const monitoring = placed.find((p) => p.band.phase === 'monitoring')!;
    expect(monitoring.row).toBe(0);
    expect(monitoring.labelLeft + monitoring.labelWidth / 2).toBeCloseTo(monitoring.left + monitoring.width / 2);
    expect(placed.find((p) => p.band.phase === 'deploy')!.row).toBeNull();
  });

  it('clips a band that began before the window to its left edge', () => {
    const [band] = placeBands([{ phase: 'monitoring', from: -DAY, to: 350 * MIN }], { from: 0, to: 700 * MIN, width: 700 });
    expect(band!.left).toBe(0);
    expect(band!.width).toBeCloseTo(350);
  });
});
