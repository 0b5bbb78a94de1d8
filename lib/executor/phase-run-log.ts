import type { Pool } from 'pg';
import type { RunPhase } from '../state/records';
import { recordMigrationEvent } from '../state/record-migration-event';
import { STATE_AFTER } from '../lifecycle/migration-states';

/** Whom a phase runs for. */
export interface PhaseRequester {
  /**
   * The person's request (expand_contract.phase_requests, checked by the database as them): the
   * run takes their name and id from it, never from what the caller says.
   */
  requestId?: number | null;
  /** Without a request: the operator at the console (`cli:<login>`), or whoever queued a job. */
  name?: string | null;
}

/**
 * Records the start of a phase run in the name of whoever asked for it. With nobody named (a
 * test, the replay), the run is the executor's own, under the connection's role.
 */
export async function startPhaseRun(
  pool: Pool,
  migrationId: number,
  phase: RunPhase,
  source: 'executor' | 'supabase-cli',
  by: PhaseRequester = {},
): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO expand_contract.phase_runs (migration_id, phase, source, actor, actor_id, request_id)
     SELECT $1, $2, $3, coalesce(u.email, nullif($4::text, ''), 'executor (' || current_user || ')'),
            coalesce(u.id, (SELECT p.id FROM expand_contract.users p WHERE p.email = $4::text)), r.id
       FROM (SELECT 1) one
       LEFT JOIN expand_contract.phase_requests r ON r.id = $5 AND r.migration_id = $1 AND r.phase = $2
       LEFT JOIN expand_contract.users u ON u.id = r.requested_by
     RETURNING id`,
    [migrationId, phase, source, by.name ?? null, by.requestId ?? null],
  );
  return Number(rows[0]!.id);
}

/**
 * Records a run's end and its one audit entry, in the name the run carries: the person who pressed
 * the button (with what they typed to confirm, and when they asked if the run waited for a worker), the console's operator, or the
 * executor. The request itself writes no entry of its own, so each run appears once in the log.
 */
export async function finishPhaseRun(
  pool: Pool,
  runId: number,
  status: 'succeeded' | 'failed' | 'cancelled' | 'paused',
  details: { error?: string; historyVersion?: string } = {},
): Promise<void> {
  const { rows } = await pool.query<{ migration_id: string; phase: RunPhase; actor: string }>(
    `WITH run AS (
       UPDATE expand_contract.phase_runs SET status = $2, error = $3, history_version = coalesce($4, history_version), finished_at = now() WHERE id = $1
       RETURNING migration_id, phase, source, actor, actor_id, request_id, started_at)
     INSERT INTO expand_contract.audit_log (actor_id, actor, action, migration_id, detail)
     SELECT run.actor_id, run.actor, 'phase.' || $2, run.migration_id,
            jsonb_strip_nulls(jsonb_build_object('phase', run.phase, 'source', run.source, 'error', $3::text, 'confirmation', r.confirmation,
                                                -- A run that waited (in the job queue) says when it was asked for.
                                                'asked', CASE WHEN r.created_at < run.started_at - interval '5 seconds' THEN r.created_at END))
       FROM run LEFT JOIN expand_contract.phase_requests r ON r.id = run.request_id
     RETURNING migration_id, (SELECT phase FROM run), actor`,
    [runId, status, details.error ?? null, details.historyVersion ?? null],
  );
  // The phases people wait on, told to the webhooks once per run (whichever process ran it).
  const run = rows[0];
  if (run && NOTIFIED_PHASES.has(run.phase) && (status === 'succeeded' || status === 'failed')) {
    await recordMigrationEvent(pool, {
      key: `phase.${status}:${runId}`,
      event: status === 'succeeded' ? 'phase.succeeded' : 'phase.failed',
      migrationId: Number(run.migration_id),
      summary:
        status === 'succeeded'
          ? `${run.phase} done (run by ${run.actor})`
          : `${run.phase} failed (run by ${run.actor}): ${details.error ?? 'no error recorded'}`,
      evidence: { phase: run.phase, run: runId, by: run.actor, ...(details.error ? { error: details.error } : {}) },
      // The run's end is recorded just before the state it leaves: the message says where it is now.
      ...(status === 'succeeded' && STATE_AFTER[run.phase] ? { state: STATE_AFTER[run.phase] } : {}),
    });
  }
}

const NOTIFIED_PHASES = new Set<RunPhase>(['expand', 'backfill', 'contract']);
