import { describe, expect, it } from 'vitest';
import { backfillProgress } from './backfill-progress';
import { describeBackfillProgress } from './describe-backfill-progress';

describe('describeBackfillProgress', () => {
  it('says how far, how fast and how long to go while it runs', () => {
    const b = { rowsScanned: 4200, estimatedTotal: 10000, rowsPerSecond: 1000.4, status: 'running', tableRows: 10000 };
    expect(describeBackfillProgress(backfillProgress(b), b)).toEqual({
      percent: '42.0%',
      rows: '4,200 / 10,000 rows',
      rate: '1,000 rows/s',
      eta: 'ETA 6 seconds',
      table: 'table holds 10,000',
    });
  });

  it('gives no arrival time once paused, and no size it does not know', () => {
    const b = { rowsScanned: 4200, estimatedTotal: null, rowsPerSecond: null, status: 'paused', tableRows: null };
    expect(describeBackfillProgress(backfillProgress(b), b)).toEqual({ percent: '?', rows: '4,200 rows', rate: null, eta: null, table: null });
  });

  it('reads 100% with the rows it did once done, even when the estimate was larger', () => {
    const b = { rowsScanned: 9800, estimatedTotal: 10000, rowsPerSecond: 900, status: 'done', tableRows: 9800 };
    expect(describeBackfillProgress(backfillProgress(b), b)).toMatchObject({ percent: '100.0%', rows: '9,800 / 9,800 rows', eta: null });
  });
});
