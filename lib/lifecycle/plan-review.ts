import type { RunPhase } from './migration-states';

/** What the plan-review rule needs to know about a migration. */
export interface PlanReviewFacts {
  id: number;
  /** The person who planned it in the dashboard; null when it was planned from files by the command line. */
  authorId: string | null;
  /** Distinct reviewers other than the author who approved the plan. */
  planApprovals: number;
  planApprovalsRequired: number;
}

/** Enough reviewers other than the author approved the plan. */
export const planApproved = (m: Pick<PlanReviewFacts, 'planApprovals' | 'planApprovalsRequired'>) => m.planApprovals >= m.planApprovalsRequired;

export type PlanReview = { ok: true } | { ok: false; reason: string };

/**
 * A plan made in the dashboard is reviewed there before its changes begin, whoever starts the
 * expand: the page, the command line or the job worker. The executor asks this inside the run, so
 * no way in skips it. A change planned from files at the console has no author and no review step
 * here (its review is the repository's), as before.
 */
export function planReview(phase: RunPhase, m: PlanReviewFacts): PlanReview {
  if (phase !== 'expand' || m.authorId === null || planApproved(m)) return { ok: true };
  return { ok: false, reason: `migration ${m.id} was planned in the dashboard and has ${m.planApprovals} of ${m.planApprovalsRequired} plan approvals` };
}
