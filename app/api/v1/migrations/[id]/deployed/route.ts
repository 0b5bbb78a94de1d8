import { NextResponse } from 'next/server';
import { bearerToken, TokenRefusedError, verifyDeployToken } from '@/lib/auth/api-tokens';
import { statePool } from '@/lib/db/pools';
import { parseMigrationId } from '@/lib/migrations/parse-migration-id';
import { DeployNotAllowedError, MigrationNotFoundError, StateStore } from '@/lib/executor/state-store';

const answer = (status: number, body: object) => NextResponse.json(body, { status, headers: { 'cache-control': 'no-store' } });

/**
 * A CD pipeline marks the deploy of code that uses the new column:
 * POST /api/v1/migrations/<id>/deployed with `Authorization: Bearer <deploy token>`.
 * 200 marked (a repeat keeps the first time), 401 token, 404 no such migration, 409 not expanded yet.
 */
export async function POST(request: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = parseMigrationId((await ctx.params).id);
  if (id === null) return answer(404, { error: 'no such migration' });
  const state = statePool();
  try {
    const token = await verifyDeployToken(state, bearerToken(request.headers.get('authorization')), id);
    const migration = await new StateStore(state).markDeployed(id, `token:${token.id}`);
    return answer(200, { id, deployedAt: migration.deployedAt, deployedBy: migration.deployedBy });
  } catch (error) {
    // Missing or malformed headers are the caller's mistake; whether a token is unknown, revoked or for
    // something else is not told to whoever holds it.
    if (error instanceof TokenRefusedError) return answer(401, { error: error.reason === 'missing' || error.reason === 'malformed' ? error.message : 'the token is not valid' });
    if (error instanceof MigrationNotFoundError) return answer(404, { error: error.message });
    if (error instanceof DeployNotAllowedError) return answer(409, { error: error.message });
    throw error;
  }
}
