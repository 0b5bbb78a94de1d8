import { describe, expect, it } from 'vitest';
import { planReview } from './plan-review';

const dashboard = { id: 10, authorId: 'ann', planApprovals: 0, planApprovalsRequired: 1 };

describe('a plan made in the dashboard is reviewed before its expand, whoever runs it', () => {
  it('refuses the expand of a dashboard migration short of approvals, naming the count', () => {
    expect(planReview('expand', dashboard)).toEqual({ ok: false, reason: 'migration 10 was planned in the dashboard and has 0 of 1 plan approvals' });
    expect(planReview('expand', { ...dashboard, planApprovals: 1, planApprovalsRequired: 2 })).toEqual({
      ok: false,
      reason: 'migration 10 was planned in the dashboard and has 1 of 2 plan approvals',
    });
  });

  it('lets it run once approved', () => {
    expect(planReview('expand', { ...dashboard, planApprovals: 1 })).toEqual({ ok: true });
  });

  it('leaves a migration planned from files at the console (no author) as it was', () => {
    expect(planReview('expand', { ...dashboard, authorId: null })).toEqual({ ok: true });
  });

  it('judges only the expand: later phases follow an expand that was judged', () => {
    for (const phase of ['backfill', 'verify', 'contract', 'rollback', 'restore'] as const) expect(planReview(phase, dashboard).ok).toBe(true);
  });
});
