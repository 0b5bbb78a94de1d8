'use server';
import { permission } from '@/lib/lifecycle/permissions';
import { commentOnPlan } from '@/lib/data/comment-on-plan';
import { statePool } from '@/lib/db/pools';
import { migrationAction } from './migration-action';

export const commentAction = migrationAction(
  (actor) => permission(actor, { kind: 'plan.comment' }),
  () => 'plan.comment',
  async (actor, i) => {
    await commentOnPlan(statePool(), actor, i.migrationId, i.body ?? '');
    return 'comment added';
  },
);
