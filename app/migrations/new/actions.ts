'use server';
import { redirect } from 'next/navigation';
import { guardedAction, signedIn } from '@/lib/auth/guarded-action';
import { permission, type Actor } from '@/lib/lifecycle/permissions';
import { statePool, withTargetClient } from '@/lib/db/pools';
import { createMigrationAs } from '@/lib/data/create-migration';
import { ForbiddenError } from '@/lib/data/with-actor';
import { lintSql } from '@/lib/lint/lint-sql';
import { PlanValidationError } from '@/lib/migrations/errors';
import { operationFromForm } from '@/lib/migrations/operation-form';
import { FILE_PHASES, renderPhase, type FilePhase } from '@/lib/migrations/render-sql';
import type { OperationSpec } from '@/lib/migrations/types';
import { DEFAULT_PLAN_OPTIONS } from '@/lib/migrations/types';
import { planChange } from '@/lib/planning/plan-change';
import { parseSql, SqlSyntaxError } from '@/lib/sql/parse-sql';
import { detectBreakingChanges } from '@/lib/lint/detect-breaking-changes';

export interface NewMigrationState {
  fieldErrors?: Record<string, string>;
  error?: string;
  preview?: { title: string; phases: { phase: string; sql: string }[]; notes: string[]; lint: string[] };
}

const planErrors = (e: PlanValidationError) => e.errors.map((x) => `${x.message} (${x.advice})`).join('; ');

/** Preview (plan against the live schema, nothing stored) or create (registered, the person is its author). */
export const newMigrationAction = guardedAction(
  (actor) => permission(actor, { kind: 'migration.preview' }),
  async (actor, _prev: NewMigrationState, data: FormData): Promise<NewMigrationState> => {
    const create = data.get('intent') === 'create';
    // Previewing is for authors and admins; registering a migration is for authors only.
    const allowed = create ? permission(actor, { kind: 'migration.create' }) : { ok: true as const };
    if (!allowed.ok) return { error: allowed.reason };
    const fields = Object.fromEntries([...data].filter(([k]) => !k.startsWith('$')));
    const checked = operationFromForm(fields);
    if (!checked.ok) return { fieldErrors: checked.fieldErrors };
    return createOrPreview(actor, checked.spec, create);
  },
);

async function createOrPreview(actor: Actor, spec: OperationSpec, create: boolean): Promise<NewMigrationState> {
  let id: number | null = null;
  try {
    const result = await withTargetClient(async (target, url) => {
      if (create) {
        id = await createMigrationAs(statePool(), target, url, actor, spec);
        return {};
      }
      const plan = await planChange(target, spec, DEFAULT_PLAN_OPTIONS);
      // The same breaking-change pass as Paste SQL, over what expand would run while old code is live.
      const lint = detectBreakingChanges((await parseSql(renderPhase(plan, 'expand'))).statements).map((f) => f.message);
      return { preview: { title: plan.title, phases: (Object.keys(FILE_PHASES) as FilePhase[]).map((phase) => ({ phase, sql: renderPhase(plan, phase) })), notes: plan.notes, lint } };
    });
    if (!create) return result;
  } catch (error) {
    if (error instanceof PlanValidationError) return { error: planErrors(error) };
    if (error instanceof ForbiddenError) return { error: error.message };
    if ((error as { name?: string }).name === 'MigrationAlreadyOpenError') return { error: (error as Error).message };
    throw error;
  }
  redirect(`/migrations/${id}`);
}

export interface LintState {
  error?: string;
  findings?: { source: string; rule: string; severity: string; message: string; help: string | null; line: number; suggestion?: OperationSpec }[];
  statements?: number;
}

/** Lints pasted SQL with Squawk and our breaking-change pass: parsed here, never sent to a database. */
export const lintAction = guardedAction(signedIn, async (_actor, _prev: LintState, data: FormData): Promise<LintState> => {
  const sql = String(data.get('sql') ?? '');
  if (!sql.trim()) return { error: 'paste some SQL first' };
  if (sql.length > 200_000) return { error: 'at most 200,000 characters' };
  try {
    const { findings, statements } = await lintSql(sql);
    return { findings: findings.map((f) => ({ source: f.source, rule: f.rule, severity: f.severity, message: f.message, help: f.help, line: f.line, suggestion: f.suggestion })), statements };
  } catch (error) {
    if (error instanceof SqlSyntaxError) return { error: `not valid PostgreSQL: ${error.message}` };
    throw error;
  }
});

/** One click from a breaking statement to its safe plan. */
export const createSuggestedAction = guardedAction(
  (actor) => permission(actor, { kind: 'migration.create' }),
  async (actor, _prev: NewMigrationState, data: FormData): Promise<NewMigrationState> => {
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(String(data.get('spec') ?? '{}')) as Record<string, unknown>;
    } catch {
      return { error: 'the suggestion is not valid JSON' };
    }
    const checked = operationFromForm(fields);
    if (!checked.ok) return { error: `the suggestion needs more detail: ${Object.entries(checked.fieldErrors).map(([k, v]) => `${k}: ${v}`).join(', ')}` };
    return createOrPreview(actor, checked.spec, true);
  },
);
