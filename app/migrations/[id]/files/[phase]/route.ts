import { signedIn } from '@/lib/auth/guarded-action';
import { guardedRoute } from '@/lib/auth/guarded-route';
import { statePool } from '@/lib/db/pools';
import { parseMigrationId } from '@/lib/migrations/parse-migration-id';
import { MigrationNotFoundError } from '@/lib/state/errors';
import { StateStore } from '@/lib/state/state-store';
import { FILE_PHASES, supabaseMigration, type FilePhase } from '@/lib/migrations/render-sql';

/**
 * A phase as a Supabase migration file. A phase the executor already ran keeps the version it
 * recorded in the target's history (so `supabase db push` skips it); any other gets the time of download.
 */
export const GET = guardedRoute(signedIn, async (_request, ctx: { params: Promise<{ id: string; phase: string }> }) => {
  const { id, phase } = await ctx.params;
  if (!Object.hasOwn(FILE_PHASES, phase)) return new Response('phase must be expand, contract, rollback or restore\n', { status: 404 });
  const migrationId = parseMigrationId(id);
  if (migrationId === null) return new Response('no such migration\n', { status: 404 });
  const store = new StateStore(statePool());
  const migration = await store.getMigration(migrationId).catch((e: unknown) => {
    if (e instanceof MigrationNotFoundError) return null;
    throw e;
  });
  if (!migration) return new Response('no such migration\n', { status: 404 });
  const recorded = (await store.phaseRuns(migration.id))
    .filter((r) => r.phase === phase && r.status === 'succeeded' && r.historyVersion)
    .at(-1)?.historyVersion;
  const file = supabaseMigration(migration.plan, phase as FilePhase, recorded ?? new Date());
  return new Response(file.content, {
    headers: {
      'content-type': 'application/sql; charset=utf-8',
      'content-disposition': `attachment; filename="${file.fileName}"`,
      'cache-control': 'no-store',
    },
  });
});
