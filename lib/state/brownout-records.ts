import type { Pool, PoolClient } from 'pg';
import type { BrownoutBreak } from '../metrics/brownout-breaks';

export type BrownoutStatus = 'queued' | 'running' | 'clean' | 'reverted' | 'failed';

/** One brownout of a migration, as expand_contract.brownouts keeps it. */
export interface BrownoutRecord {
  id: number;
  migrationId: number;
  requestedBy: string | null;
  requestedByName: string;
  seconds: number;
  status: BrownoutStatus;
  startedAt: Date | null;
  endsAt: Date | null;
  endedAt: Date | null;
  heartbeatAt: Date | null;
  stopRequested: boolean;
  outcome: string | null;
  breaks: BrownoutBreak[];
  firstBreakAt: Date | null;
  revertMs: number | null;
  createdAt: Date;
}

const COLUMNS =
  'id, migration_id, requested_by, requested_by_name, seconds, status, started_at, ends_at, ended_at, heartbeat_at, stop_requested, outcome, breaks, first_break_at, revert_ms, created_at';

const toBrownout = (r: Record<string, unknown>): BrownoutRecord => ({
  id: Number(r.id),
  migrationId: Number(r.migration_id),
  requestedBy: (r.requested_by as string | null) ?? null,
  requestedByName: r.requested_by_name as string,
  seconds: Number(r.seconds),
  status: r.status as BrownoutStatus,
  startedAt: (r.started_at as Date | null) ?? null,
  endsAt: (r.ends_at as Date | null) ?? null,
  endedAt: (r.ended_at as Date | null) ?? null,
  heartbeatAt: (r.heartbeat_at as Date | null) ?? null,
  stopRequested: r.stop_requested === true,
  outcome: (r.outcome as string | null) ?? null,
  breaks: (r.breaks as BrownoutBreak[] | null) ?? [],
  firstBreakAt: (r.first_break_at as Date | null) ?? null,
  revertMs: r.revert_ms === null || r.revert_ms === undefined ? null : Number(r.revert_ms),
  createdAt: r.created_at as Date,
});

type Db = Pool | PoolClient;

/** A brownout asked for from the command line (the state login; a person's goes through their own policy). */
export async function insertBrownout(db: Db, migrationId: number, seconds: number, requestedByName: string): Promise<BrownoutRecord> {
  const { rows } = await db.query(`INSERT INTO expand_contract.brownouts (migration_id, requested_by_name, seconds) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`, [
    migrationId,
    requestedByName,
    seconds,
  ]);
  return toBrownout(rows[0]!);
}

export async function getBrownout(db: Db, id: number): Promise<BrownoutRecord | null> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM expand_contract.brownouts WHERE id = $1`, [id]);
  return rows[0] ? toBrownout(rows[0]) : null;
}

/** A migration's brownouts, newest first. */
export async function migrationBrownouts(db: Db, migrationId: number): Promise<BrownoutRecord[]> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM expand_contract.brownouts WHERE migration_id = $1 ORDER BY created_at DESC, id DESC`, [migrationId]);
  return rows.map(toBrownout);
}

/** Brownouts of many migrations (the timeline's week), oldest first. */
export async function brownoutsOf(db: Db, migrationIds: number[]): Promise<BrownoutRecord[]> {
  if (migrationIds.length === 0) return [];
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM expand_contract.brownouts WHERE migration_id = ANY ($1::bigint[]) AND started_at IS NOT NULL ORDER BY started_at, id`,
    [migrationIds],
  );
  return rows.map(toBrownout);
}

/** A migration's brownouts asked for since `since` (the deploy), newest first: what the gate judges. */
export async function brownoutsSince(db: Db, migrationId: number, since: Date): Promise<BrownoutRecord[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM expand_contract.brownouts WHERE migration_id = $1 AND created_at >= $2 AND status <> 'failed' ORDER BY created_at DESC, id DESC`,
    [migrationId, since],
  );
  return rows.map(toBrownout);
}

/**
 * Queued brownouts no worker picked up in time (none runs: EC_WORKER=off without `expand-contract worker`):
 * recorded as not started, so they neither wait forever nor keep the next one from starting. A
 * worker runs one brownout at a time, so one queued behind another counts from when that one ended.
 */
export async function failUnstartedBrownouts(db: Db, olderThanSeconds: number): Promise<BrownoutRecord[]> {
  const { rows } = await db.query(
    `UPDATE expand_contract.brownouts b
        SET status = 'failed', ended_at = now(),
            outcome = 'no worker picked it up within ' || $1 || ' s: is the dashboard''s worker running (EC_WORKER=on), or expand-contract worker?'
      WHERE b.status = 'queued'
        AND greatest(b.created_at, (SELECT max(o.ended_at) FROM expand_contract.brownouts o WHERE o.id <> b.id)) < now() - make_interval(secs => $1)
        AND NOT EXISTS (SELECT 1 FROM expand_contract.brownouts r WHERE r.status = 'running')
      RETURNING ${COLUMNS}`,
    [olderThanSeconds],
  );
  return rows.map(toBrownout);
}

/**
 * Takes a queued brownout for this watcher, before anything is renamed: not one a person already
 * stopped, nor one recorded as never started meanwhile. Its times are set again once the rename is done.
 */
export async function claimBrownout(db: Db, id: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE expand_contract.brownouts SET status = 'running', started_at = now(), ends_at = now() + make_interval(secs => seconds), heartbeat_at = now()
      WHERE id = $1 AND status = 'queued' AND NOT stop_requested`,
    [id],
  );
  return (rowCount ?? 0) > 0;
}

/** Running brownouts whose watcher stopped writing its heartbeat (or never started it). */
export async function abandonedBrownouts(db: Db, staleSeconds: number): Promise<BrownoutRecord[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM expand_contract.brownouts
      WHERE status = 'running' AND coalesce(heartbeat_at, started_at, created_at) < now() - make_interval(secs => $1)`,
    [staleSeconds],
  );
  return rows.map(toBrownout);
}

export async function markBrownoutRunning(db: Db, id: number, startedAt: Date, endsAt: Date): Promise<void> {
  await db.query("UPDATE expand_contract.brownouts SET started_at = $2, ends_at = $3, heartbeat_at = now() WHERE id = $1 AND status = 'running'", [
    id,
    startedAt,
    endsAt,
  ]);
}

/** The watcher's heartbeat; answers whether a person asked to stop. */
export async function brownoutHeartbeat(db: Db, id: number): Promise<{ stopRequested: boolean }> {
  const { rows } = await db.query<{ stop_requested: boolean }>(
    'UPDATE expand_contract.brownouts SET heartbeat_at = now() WHERE id = $1 RETURNING stop_requested',
    [id],
  );
  return { stopRequested: rows[0]?.stop_requested === true };
}

export interface BrownoutEnd {
  status: Exclude<BrownoutStatus, 'queued' | 'running'>;
  outcome: string;
  breaks: BrownoutBreak[];
  firstBreakAt: Date | null;
  revertMs: number | null;
  endedAt: Date;
}

/** Records how it ended: once, from queued or running (a second writer finds nothing to change). */
export async function finishBrownout(db: Db, id: number, end: BrownoutEnd): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE expand_contract.brownouts SET status = $2, outcome = $3, breaks = $4, first_break_at = $5, revert_ms = $6, ended_at = $7
      WHERE id = $1 AND status IN ('queued', 'running')`,
    [id, end.status, end.outcome, JSON.stringify(end.breaks), end.firstBreakAt, end.revertMs, end.endedAt],
  );
  return (rowCount ?? 0) > 0;
}
