import 'server-only';
import type { ClientBase, Pool } from 'pg';
import { permission, rollbackConfirmation, type Actor, type PhaseName } from '../lifecycle/permissions';
import { runPhase, type PhaseOutcome } from '../executor/run-phase';
import { StateStore } from '../state/state-store';
import type { GatePolicy } from './approve-contract';
import { permissionContext } from './permission-context';
import { audit, ForbiddenError, withActor } from './with-actor';

export interface PhaseRequestDeps {
  pool: Pool;
  /** A dedicated target connection, for phases run in this request. */
  target: ClientBase;
  policy: GatePolicy;
  /** Hands a backfill to the job queue (long work never runs inside a request); returns the job id. */
  enqueueBackfill: (migrationId: number, requestedBy: string) => Promise<string>;
}

export type PhaseRequestResult = { queued: true; jobId: string } | { queued: false; outcome: PhaseOutcome };

/**
 * A person asks for a phase: the server checks the role, the database checks it again when
 * the request is recorded (as the person), and then the phase runs: a backfill through the
 * job queue, anything else here, where the executor re-checks the gate (and, for a contract,
 * the approval) inside the run under the migration's lock.
 */
export async function requestPhase(deps: PhaseRequestDeps, actor: Actor, migrationId: number, phase: PhaseName, options: { confirmation?: string } = {}): Promise<PhaseRequestResult> {
  const ctx = await permissionContext(deps.pool, migrationId);
  const allowed = permission(actor, { kind: 'phase.run', phase, ...ctx });
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  const confirmation = options.confirmation?.trim() || null;
  if (phase === 'rollback' && ctx.deployedAt) {
    const expected = rollbackConfirmation(ctx.deployedAt);
    if (confirmation !== expected) throw new ForbiddenError(`deployed code reads the new column the rollback drops: type ${expected} to confirm`);
  }
  // The database judges the same (policy request_allowed_phase), including the typed confirmation.
  await withActor(deps.pool, actor, async (c) => {
    await c.query('INSERT INTO expand_contract.phase_requests (migration_id, phase, requested_by, confirmation) VALUES ($1, $2, $3, $4)', [migrationId, phase, actor.id, confirmation]);
    await audit(c, actor, 'phase.requested', migrationId, confirmation ? { phase, confirmation } : { phase });
  });
  if (phase === 'backfill') return { queued: true, jobId: await deps.enqueueBackfill(migrationId, actor.email) };
  const store = new StateStore(deps.pool);
  const log = (line: string) => void line;
  try {
    const outcome = await runPhase({ store, target: deps.target, log, ...deps.policy }, migrationId, phase);
    await withActor(deps.pool, actor, (c) => audit(c, actor, 'phase.succeeded', migrationId, { phase, source: outcome.source }));
    return { queued: false, outcome };
  } catch (error) {
    await withActor(deps.pool, actor, (c) => audit(c, actor, 'phase.refused-or-failed', migrationId, { phase, error: (error as Error).message.slice(0, 500) })).catch(() => {});
    throw error;
  }
}
