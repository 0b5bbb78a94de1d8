import { NextResponse } from 'next/server';
import { guardedRoute } from '@/lib/auth/guarded-route';
import { statePool } from '@/lib/db/pools';
import { parseMigrationId } from '@/lib/migrations/parse-migration-id';
import { StateStore } from '@/lib/state/state-store';

const answer = (status: number, body: object) => NextResponse.json(body, { status, headers: { 'cache-control': 'no-store' } });

/**
 * A CD pipeline marks the deploy of code that uses the new column:
 * POST /api/v1/migrations/<id>/deployed with `Authorization: Bearer <deploy token>`.
 * 200 marked (a repeat keeps the first time), 401 token, 404 no such migration, 409 not expanded yet
 * (the store's errors, answered by guardedRoute).
 */
export const POST = guardedRoute({ token: 'deploy' }, async (_request, ctx: { params: Promise<{ id: string }> }, token) => {
  const id = parseMigrationId((await ctx.params).id);
  if (id === null) return answer(404, { error: 'no such migration' });
  // A token scoped to one migration marks only that one; whether it exists is not told to it.
  if (token.migrationId !== null && token.migrationId !== id) return answer(401, { error: 'the token is not valid' });
  const migration = await new StateStore(statePool()).markDeployed(id, `token:${token.id}`);
  return answer(200, { id, deployedAt: migration.deployedAt, deployedBy: migration.deployedBy });
});
