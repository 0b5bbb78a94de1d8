import { answerWith } from '@/lib/api/answer-with';
import { deployMarkBodySchema } from '@/lib/api/deploy-mark-body';
import { errorBodySchema } from '@/lib/api/error-body';
import { deployTokenCovers } from '@/lib/auth/api-tokens';
import { guardedRoute } from '@/lib/auth/guarded-route';
import { statePool } from '@/lib/db/pools';
import { parseMigrationId } from '@/lib/migrations/parse-migration-id';
import { StateStore } from '@/lib/state/state-store';

/**
 * A CD pipeline marks the deploy of code that uses the new column:
 * POST /api/v1/migrations/<id>/deployed with `Authorization: Bearer <deploy token>`.
 * 200 marked (a repeat keeps the first time), 401 token, 404 no such migration, 409 not expanded yet
 * (the store's errors, answered by guardedRoute).
 */
export const POST = guardedRoute({ token: 'deploy' }, async (_request, ctx: { params: Promise<{ id: string }> }, token) => {
  const id = parseMigrationId((await ctx.params).id);
  if (id === null) return answerWith(errorBodySchema, { error: 'no such migration' }, 404);
  // A token scoped to one migration marks only that one; whether it exists is not told to it.
  if (!deployTokenCovers(token, id)) return answerWith(errorBodySchema, { error: 'the token is not valid' }, 401);
  const migration = await new StateStore(statePool()).markDeployed(id, `token:${token.id}`);
  // Set by the mark just made, or by the first one.
  return answerWith(deployMarkBodySchema, { id, deployedAt: migration.deployedAt!, deployedBy: migration.deployedBy! });
});
