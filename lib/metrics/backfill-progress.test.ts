import { describe, expect, it } from 'vitest';
import { backfillProgress, nextBatchSize } from './backfill-progress';

describe('backfill progress', () => {
  it('computes percent, rate and ETA from the persisted counters', () => {
    expect(backfillProgress({ rowsScanned: 25_000, estimatedTotal: 100_000, rowsPerSecond: 5_000, status: 'running' })).toEqual({
      done: 25_000,
      total: 100_000,
      percent: 25,
      rowsPerSecond: 5_000,
      etaSeconds: 15,
    });
  });

  it('never reports more than 100% when the estimate was low, and 100% only when done', () => {
    expect(backfillProgress({ rowsScanned: 120, estimatedTotal: 100, rowsPerSecond: 10, status: 'running' })).toMatchObject({
      total: 120,
      percent: 99.9,
      etaSeconds: 0,
    });
    expect(backfillProgress({ rowsScanned: 120, estimatedTotal: 100, rowsPerSecond: 10, status: 'done' })).toMatchObject({ percent: 100, etaSeconds: 0 });
  });

  it('has no percent or ETA without a size estimate', () => {
    expect(backfillProgress({ rowsScanned: 10, estimatedTotal: null, rowsPerSecond: null, status: 'running' })).toMatchObject({
      percent: null,
      etaSeconds: null,
    });
  });
});

describe('adaptive batch size', () => {
  const bounds = { min: 100, max: 20_000 };
  it.each([
    [1000, 50, 100, 1500], // fast: grow, at most x1.5
    [1000, 100, 100, 1000], // on target: keep
    [1000, 400, 100, 500], // slow: shrink, at most x0.5
    [150, 1000, 100, 100], // never below the minimum
    [19_000, 10, 100, 20_000], // never above the maximum
  ])('from %d rows taking %d ms (target %d ms) → %d', (current, lastMs, target, expected) => {
    expect(nextBatchSize(current, lastMs, target, bounds)).toBe(expected);
  });
});
