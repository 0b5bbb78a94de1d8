import { answerWith } from '@/lib/api/answer-with';
import { errorBodySchema } from '@/lib/api/error-body';
import { migrationStatusBodySchema } from '@/lib/api/migration-status-body';
import { deployTokenCovers } from '@/lib/auth/api-tokens';
import { guardedRoute } from '@/lib/auth/guarded-route';
import { getMigrationStatus } from '@/lib/data/get-migration-status';
import { parseMigrationId } from '@/lib/migrations/parse-migration-id';

/**
 * A migration's phases, backfill progress and contract gate with its reasons, judged now, for a
 * CD pipeline that waits on it: GET /api/v1/migrations/<id> with `Authorization: Bearer <deploy
 * token>`. 200, 401 token (or one scoped to another migration), 404 no such migration, 503 a
 * database cannot be reached (ask again later).
 */
export const GET = guardedRoute({ token: 'deploy' }, async (_request, ctx: { params: Promise<{ id: string }> }, token) => {
  const id = parseMigrationId((await ctx.params).id);
  if (id === null) return answerWith(errorBodySchema, { error: 'no such migration' }, 404);
  // A token scoped to one migration reads only that one; whether another exists is not told to it.
  if (!deployTokenCovers(token, id)) return answerWith(errorBodySchema, { error: 'the token is not valid' }, 401);
  return answerWith(migrationStatusBodySchema, await getMigrationStatus(id));
});
