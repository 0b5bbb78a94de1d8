import type { ClientBase } from 'pg';
import { quoteLiteral } from '../migrations/quote';
import { markProduct } from '../migrations/sql-text';
import type { BackfillSpec, Timeouts } from '../migrations/types';

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
  try {
    // One round trip opens the transaction and sets its limits: a backfill makes thousands of batches.
    await client.query(
      `BEGIN; SET LOCAL lock_timeout = ${quoteLiteral(timeouts.lockTimeout)}; SET LOCAL statement_timeout = ${quoteLiteral(timeouts.statementTimeout)}`,
    );
    const result = after ? await client.query(markProduct(spec.batchSql), [...after, size]) : await client.query(markProduct(spec.firstBatchSql), [size]);
    await client.query('COMMIT');
    const row = result.rows[0] as { scanned: number; changed: number; last_key: string[] | null };
    return { scanned: row.scanned, changed: row.changed, lastKey: row.last_key, ms: performance.now() - started };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
