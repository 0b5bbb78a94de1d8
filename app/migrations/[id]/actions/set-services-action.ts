'use server';
import { setMigrationServices } from '@/lib/data/set-migration-services';
import { statePool } from '@/lib/db/pools';
import { AUTHOR_OR_ADMIN, migrationAction } from './migration-action';

export const setServicesAction = migrationAction(
  AUTHOR_OR_ADMIN,
  () => 'services.set',
  async (actor, i) => {
    const services = await setMigrationServices(statePool(), actor, i.migrationId, i.services ?? '');
    return services
      ? `error evidence from ${services.join(', ')} (and the Postgres log)`
      : 'error evidence from every service reporting (and the Postgres log)';
  },
);
