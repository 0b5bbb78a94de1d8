import type { Pool } from 'pg';
import { planReview } from '../lifecycle/plan-review';
import type { MigrationRecord, RunPhase } from '../state/records';
import { AppError } from '../errors/app-error';

/** A dashboard migration's expand asked for before its plan has its approvals. */
export class PlanNotApprovedError extends AppError {
  readonly code = 'plan-not-approved';
  readonly kind = 'forbidden';
  constructor(
    readonly migrationId: number,
    readonly reason: string,
  ) {
    super(`${reason}: approve it in the dashboard first`);
    this.name = 'PlanNotApprovedError';
  }
}

/** Refuses a phase the plan-review rule (lib/lifecycle/plan-review.ts) does not allow yet, with the approvals counted now. */
export async function assertPlanReviewed(pool: Pool, migration: Pick<MigrationRecord, 'id' | 'authorId'>, phase: RunPhase): Promise<void> {
  if (phase !== 'expand' || migration.authorId === null) return;
  // Counted as the database's policy on phase requests counts them: distinct reviewers, never the author.
  const { rows } = await pool.query<{ approvals: number; required: number }>(
    `SELECT (SELECT count(DISTINCT a.approver_id)::int FROM expand_contract.approvals a
              WHERE a.migration_id = m.id AND a.kind = 'plan' AND a.approver_id IS DISTINCT FROM m.author_id) AS approvals,
            coalesce((SELECT (value #>> '{}')::int FROM expand_contract.settings WHERE key = 'plan_approvals_required'), 1) AS required
       FROM expand_contract.migrations m WHERE m.id = $1`,
    [migration.id],
  );
  const review = planReview(phase, {
    id: migration.id,
    authorId: migration.authorId,
    planApprovals: rows[0]?.approvals ?? 0,
    planApprovalsRequired: rows[0]?.required ?? 1,
  });
  if (!review.ok) throw new PlanNotApprovedError(migration.id, review.reason);
}
