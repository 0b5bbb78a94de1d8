import type { Plan } from './types';

/**
 * Whether running the plan reads or writes the table's rows (backfill, parity, checks, the
 * contract's archive, a restore): where row-level security could hide some of them from the
 * executing role. A plan that only adds a nullable column touches none.
 */
export function planReadsRows(plan: Plan): boolean {
  return !!plan.backfill || !!plan.parity || plan.steps.some((s) => s.kind === 'check' || s.phase === 'contract' || s.phase === 'restore');
}
