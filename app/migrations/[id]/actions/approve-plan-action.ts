'use server';
import { anyRole } from '@/lib/auth/guarded-action';
import { approvePlan } from '@/lib/data/approve-plan';
import { statePool } from '@/lib/db/pools';
import { migrationAction } from './migration-action';

export const approvePlanAction = migrationAction(
  anyRole(['reviewer'], 'only reviewers approve plans'),
  () => 'plan.approve',
  async (actor, i) => {
    await approvePlan(statePool(), actor, i.migrationId, i.body ?? '');
    return 'plan approved';
  },
);
