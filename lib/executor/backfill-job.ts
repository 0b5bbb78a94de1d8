import type { ClientBase } from 'pg';
import { nextBatchSize } from '../metrics/backfill-progress';
import { quoteQualified } from '../migrations/quote';
import type { BackfillSpec, Timeouts } from '../migrations/types';
import { countTableRows } from './count-table-rows';
import { runBatch } from './run-batch';
import { startReplicaThrottle, type ReplicaThrottleStats } from './replica-lag';
import type { BackfillRecord } from '../state/records';
import type { StateStore } from '../state/state-store';
import { SQL_STATE, sqlState } from '../db/sql-state';

export interface BackfillJobOptions {
  /** Batch duration the size adapts towards (default 100 ms). */
  targetBatchMs?: number;
  minBatch?: number;
  maxBatch?: number;
  /** Pause between batches, to leave room for production traffic (default 0). */
  throttleMs?: number;
  /** Per batch: row locks wait at most lockTimeout; one batch may not run longer than statementTimeout. */
  timeouts?: Timeouts;
  onBatch?: (backfill: BackfillRecord) => void | Promise<void>;
  /** Stops the backfill before its next batch, failing with the signal's reason (the run lost its migration lock). */
  signal?: AbortSignal;
  /**
   * Before each batch, wait while a physical replica of the target replays further behind than
   * this many seconds allows (EC_REPLICA_LAG_CEILING_SECONDS); unset: no waiting. With no replica,
   * the cost is one short query a second.
   */
  replicaLagCeilingSeconds?: number;
  /** Lines for the operator: a wait for replicas longer than a second, and when it ended. */
  log?: (line: string) => void;
  /** How much the replicas held the backfill up, once it stops. */
  onReplicaStats?: (stats: ReplicaThrottleStats) => void;
}

export type BackfillOutcome = 'done' | 'paused' | 'cancelled';

async function estimateRows(target: ClientBase, spec: BackfillSpec): Promise<number | null> {
  const { rows } = await target.query<{ n: string | null }>(
    'SELECT CASE WHEN reltuples < 0 THEN NULL ELSE reltuples::bigint END AS n FROM pg_class WHERE oid = to_regclass($1)',
    [quoteQualified(spec.table.schema, spec.table.name)],
  );
  return rows[0]?.n === null || rows[0]?.n === undefined ? null : Number(rows[0].n);
}

/**
 * The backfill as a resumable job: starts from the cursor saved in the state database,
 * runs one short transaction per batch on the target, saves cursor and counts after each
 * commit (while the next batch runs), adapts the batch size to the target duration, and
 * stops cleanly between batches when asked to pause or cancel (asked during a batch, it is
 * answered after the next one). A crash before a batch's cursor is saved makes the
 * next run redo that batch and the one after it, which changes nothing twice (batches only
 * write rows still out of sync).
 */
