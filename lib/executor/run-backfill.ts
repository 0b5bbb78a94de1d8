import type { ClientBase } from 'pg';
import { quoteLiteral } from '../migrations/quote';
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

/**
 * Walks the table in primary-key order, one short transaction per batch, so no lock is
 * held longer than a batch and every committed batch is progress that survives a crash.
 */
export async function runBackfill(client: ClientBase, spec: BackfillSpec, options: BackfillOptions): Promise<BackfillProgress> {
  const progress: BackfillProgress = { batches: 0, scanned: 0, changed: 0, lastKey: options.after ?? null };
  for (;;) {
    await client.query('BEGIN');
    let row: { scanned: number; changed: number; last_key: string[] | null };
    try {
      await client.query(`SET LOCAL lock_timeout = ${quoteLiteral(options.timeouts.lockTimeout)}; SET LOCAL statement_timeout = ${quoteLiteral(options.timeouts.statementTimeout)}`);
      const result = progress.lastKey
        ? await client.query(spec.batchSql, [...progress.lastKey, options.batchSize])
        : await client.query(spec.firstBatchSql, [options.batchSize]);
      row = result.rows[0];
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
    if (!row.last_key) return progress;
    progress.batches += 1;
    progress.scanned += row.scanned;
    progress.changed += row.changed;
    progress.lastKey = row.last_key;
    await options.onBatch?.({ ...progress });
  }
}
