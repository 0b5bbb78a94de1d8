'use server';
import { markDeployedAs } from '@/lib/data/mark-deployed-as';
import { statePool } from '@/lib/db/pools';
import { AUTHOR_OR_ONCALL, migrationAction } from './migration-action';

// Not asked of the lifecycle first: a repeated mark keeps the first one and says so, where
// mayAct('deploy.mark') would refuse it; lib/data checks the person and the state.
export const markDeployedAction = migrationAction(AUTHOR_OR_ONCALL, null, async (actor, i) => {
  const at = await markDeployedAs(statePool(), actor, i.migrationId);
  return `deploy marked at ${at.toISOString()}: the buffer before the contract runs from here`;
});