export async function runBackfillJob(
  store: StateStore,
  target: ClientBase,
  migrationId: number,
  spec: BackfillSpec,
  initialBatchSize: number,
  options: BackfillJobOptions = {},
): Promise<BackfillOutcome> {
  const targetMs = options.targetBatchMs ?? 100;
  const bounds = { min: options.minBatch ?? 100, max: options.maxBatch ?? 50_000 };
  const timeouts = options.timeouts ?? { lockTimeout: '1s', statementTimeout: '30s' };
  const existing = await store.getBackfill(migrationId);
  if (existing?.status === 'done') return 'done';
  let state = await store.openBackfill(migrationId, existing?.batchSize ?? initialBatchSize, await estimateRows(target, spec));
  let size = state.batchSize;
  let cursor = state.cursor;
  let rate: number | null = state.rowsPerSecond;
  const replicas = options.replicaLagCeilingSeconds
    ? startReplicaThrottle(target, { ceilingSeconds: options.replicaLagCeilingSeconds, log: options.log, signal: options.signal })
    : null;
  let lastBatchMs = targetMs;
  const stopRequested = async () => (await store.getBackfill(migrationId))?.requested ?? null;
  // A batch's cursor is saved while the next batch runs, on the state database's own connection:
  // saved after its batch committed, so a crash still redoes at most the batches since, and the
  // target never idles for the state database's round trip. The promise is settled at once, so a
  // save that fails is not an unhandled rejection while the next batch runs: it fails the job when awaited.
  let pendingSave: Promise<{ requested: Awaited<ReturnType<StateStore['saveBatch']>> } | { error: unknown }> | null = null;
  const landSave = async () => {
    if (!pendingSave) return null;
    const saved = await pendingSave;
    pendingSave = null;
    if ('error' in saved) throw saved.error;
    return saved.requested;
  };
  const stop = async (outcome: 'paused' | 'cancelled') => {
    await landSave();
    await store.finishBackfill(migrationId, outcome);
    return outcome;
  };
  try {
    let retries = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      // A pause or cancel asked for while the replicas catch up is answered then, not after the next batch.
      const requestedWhileWaiting = replicas && (await replicas.beforeBatch(lastBatchMs, stopRequested));
      if (requestedWhileWaiting) return await stop(requestedWhileWaiting === 'pause' ? 'paused' : 'cancelled');
      let batch;
      try {
        batch = await runBatch(target, spec, cursor, size, timeouts);
        retries = 0;
      } catch (error) {
        // A row held by a long transaction (lock timeout) or a batch too slow (statement timeout):
        // wait, try a smaller batch, and give up only after several tries.
        const code = sqlState(error);
        if ((code !== SQL_STATE.lockNotAvailable && code !== SQL_STATE.queryCanceled) || retries >= 6) throw error;
        retries += 1;
        size = Math.max(bounds.min, Math.floor(size / 2));
        await new Promise((r) => setTimeout(r, 200 * 2 ** retries));
        continue;
      }
      // The previous batch's save lands before this one's, and says what was asked while it ran.
      let requested = await landSave();
      if (!batch.lastKey) {
        // Beside the rows scanned: a backfill that saw fewer rows than the table holds did not copy the others.
        await store.finishBackfill(migrationId, 'done', undefined, await countTableRows(target, spec.table));
        return 'done';
      }
      cursor = batch.lastKey;
      lastBatchMs = batch.ms;
      const batchRate = (batch.scanned / Math.max(batch.ms, 1)) * 1000;
      rate = rate === null ? batchRate : rate * 0.8 + batchRate * 0.2; // smoothed, so the ETA does not jump
      const save = store.saveBatch(migrationId, {
        cursor,
        scanned: batch.scanned,
        changed: batch.changed,
        ms: Math.round(batch.ms),
        batchSize: size,
        rowsPerSecond: Math.round(rate),
      });
      if (options.onBatch) {
        // A caller that watches every batch sees it saved, and a request it makes is answered after this batch.
        requested ??= await save;
        state = (await store.getBackfill(migrationId))!;
        await options.onBatch(state);
        requested ??= (await store.getBackfill(migrationId))!.requested;
      } else {
        pendingSave = save.then(
          (r) => ({ requested: r }),
          (error: unknown) => ({ error }),
        );
      }
      if (requested === 'pause' || requested === 'cancel') return await stop(requested === 'pause' ? 'paused' : 'cancelled');
      size = nextBatchSize(size, batch.ms, targetMs, bounds);
      if (options.throttleMs) await new Promise((r) => setTimeout(r, options.throttleMs));
    }
  } catch (error) {
    await pendingSave;
    await store.finishBackfill(migrationId, 'failed', (error as Error).message).catch(() => {});
    throw error;
  } finally {
    if (replicas) {
      // A connection that broke mid-backfill has no setting left to put back.
      await replicas.close().catch(() => {});
      options.onReplicaStats?.(replicas.stats);
    }
  }
}
