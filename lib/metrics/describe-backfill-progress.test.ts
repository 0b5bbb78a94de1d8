import { describe, expect, it } from 'vitest';
import { backfillProgress } from './backfill-progress';
import { backfillStage, describeBackfillProgress, type BackfillJobFacts } from './describe-backfill-progress';

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

describe('backfillStage: where a backfill stands, queue included', () => {
  const at = new Date('2026-12-01T10:00:00Z');
  const job = (over: Partial<BackfillJobFacts>): BackfillJobFacts => ({
    state: 'created',
    attempt: 1,
    attempts: 21,
    lastError: null,
    queuedBy: 'author@demo.local',
    queuedAt: at,
    startAfter: at,
    endedAt: null,
    ...over,
  });
  const saved = (status: 'running' | 'paused' | 'cancelled' | 'done' | 'failed', error: string | null = null) => ({ status, error, updatedAt: at });

  it('is queued the moment the job is, before any worker touched it, naming who queued it', () => {
    expect(backfillStage(null, job({}))).toEqual({ word: 'queued', note: 'queued by author@demo.local at 10:00 UTC, waiting for the job worker' });
  });

  it('is running once a worker took it, "starting" until its first batch is saved', () => {
    expect(backfillStage(null, job({ state: 'active' }))).toEqual({ word: 'running', note: 'starting' });
    expect(backfillStage(saved('running'), job({ state: 'active' }))).toEqual({ word: 'running', note: null });
  });

  it('shows a try that failed and waits to be retried, with its error and when it runs again', () => {
    expect(
      backfillStage(saved('failed', 'lock timeout'), job({ state: 'retry', lastError: 'lock timeout', startAfter: new Date('2026-12-01T10:02:00Z') })),
    ).toEqual({
      word: 'retrying',
      note: 'try 1 of 21 failed; last error: lock timeout; next try at 10:02 UTC',
    });
    expect(backfillStage(saved('running'), job({ state: 'active', attempt: 3, lastError: 'connection lost' }))).toEqual({
      word: 'running',
      note: 'try 3 of 21; last error: connection lost',
    });
  });

  it('is failed when the queue gave up, even before a batch was saved', () => {
    expect(backfillStage(null, job({ state: 'failed', attempt: 21, lastError: 'permission denied', endedAt: at }))).toEqual({
      word: 'failed',
      note: 'gave up after 21 tries; last error: permission denied',
    });
  });

  it('follows the saved progress when no job is pending, or the failed job is older than it', () => {
    expect(backfillStage(saved('done'), job({ state: 'completed', endedAt: at }))).toEqual({ word: 'done', note: null });
    const earlier = new Date('2026-12-01T09:00:00Z');
    expect(backfillStage(saved('done'), job({ state: 'failed', endedAt: earlier }))).toEqual({ word: 'done', note: null });
    expect(backfillStage(saved('failed', 'boom'), null)).toEqual({ word: 'failed', note: 'error: boom' });
    expect(backfillStage(null, null)).toBeNull();
  });
});
