/** One pg_stat_statements entry as sampled: its counters are cumulative since the entry was created. */
export interface StatementCounter {
  queryid: string;
  userid: number;
  calls: number;
  /** PostgreSQL 17+: when this entry started counting (after a reset or re-creation). */
  statsSince: Date | null;
}

export interface PreviousSample {
  at: Date;
  /** stats_reset of pg_stat_statements_info at that sample (PostgreSQL 14+). */
  statsReset: Date | null;
  calls: Map<string, number>;
}

export interface DeltaResult {
  deltas: { queryid: string; userid: number; calls: number }[];
  /** Whole-view reset seen (pg_stat_statements_reset) since the previous sample. */
  reset: boolean;
  /** First sample ever: counters are a baseline, nothing is attributed to this interval. */
  baseline: boolean;
}

export const counterKey = (c: Pick<StatementCounter, 'queryid' | 'userid'>) => `${c.queryid}:${c.userid}`;

/**
 * Calls made since the previous sample, per statement, never negative and never counted
 * twice. Counters that went down, or entries created after the previous sample (their
 * stats_since says so, or they were absent then), count from zero: everything they hold
 * happened since. Entries that vanished (deallocated) simply stop contributing.
 */
export function statementDeltas(current: StatementCounter[], previous: PreviousSample | null, statsReset: Date | null): DeltaResult {
  if (!previous) return { deltas: [], reset: false, baseline: true };
  const reset = !!statsReset && (!previous.statsReset || statsReset.getTime() > previous.statsReset.getTime());
  const deltas: DeltaResult['deltas'] = [];
  for (const c of current) {
    const before = previous.calls.get(counterKey(c));
    const createdSince = (c.statsSince && c.statsSince.getTime() > previous.at.getTime()) || reset;
    let delta: number;
    if (createdSince || before === undefined) delta = c.calls;
    else if (c.calls < before)
      delta = c.calls; // deallocated and re-created in between
    else delta = c.calls - before;
    if (delta > 0) deltas.push({ queryid: c.queryid, userid: c.userid, calls: delta });
  }
  return { deltas, reset, baseline: false };
}
