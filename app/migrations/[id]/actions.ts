'use server';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { anyRole, guardedAction, type PersonRule } from '@/lib/auth/guarded-action';
import { permission, type Actor } from '@/lib/lifecycle/permissions';
import { RUN_PHASES } from '@/lib/lifecycle/migration-states';
import { parseEnv } from '@/lib/config/env';
import { gatePolicy } from '@/lib/gate/gate-policy';
import { statePool, withTargetClient } from '@/lib/db/pools';
import { migrationIdField } from '@/lib/migrations/parse-migration-id';
import { approveContract } from '@/lib/data/approve-contract';
import { approvePlan } from '@/lib/data/approve-plan';
import { commentOnPlan } from '@/lib/data/comment-on-plan';
import { requestPhase } from '@/lib/data/request-phase';
import { pauseBackfill } from '@/lib/data/pause-backfill';
import { markDeployedAs } from '@/lib/data/mark-deployed-as';
import { unmarkDeployedAs } from '@/lib/data/unmark-deployed-as';
import { setMigrationServices } from '@/lib/data/set-migration-services';
import { updateSchedule } from '@/lib/data/update-schedule';
import { ForbiddenError } from '@/lib/data/with-actor';
import { enqueuePhase, openJobQueue } from '@/lib/executor/job-queue';
import { GateClosedError, MigrationBusyError, PhaseNotAllowedError } from '@/lib/executor/run-phase';
import { DeployNotAllowedError } from '@/lib/state/errors';
import { StateStore } from '@/lib/state/state-store';

export interface ActionState {
  ok?: string;
  error?: string;
}

const input = z.object({
  migrationId: migrationIdField,
  phase: z.enum(RUN_PHASES).optional(),
  body: z.string().max(5000).optional(),
  confirm: z.string().max(300).optional(),
  expandAt: z.string().max(40).optional(),
  deployAt: z.string().max(40).optional(),
  contractAt: z.string().max(40).optional(),
  services: z.string().max(5000).optional(),
});

/**
 * Every action on a migration: who may attempt it at all (the entry rule, before anything is
 * parsed), then its input, then the action, whose finer rules lib/data and the database check
 * again inside its transaction; it answers with what happened or why not.
 */
function act(rule: PersonRule, run: (actor: Actor, i: z.infer<typeof input>, data: FormData) => Promise<string>) {
  return guardedAction(rule, async (actor, _prev: ActionState, data: FormData): Promise<ActionState> => {
    const parsed = input.safeParse(Object.fromEntries(data));
    if (!parsed.success) return { error: 'invalid request' };
    try {
      const ok = await run(actor, parsed.data, data);
      revalidatePath(`/migrations/${parsed.data.migrationId}`);
      return { ok };
    } catch (error) {
      if (error instanceof ForbiddenError || error instanceof GateClosedError || error instanceof PhaseNotAllowedError || error instanceof MigrationBusyError) {
        return { error: error.message };
      }
      if (error instanceof DeployNotAllowedError) return { error: error.message };
      if (error instanceof z.ZodError) return { error: error.issues[0]?.message ?? 'invalid input' };
      throw error;
    }
  });
}

const AUTHOR_OR_ONCALL = anyRole(['author', 'oncall'], 'only authors and on-call engineers do this');
const AUTHOR_OR_ADMIN = anyRole(['author', 'admin'], 'only the author or an admin does this');

export const approvePlanAction = act(anyRole(['reviewer'], 'only reviewers approve plans'), async (actor, i) => {
  await approvePlan(statePool(), actor, i.migrationId, i.body ?? '');
  return 'plan approved';
});

export const commentAction = act(
  (actor) => permission(actor, { kind: 'plan.comment' }),
  async (actor, i) => {
    await commentOnPlan(statePool(), actor, i.migrationId, i.body ?? '');
    return 'comment added';
  },
);

export const approveContractAction = act(anyRole(['oncall'], 'only on-call engineers approve a contract'), async (actor, i) => {
  await withTargetClient((target) => approveContract(statePool(), target, gatePolicy(parseEnv(process.env)), actor, i.migrationId));
  return 'contract approved on the evidence shown';
});

export const markDeployedAction = act(AUTHOR_OR_ONCALL, async (actor, i) => {
  const at = await markDeployedAs(statePool(), actor, i.migrationId);
  return `deploy marked at ${at.toISOString()}: the buffer before the contract runs from here`;
});

export const unmarkDeployedAction = act(AUTHOR_OR_ONCALL, async (actor, i) => {
  const was = await unmarkDeployedAs(statePool(), actor, i.migrationId);
  return was ? `the deploy mark of ${was.deployedAt.toISOString()} is taken back: the buffer starts again when the deploy is marked` : 'no deploy was marked';
});

export const pauseBackfillAction = act(AUTHOR_OR_ONCALL, async (actor, i) => ((await pauseBackfill(statePool(), actor, i.migrationId)) ? 'the backfill pauses after its current batch' : 'no backfill is running'));

export const updateScheduleAction = act(AUTHOR_OR_ADMIN, async (actor, i, data) => {
  await updateSchedule(statePool(), actor, i.migrationId, { expandAt: data.get('expandAt'), deployAt: data.get('deployAt'), contractAt: data.get('contractAt') });
  return 'schedule saved';
});

export const setServicesAction = act(AUTHOR_OR_ADMIN, async (actor, i) => {
  const services = await setMigrationServices(statePool(), actor, i.migrationId, i.services ?? '');
  return services ? `error evidence from ${services.join(', ')} (and the Postgres log)` : 'error evidence from every service reporting (and the Postgres log)';
});

export const runPhaseAction = act(AUTHOR_OR_ONCALL, async (actor, i) => {
  if (!i.phase) throw new ForbiddenError('which phase?');
  const env = parseEnv(process.env);
  if (i.phase === 'contract') {
    // The destructive step needs the table.column typed out, checked here on the server too.
    const m = await new StateStore(statePool()).getMigration(i.migrationId);
    const op = m.spec as { table?: string; column?: string };
    const expected = `${op.table}.${op.column}`;
    if ((i.confirm ?? '').trim() !== expected) throw new ForbiddenError(`type ${expected} to confirm the contract`);
  }
  const result = await withTargetClient((target) =>
    requestPhase(
      {
        pool: statePool(),
        target,
        policy: gatePolicy(env),
        enqueueBackfill: async (migrationId, requestedBy) => {
          const boss = await openJobQueue(env.DATABASE_URL!);
          try {
            return await enqueuePhase(boss, { migrationId, phase: 'backfill', actor: requestedBy });
          } finally {
            await boss.stop({ graceful: false, wait: true });
          }
        },
      },
      actor,
      i.migrationId,
      i.phase!,
      { confirmation: i.confirm },
    ),
  );
  return result.queued ? `backfill queued (job ${result.jobId}): progress shows below` : `${i.phase}: ${result.outcome.status}`;
});
