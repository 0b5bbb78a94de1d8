import type { ClientBase, Pool } from 'pg';
import { runPhase, type ExecutorDeps } from '../../lib/executor/run-phase';
import type { RunPhase } from '../../lib/state/records';
import type { PhaseRequestRef } from '../../lib/data/request-phase';
import { StateStore } from '../../lib/state/state-store';

/** What requestPhase is given to run a phase in the request, as the dashboard's action gives it. */
export const phaseRunner =
  (pool: Pool, target: ClientBase, policy: Omit<ExecutorDeps, 'store' | 'target'>) => (migrationId: number, phase: RunPhase, request?: PhaseRequestRef) =>
    runPhase({ store: new StateStore(pool), target, ...policy }, migrationId, phase, { requestedBy: { requestId: request?.requestId } });
