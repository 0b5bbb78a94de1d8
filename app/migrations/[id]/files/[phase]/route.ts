import { signedIn } from '@/lib/auth/guarded-action';
import { guardedRoute } from '@/lib/auth/guarded-route';
import { parseEnv } from '@/lib/config/env';
import { getPhaseFile } from '@/lib/data/get-phase-file';
import { statePool, targetPool } from '@/lib/db/pools';
import { gatePolicy } from '@/lib/gate/gate-policy';
import { parseMigrationId } from '@/lib/migrations/parse-migration-id';
import { FILE_PHASES, type FilePhase } from '@/lib/migrations/render-sql';

/** A phase as a Supabase migration file (lib/data/get-phase-file.ts says who gets the contract, and when). */
export const GET = guardedRoute(signedIn, async (_request, ctx: { params: Promise<{ id: string; phase: string }> }, actor) => {
  const { id, phase } = await ctx.params;
  if (!Object.hasOwn(FILE_PHASES, phase)) return new Response('phase must be expand, contract, rollback or restore\n', { status: 404 });
  const migrationId = parseMigrationId(id);
  if (migrationId === null) return new Response('no such migration\n', { status: 404 });
  const file = await getPhaseFile(statePool(), targetPool(), gatePolicy(parseEnv(process.env)), actor, migrationId, phase as FilePhase);
  return new Response(file.content, {
    headers: {
      'content-type': 'application/sql; charset=utf-8',
      'content-disposition': `attachment; filename="${file.fileName}"`,
      'cache-control': 'no-store',
    },
  });
});
