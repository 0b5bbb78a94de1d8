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
    let batch: Omit<BatchResult, 'ms'>;
    if (!spec.updateSql && spec.batchSql && spec.firstBatchSql) {
      // A plan made before batches were two statements, resumed after an upgrade.
      const result = after ? await client.query(markProduct(spec.batchSql), [...after, size]) : await client.query(markProduct(spec.firstBatchSql), [size]);
      const row = result.rows[0] as { scanned: number; changed: number; last_key: string[] | null };
      batch = { scanned: row.scanned, changed: row.changed, lastKey: row.last_key };
    } else {
      const edge = after ? await client.query(markProduct(spec.edgeSql), [...after, size]) : await client.query(markProduct(spec.firstEdgeSql), [size]);
      const row = edge.rows[0] as { scanned: number; last_key: string[] } | undefined;
      const changed = !row
        ? 0
        : ((after
            ? await client.query(markProduct(spec.updateSql), [...after, ...row.last_key])
            : await client.query(markProduct(spec.firstUpdateSql), row.last_key)
          ).rowCount ?? 0);
      batch = { scanned: row?.scanned ?? 0, changed, lastKey: row?.last_key ?? null };
    }
    await client.query('COMMIT');
    return { ...batch, ms: performance.now() - started };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
