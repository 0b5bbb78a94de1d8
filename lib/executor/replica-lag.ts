import type { ClientBase } from 'pg';
import { markProduct } from '../migrations/sql-text';

/** One physical replica streaming from the target, as the target's pg_stat_replication shows it. */
export interface ReplicaProgress {
  /** Its WAL receiver's application_name (cluster_name, or "walreceiver" unless set), else its walsender's pid. */
  name: string;
  state: string;
  /** How far it has replayed, in bytes from 0/0. */
  replayLsn: number;
  /** WAL the target has written that the replica has not replayed yet. */
  behindBytes: number;
  /** Postgres's own measure (pg_stat_replication.replay_lag); null once a caught-up replica has been idle a while. */
  replayLagSeconds: number | null;
}

export interface ReplicaLagReading {
  /** Where the target's WAL is written up to (pg_current_wal_lsn), in bytes from 0/0; null on a standby. */
  walLsn: number | null;
  replicas: ReplicaProgress[];
  /**
   * Replicas whose progress this login may not see: pg_stat_replication shows only their pid to a
   * role without pg_read_all_stats (the product's own target login is given it, see provision-logins.ts).
   */
  hidden: number;
}

// Physical replicas only: a logical subscriber (a CDC tool, another database) consumes at its own
// pace and may lag for hours by design, and pg_basebackup's own walsender (state 'backup') is not a
// replica. Read from pg_stat_get_wal_senders() itself rather than the pg_stat_replication view, which
// joins every backend's activity and costs ten times as much: this runs before every batch. The
// function shows only the pid to a role without pg_read_all_stats, as the view does.
const READ_SQL = markProduct(`SELECT
    CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text END AS wal,
    r.pid, r.state, r.name, r.replay, r.lag
  FROM (SELECT 1) one
  LEFT JOIN (
    SELECT w.pid, w.state,
           coalesce((SELECT nullif(a.application_name, '') FROM pg_stat_get_activity(w.pid) a), w.pid::text) AS name,
           pg_wal_lsn_diff(w.replay_lsn, '0/0')::text AS replay,
           extract(epoch FROM w.replay_lag)::float8 AS lag
      FROM pg_stat_get_wal_senders() w
     WHERE (w.state IS NULL OR w.state IN ('catchup', 'streaming'))
       AND NOT EXISTS (SELECT FROM pg_replication_slots s WHERE s.active_pid = w.pid AND s.slot_type = 'logical')
  ) r ON true`);

/** The target's WAL position and how far each of its physical replicas has replayed it, in one round trip. */
export async function readReplicaLag(target: ClientBase): Promise<ReplicaLagReading> {
  const { rows } = await target.query<{
    wal: string | null;
    pid: number | null;
    state: string | null;
    name: string;
    replay: string | null;
    lag: number | null;
    // Named, so each connection plans it once: planning the views it reads costs more than running it.
    // The target is never reached through a transaction pooler (refused at start), so the statement stays.
  }>({ name: 'expand-contract-replica-lag', text: READ_SQL });
  const walLsn = rows[0]?.wal == null ? null : Number(rows[0].wal);
  const reading: ReplicaLagReading = { walLsn, replicas: [], hidden: 0 };
  for (const row of rows) {
    if (row.pid === null) continue;
    if (row.state === null) reading.hidden += 1;
    // A replica that has just connected has not reported a replay position yet: it counts once it has.
    else if (row.replay !== null && walLsn !== null) {
      const replayLsn = Number(row.replay);
      reading.replicas.push({ name: row.name, state: row.state, replayLsn, behindBytes: Math.max(0, walLsn - replayLsn), replayLagSeconds: row.lag });
    }
  }
  return reading;
}

/** When the target's WAL stood at `lsn`: a reading's position and the moment just before it was asked for. */
export interface WalSample {
  at: number;
  lsn: number;
}

