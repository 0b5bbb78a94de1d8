'use server';
import { updateSchedule } from '@/lib/data/update-schedule';
import { statePool } from '@/lib/db/pools';
import { AUTHOR_OR_ADMIN, migrationAction } from './migration-action';

// The schedule is a plan, not a step of the lifecycle: lib/data decides who may change it.
export const updateScheduleAction = migrationAction(AUTHOR_OR_ADMIN, null, async (actor, i, data) => {
  await updateSchedule(statePool(), actor, i.migrationId, {
    expandAt: data.get('expandAt'),
    deployAt: data.get('deployAt'),
    contractAt: data.get('contractAt'),
  });
  return 'schedule saved';
});
