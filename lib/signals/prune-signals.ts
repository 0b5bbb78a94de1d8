import type { Pool } from 'pg';

export interface Retention {
  /** Raw ingest points and batch ids. */
  rawDays: number;
  /** Minute rollups, and the sampler's per-interval statement calls and runs. */
  minuteDays: number;
}

/** Deletes evidence older than its retention; returns how many rows went, per table. */
export async function pruneSignals(state: Pool, retention: Retention, now: Date = new Date()): Promise<Record<string, number>> {
  const raw = new Date(now.getTime() - retention.rawDays * 86_400_000);
  const minutes = new Date(now.getTime() - retention.minuteDays * 86_400_000);
  const deleted: Record<string, number> = {};
  for (const [table, column, before] of [
    ['metric_points', 'at', raw],
    ['ingest_batches', 'received_at', raw],
    ['metric_minutes', 'minute', minutes],
    ['statement_calls', 'sampled_at', minutes],
    ['sampler_runs', 'sampled_at', minutes],
  ] as const) {
    const { rowCount } = await state.query(`DELETE FROM expand_contract.${table} WHERE ${column} < $1`, [before]);
    deleted[table] = rowCount ?? 0;
  }
  return deleted;
}

/** Prunes at start and then hourly. */
export function startRetention(state: Pool, retention: Retention, log?: (line: string) => void): { stop: () => void } {
  const run = () => pruneSignals(state, retention).catch((error: Error) => log?.(`retention: ${error.message}`));
  void run();
  const timer = setInterval(() => void run(), 3_600_000);
  return { stop: () => clearInterval(timer) };
}
