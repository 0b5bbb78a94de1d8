'use server';
import { unmarkDeployedAs } from '@/lib/data/unmark-deployed-as';
import { statePool } from '@/lib/db/pools';
import { AUTHOR_OR_ONCALL, migrationAction } from './migration-action';

// Not asked of the lifecycle first: with no mark to take back the answer is a plain "no deploy
// was marked", where mayAct('deploy.unmark') would refuse; lib/data checks the person and the state.
export const unmarkDeployedAction = migrationAction(AUTHOR_OR_ONCALL, null, async (actor, i) => {
  const was = await unmarkDeployedAs(statePool(), actor, i.migrationId);
  return was ? `the deploy mark of ${was.deployedAt.toISOString()} is taken back: the buffer starts again when the deploy is marked` : 'no deploy was marked';
});
