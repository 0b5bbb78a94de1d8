import 'server-only';
import type { Pool } from 'pg';
import { mayAct } from '../lifecycle/may-act';
import { rollbackConfirmation, type Actor, type PhaseName } from '../lifecycle/permissions';
import { permissionContext } from './permission-context';
import { audit, ForbiddenError, withActor } from './with-actor';

/** What the request needs to know of a phase that ran: the executor's outcome, as far as it is told. */
export interface PhaseRunOutcome {
  status: 'succeeded' | 'paused' | 'cancelled';
  /** supabase-cli: the phase had already been applied from an exported file; nothing ran. */
  source: 'executor' | 'supabase-cli';
}

/** The person's recorded request a run carries out: the executor names the run after it. */
export interface PhaseRequestRef {
  requestId: number;
  /** The person's email, for the job queue's record of who queued it. */
  requestedBy: string;
}

export interface PhaseRequestDeps<O extends PhaseRunOutcome = PhaseRunOutcome> {
  pool: Pool;
  /**
   * Runs the phase now, on a dedicated target connection, re-checking the gate under the
   * migration's lock (the executor's runPhase, given `request` as whom it runs for): given by the
   * caller, so that recording who asked stays apart from running steps on the target.
   */
  runPhase: (migrationId: number, phase: Exclude<PhaseName, 'backfill'>, request: PhaseRequestRef) => Promise<O>;
  /** Hands a backfill to the job queue (long work never runs inside a request), for `request`; returns the job id. */
  enqueueBackfill: (migrationId: number, request: PhaseRequestRef) => Promise<string>;
}

export type PhaseRequestResult<O extends PhaseRunOutcome = PhaseRunOutcome> = { queued: true; jobId: string } | { queued: false; outcome: O };

/**
 * A person asks for a phase: the server checks the role, the database checks it again when
 * the request is recorded (as the person), and then the phase runs: a backfill through the
 * job queue, anything else here, where the executor re-checks the gate (and, for a contract,
 * the approval) inside the run under the migration's lock.
 *
 * The audit log gets one entry per run, written by the executor when the run ends, in this
 * person's name (taken from the request). Only a request recorded and then turned away before any
 * run started (the migration busy with another run, its gate closed by then) is written here, so
 * that it is not lost either; one refused before it was recorded changed nothing.
 */
export async function requestPhase<O extends PhaseRunOutcome>(
  deps: PhaseRequestDeps<O>,
  actor: Actor,
  migrationId: number,
  phase: PhaseName,
  options: { confirmation?: string } = {},
): Promise<PhaseRequestResult<O>> {
  const ctx = await permissionContext(deps.pool, migrationId);
  // Who, then the state (the same answer the page's buttons follow); the database asks both again.
  const allowed = mayAct(actor, `phase.${phase}`, ctx);
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  const confirmation = options.confirmation?.trim() || null;
  if (phase === 'rollback' && ctx.deployedAt) {
    const expected = rollbackConfirmation(ctx.deployedAt);
    if (confirmation !== expected) throw new ForbiddenError(`deployed code reads the new column the rollback drops: type ${expected} to confirm`);
  }
  // The database judges the same (policy request_allowed_phase), including the typed confirmation.
  const requestId = await withActor(deps.pool, actor, async (c) => {
    const { rows } = await c.query<{ id: string }>(
      'INSERT INTO expand_contract.phase_requests (migration_id, phase, requested_by, confirmation) VALUES ($1, $2, $3, $4) RETURNING id',
      [migrationId, phase, actor.id, confirmation],
    );
    return Number(rows[0]!.id);
  });
  const request: PhaseRequestRef = { requestId, requestedBy: actor.email };
  if (phase === 'backfill') return { queued: true, jobId: await deps.enqueueBackfill(migrationId, request) };
  try {
    return { queued: false, outcome: await deps.runPhase(migrationId, phase, request) };
  } catch (error) {
    // A run that started wrote its own entry (failed, in this person's name); unsure, write none rather than two.
    const ran = await deps.pool.query('SELECT 1 FROM expand_contract.phase_runs WHERE request_id = $1 LIMIT 1', [requestId]).then(
      (r) => r.rows.length > 0,
      () => true,
    );
    if (!ran) {
      await withActor(deps.pool, actor, (c) =>
        audit(c, actor, 'phase.refused-or-failed', migrationId, { phase, error: (error as Error).message.slice(0, 500) }),
      ).catch(() => {});
    }
    throw error;
  }
}