/**
 * How long ago, at the most, the oldest WAL a replica has not replayed was written. The byte after
 * its replay position was written after the last sample at or below that position was taken, so
 * `now` minus that sample's time bounds the lag from above, to within one sampling interval,
 * whatever else writes on the target. A replica behind every sample falls back on Postgres's own
 * replay_lag (its lag tracker's estimate), and is at least as far behind as the oldest sample.
 * Pure: `samples` are in time order.
 */
export function replicaDelayMs(replica: Pick<ReplicaProgress, 'replayLsn' | 'replayLagSeconds'>, samples: readonly WalSample[], now: number): number {
  const latest = samples.at(-1);
  if (!latest || replica.replayLsn >= latest.lsn) return 0;
  for (let i = samples.length - 1; i >= 0; i -= 1) {
    if (samples[i]!.lsn <= replica.replayLsn) return now - samples[i]!.at;
  }
  return Math.max(now - samples[0]!.at, (replica.replayLagSeconds ?? 0) * 1000);
}

export interface ReplicaThrottleOptions {
  /** The most a replica may replay behind the target, in seconds (EC_REPLICA_LAG_CEILING_SECONDS). */
  ceilingSeconds: number;
  /** How often to look again while waiting (default: a twentieth of the ceiling, at most 50 ms). */
  pollMs?: number;
  /** With no replica seen, how long before looking again (default 1 s): the cost when there are none. */
  idleCheckMs?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface ReplicaThrottleStats {
  /** Times a batch waited for a replica, and for how long in all. */
  waits: number;
  waitedMs: number;
  /** The largest lag seen before a batch, by replicaDelayMs's bound. */
  worstDelayMs: number;
}

export interface ReplicaThrottle {
  /**
   * Before a batch expected to take `batchMs`: resolves null once every replica is close enough
   * that the batch cannot take it past the ceiling, or with what `stopRequested` (asked once a
   * second while waiting) answers when that is not null: the writer should stop instead.
   */
  beforeBatch<T>(batchMs: number, stopRequested: () => Promise<T | null>): Promise<T | null>;
  readonly stats: ReplicaThrottleStats;
  /** Puts the session's synchronous_commit back. */
  close(): Promise<void>;
}

const SAMPLES_KEPT = 256;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secondsText = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Holds a batched writer on `target` to the pace its physical replicas replay at, judged by WAL
 * position rather than by replay_lag alone (which is measured only when a replica reports, and so
 * lags itself). A batch starts only once every replica has
 * - replayed the batch before the last one: one batch replays while the next is written, so a
 *   replica as fast as the target never makes it wait, and a slower one sets the pace with no
 *   more than two batches queued, instead of a backlog that keeps ageing while it is replayed;
 * - and fallen no more than the ceiling, less two batches (one slower than the last) and a fifth
 *   of the ceiling (for the reports' own delay), behind: a replica that stalls is waited for.
 * A replica that stops replaying for longer than what is left of the ceiling, or needs more than
 * half the ceiling to replay one batch, still falls behind it: no writer between batches can help that.
 */
export function startReplicaThrottle(target: ClientBase, options: ReplicaThrottleOptions): ReplicaThrottle {
  const ceilingMs = options.ceilingSeconds * 1000;
  const pollMs = options.pollMs ?? Math.min(50, ceilingMs / 20);
  const idleCheckMs = options.idleCheckMs ?? 1000;
  const log = options.log ?? (() => {});
  const samples: WalSample[] = [];
  const stats: ReplicaThrottleStats = { waits: 0, waitedMs: 0, worstDelayMs: 0 };
  let lastLook = -Infinity;
  let sawReplicas = false;
  let hiddenSaid = false;
  let restoreCommit: string | null = null;
  /** Where the WAL stood when the last batch was let go: the end of the batch before it. */
  let lastRelease: number | null = null;

  /** The replica that holds the next batch back (the furthest behind of those that do), or null when none does. */
  const holdingBack = async (allowedMs: number): Promise<{ name: string; delayMs: number } | null> => {
    const at = performance.now();
    const reading = await readReplicaLag(target);
    const now = performance.now();
    lastLook = now;
    if (reading.hidden && !hiddenSaid) {
      hiddenSaid = true;
      const { rows } = await target.query<{ r: string }>('SELECT current_user AS r');
      log(
        `  ${reading.hidden} replica(s) of the target hide their replay progress from ${rows[0]!.r}: grant it pg_read_all_stats so the backfill can keep them within ${options.ceilingSeconds} s`,
      );
    }
    if (reading.walLsn === null || !reading.replicas.length) {
      sawReplicas = false;
      lastRelease = null;
      return null;
    }
    if (!sawReplicas) await askForApplyFeedback();
    sawReplicas = true;
    // While the WAL stands still, the latest moment it stood there is the tighter bound.
    if (samples.at(-1)?.lsn === reading.walLsn) samples.at(-1)!.at = at;
    else samples.push({ at, lsn: reading.walLsn });
    if (samples.length > SAMPLES_KEPT) samples.splice(0, samples.length - SAMPLES_KEPT);
    let worst: { name: string; delayMs: number } | null = null;
    for (const replica of reading.replicas) {
      const delayMs = replicaDelayMs(replica, samples, now);
      stats.worstDelayMs = Math.max(stats.worstDelayMs, delayMs);
      const holds = delayMs > allowedMs || (lastRelease !== null && replica.replayLsn < lastRelease);
      if (holds && (!worst || delayMs > worst.delayMs)) worst = { name: replica.name, delayMs };
    }
    if (!worst) lastRelease = reading.walLsn;
    return worst;
  };

  /**
   * A replica reports its replay position as it receives WAL and once it has replayed all it
   * received, so while the batches wait it would report nothing until it had caught up entirely,
   * and the next batch would start only then, with the replica idle. Commits made with
   * remote_apply ask each replica to report as soon as it replays them, so a batch starts as soon
   * as the one before the last has replayed, while the last one still replays. Without synchronous
   * standbys remote_apply waits for nothing more than `on` does; with them, or with a session that
   * chose a weaker level, the setting is left alone.
   */
  const askForApplyFeedback = async () => {
    const { rows } = await target.query<{ commit: string; standbys: string }>(
      "SELECT current_setting('synchronous_commit') AS commit, current_setting('synchronous_standby_names') AS standbys",
    );
    if (rows[0]!.commit !== 'on' || rows[0]!.standbys.trim() !== '') return;
    await target.query("SELECT set_config('synchronous_commit', 'remote_apply', false)");
    restoreCommit = rows[0]!.commit;
  };

  return {
    stats,
    async beforeBatch(batchMs, stopRequested) {
      if (!sawReplicas && performance.now() - lastLook < idleCheckMs) return null;
      const allowedMs = Math.max(ceilingMs * 0.1, ceilingMs * 0.8 - 2 * batchMs);
      let behind = await holdingBack(allowedMs);
      if (!behind) return null;
      const started = performance.now();
      let said = false;
      let caughtUp = false;
      let askedAt = started;
      stats.waits += 1;
      try {
        while (behind) {
          options.signal?.throwIfAborted();
          const waited = performance.now() - started;
          if (!said && waited >= 1000) {
            said = true;
            log(`  waiting for replicas: ${behind.name} replays ${secondsText(behind.delayMs)} behind (ceiling ${options.ceilingSeconds} s)`);
          }
          if (performance.now() - askedAt >= 1000) {
            askedAt = performance.now();
            const stop = await stopRequested();
            if (stop !== null) return stop;
          }
          await sleep(pollMs);
          behind = await holdingBack(allowedMs);
        }
        caughtUp = true;
      } finally {
        const waited = performance.now() - started;
        stats.waitedMs += waited;
        if (said && caughtUp) log(`  replicas caught up after ${secondsText(waited)}; the backfill goes on`);
      }
      return null;
    },
    async close() {
      if (restoreCommit === null) return;
      await target.query("SELECT set_config('synchronous_commit', $1, false)", [restoreCommit]);
      restoreCommit = null;
    },
  };
}
