import 'server-only';
import { redirect } from 'next/navigation';
import type { NewMigrationState } from '@/lib/actions/new-migration-state';
import type { Actor } from '@/lib/lifecycle/permissions';
import { createMigrationAs } from '@/lib/data/create-migration';
import { statePool, withTargetClient } from '@/lib/db/pools';
import { detectBreakingChanges } from '@/lib/lint/detect-breaking-changes';
import { FILE_PHASES, renderPhase, type FilePhase } from '@/lib/migrations/render-sql';
import { DEFAULT_PLAN_OPTIONS, type OperationSpec } from '@/lib/migrations/types';
import { planChange } from '@/lib/planning/plan-change';
import { parseSql } from '@/lib/sql/parse-sql';

/**
 * Preview (plan against the live schema, nothing stored) or create (registered, the person is
 * its author, and the browser goes to its page). Why a plan cannot be made (PlanValidationError),
 * a refusal and a change already open are thrown, for the action's wrapper to answer.
 */
export async function createOrPreview(actor: Actor, spec: OperationSpec, create: boolean): Promise<NewMigrationState> {
  const result = await withTargetClient(async (target, url) => {
    if (create) return { id: await createMigrationAs(statePool(), target, url, actor, spec) };
    const plan = await planChange(target, spec, DEFAULT_PLAN_OPTIONS);
    // The same breaking-change pass as Paste SQL, over what expand would run while old code is live.
    const lint = detectBreakingChanges((await parseSql(renderPhase(plan, 'expand'))).statements).map((f) => f.message);
    return {
      preview: {
        title: plan.title,
        phases: (Object.keys(FILE_PHASES) as FilePhase[]).map((phase) => ({ phase, sql: renderPhase(plan, phase) })),
        notes: plan.notes,
        lint,
      },
    };
  });
  if ('id' in result) redirect(`/migrations/${result.id}`);
  return result;
}
