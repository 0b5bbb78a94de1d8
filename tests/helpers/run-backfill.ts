import type { ClientBase } from 'pg';
import type { BackfillSpec, Timeouts } from '../../lib/migrations/types';
import { runBatch } from '../../lib/executor/run-batch';

/**
 * The whole backfill in one call, for tests that need the rows filled but not the job around it
 * (cursor, pause, progress): the product runs batches through runBackfillJob.
 */
export interface BackfillProgress {
  batches: number;
  scanned: number;
  changed: number;
  lastKey: string[] | null;
}

export interface BackfillOptions {
  batchSize: number;
  timeouts: Timeouts;
  after?: string[] | null;
  onBatch?: (progress: BackfillProgress) => Promise<void> | void;
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
