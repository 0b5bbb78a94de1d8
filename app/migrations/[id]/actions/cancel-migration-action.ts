'use server';
import { cancelMigration } from '@/lib/data/cancel-migration';
import { statePool } from '@/lib/db/pools';
import { AUTHOR_OR_ADMIN, migrationAction } from './migration-action';

export const cancelMigrationAction = migrationAction(
  AUTHOR_OR_ADMIN,
  () => 'migration.cancel',
  async (actor, i) => {
    await cancelMigration(statePool(), actor, i.migrationId, i.body ?? '');
    return 'migration cancelled: it has left the timeline';
  },
);
