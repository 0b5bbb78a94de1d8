import type { ClientBase } from 'pg';
import { quoteLiteral } from '../migrations/quote';
import { markProduct } from '../migrations/sql-text';
import type { BackfillSpec, Timeouts } from '../migrations/types';

export interface BackfillProgress {
  batches: number;
  scanned: number;
  changed: number;
  /** The last primary key done, as text in key order: where a resumed run starts. */
  lastKey: string[] | null;
}

export interface BackfillOptions {
  batchSize: number;
  timeouts: Timeouts;
  /** Resume after this key (from a saved cursor). */
  after?: string[] | null;
  /** Called after every committed batch, e.g. to persist the cursor. */
  onBatch?: (progress: BackfillProgress) => Promise<void> | void;
}

export interface BatchResult {
  scanned: number;
  changed: number;
  /** Last key of this batch; null when there was nothing left (the backfill is complete). */
  lastKey: string[] | null;
  ms: number;
}

/** One batch in its own short transaction, starting after `after` (or at the start). */
export async function runBatch(client: ClientBase, spec: BackfillSpec, after: string[] | null, size: number, timeouts: Timeouts): Promise<BatchResult> {
  const started = performance.now();
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = ${quoteLiteral(timeouts.lockTimeout)}; SET LOCAL statement_timeout = ${quoteLiteral(timeouts.statementTimeout)}`);
    const result = after ? await client.query(markProduct(spec.batchSql), [...after, size]) : await client.query(markProduct(spec.firstBatchSql), [size]);
    await client.query('COMMIT');
    const row = result.rows[0] as { scanned: number; changed: number; last_key: string[] | null };
    return { scanned: row.scanned, changed: row.changed, lastKey: row.last_key, ms: performance.now() - started };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * Walks the table in primary-key order, one short transaction per batch, so no lock is
 * held longer than a batch and every committed batch is progress that survives a crash.
 */
export async function runBackfill(client: ClientBase, spec: BackfillSpec, options: BackfillOptions): Promise<BackfillProgress> {
  const progress: BackfillProgress = { batches: 0, scanned: 0, changed: 0, lastKey: options.after ?? null };
  for (;;) {
    const batch = await runBatch(client, spec, progress.lastKey, options.batchSize, options.timeouts);
    if (!batch.lastKey) return progress;
    progress.batches += 1;
    progress.scanned += batch.scanned;
    progress.changed += batch.changed;
    progress.lastKey = batch.lastKey;
    await options.onBatch?.({ ...progress });
  }
}
