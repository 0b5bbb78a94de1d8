'use server';
import { stopBrownout } from '@/lib/data/request-brownout';
import { statePool } from '@/lib/db/pools';
import { AUTHOR_OR_ONCALL, migrationAction } from './migration-action';

export const stopBrownoutAction = migrationAction(
  AUTHOR_OR_ONCALL,
  () => 'brownout.stop',
  async (actor, i) => ((await stopBrownout(statePool(), actor, i.migrationId)) ? 'the column is put back within a second' : 'no brownout is running'),
);
