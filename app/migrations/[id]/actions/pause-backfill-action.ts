'use server';
import { pauseBackfill } from '@/lib/data/pause-backfill';
import { statePool } from '@/lib/db/pools';
import { AUTHOR_OR_ONCALL, migrationAction } from './migration-action';

export const pauseBackfillAction = migrationAction(
  AUTHOR_OR_ONCALL,
  () => 'backfill.pause',
  async (actor, i) =>
    (await pauseBackfill(statePool(), actor, i.migrationId)) ? 'the backfill pauses after its current batch or the next one' : 'no backfill is running',
);
