'use server';
import { parseEnv } from '@/lib/config/env';
import { gatePolicy } from '@/lib/gate/gate-policy';
import { requestPhase } from '@/lib/data/request-phase';
import { contractConfirmation } from '@/lib/lifecycle/contract-confirmation';
import { ForbiddenError } from '@/lib/data/with-actor';
import { statePool, withTargetClient } from '@/lib/db/pools';
import { enqueuePhase, openJobQueue } from '@/lib/executor/job-queue';
import { runPhase } from '@/lib/executor/run-phase';
import { StateStore } from '@/lib/state/state-store';
import { AUTHOR_OR_ONCALL, migrationAction } from './migration-action';

export const runPhaseAction = migrationAction(
  AUTHOR_OR_ONCALL,
  (i) => (i.phase ? `phase.${i.phase}` : null),
  async (actor, i) => {
    if (!i.phase) throw new ForbiddenError('which phase?');
    const phase = i.phase;
    const env = parseEnv(process.env);
    if (phase === 'contract' || phase === 'restore') {
      // The destructive step, and its undoing, need the table.column typed out, checked here on the server too.
      const expected = contractConfirmation((await new StateStore(statePool()).getMigration(i.migrationId)).spec);
      if ((i.confirm ?? '').trim() !== expected) throw new ForbiddenError(`type ${expected} to confirm the ${phase}`);
    }
    const result = await withTargetClient((target) =>
      requestPhase(
        {
          pool: statePool(),
          runPhase: (migrationId, p, request) =>
            runPhase({ store: new StateStore(statePool()), target, ...gatePolicy(env) }, migrationId, p, {
              requestedBy: { requestId: request.requestId },
              retry: { attempts: env.EC_LOCK_ATTEMPTS },
            }),
          enqueueBackfill: async (migrationId, request) => {
            const boss = await openJobQueue(env.DATABASE_URL!);
            try {
              return await enqueuePhase(boss, { migrationId, phase: 'backfill', actor: request.requestedBy, requestId: request.requestId });
            } finally {
              await boss.stop({ graceful: false });
            }
          },
        },
        actor,
        i.migrationId,
        phase,
        { confirmation: i.confirm },
      ),
    );
    return result.queued ? `backfill queued (job ${result.jobId}): progress shows below` : `${phase}: ${result.outcome.status}`;
  },
);
