import { describe, expect, it } from 'vitest';
import { statementDeltas, type PreviousSample, type StatementCounter } from './statement-deltas';

const t0 = new Date('2026-11-24T10:00:00Z');
const t1 = new Date('2026-11-24T10:00:30Z');
const counter = (queryid: string, calls: number, statsSince: Date | null = null, userid = 10): StatementCounter => ({ queryid, userid, calls, statsSince });
const previous = (calls: Record<string, number>, statsReset: Date | null = null): PreviousSample => ({
  at: t0,
  statsReset,
  calls: new Map(Object.entries(calls).map(([k, v]) => [`${k}:10`, v])),
});

describe('pg_stat_statements deltas', () => {
  it('takes the first sample as a baseline: its counts happened before sampling began', () => {
    expect(statementDeltas([counter('1', 500)], null, null)).toEqual({ deltas: [], reset: false, baseline: true });
  });

  it('counts calls since the previous sample', () => {
    expect(statementDeltas([counter('1', 530), counter('2', 7)], previous({ 1: 500, 2: 7 }), null).deltas).toEqual([{ queryid: '1', userid: 10, calls: 30 }]);
  });

  it('never goes negative: a counter that went down was re-created, everything it holds is new', () => {
    expect(statementDeltas([counter('1', 12)], previous({ 1: 500 }), null).deltas).toEqual([{ queryid: '1', userid: 10, calls: 12 }]);
  });

  it('counts an entry that appeared since the previous sample in full', () => {
    expect(statementDeltas([counter('3', 4)], previous({ 1: 500 }), null).deltas).toEqual([{ queryid: '3', userid: 10, calls: 4 }]);
  });

  it('uses stats_since: an entry re-created since the last sample and already past its old count is not double counted', () => {
    expect(statementDeltas([counter('1', 600, t1)], previous({ 1: 500 }), null).deltas).toEqual([{ queryid: '1', userid: 10, calls: 600 }]);
  });

  it('after a whole-view reset, counts everything as new', () => {
    const r = statementDeltas([counter('1', 40)], previous({ 1: 30 }, t0), t1);
    expect(r).toEqual({ deltas: [{ queryid: '1', userid: 10, calls: 40 }], reset: true, baseline: false });
  });

  it('ignores entries that vanished (deallocated)', () => {
    expect(statementDeltas([], previous({ 1: 500 }), null).deltas).toEqual([]);
  });
});
