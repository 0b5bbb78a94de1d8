/** The phases other than the contract that download as migration files (contract-file-refusal.ts has its own rule). */
export type PlainFilePhase = 'expand' | 'rollback' | 'restore';

/**
 * Why a person may not have a phase as a migration file now, or null when they may. Whoever holds
 * a file can push it, so a phase not run yet goes only to whoever may run it now (the same rules as
 * its button: an approved plan's author for the expand, the person on call for a rollback after
 * the deploy and for a restore). A phase that already ran is history: its file (with the version
 * the target recorded) is for the team's repository, so anyone signed in may have it.
 */
export function phaseFileRefusal(phase: PlainFilePhase, ran: boolean, mayRun: { ok: boolean; reason?: string }): string | null {
  if (ran || mayRun.ok) return null;
  return `no ${phase} file for you yet: whoever holds it can apply the ${phase}, so it goes to whoever may run it now (${mayRun.reason ?? 'not allowed'})`;
}
