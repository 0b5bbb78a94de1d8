'use server';
import { setRequireBrownout } from '@/lib/data/request-brownout';
import { statePool } from '@/lib/db/pools';
import { AUTHOR_OR_ADMIN, migrationAction } from './migration-action';

export const requireBrownoutAction = migrationAction(
  AUTHOR_OR_ADMIN,
  () => 'brownout.require',
  async (actor, i) => {
    const required = i.required === 'yes';
    await setRequireBrownout(statePool(), actor, i.migrationId, required);
    return required ? 'the contract now waits for one clean brownout' : 'a brownout is no longer required of this migration';
  },
);
