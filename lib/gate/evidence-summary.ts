import type { GateEvidence } from './evaluate-gate';

/**
 * What a contract approval vouches for, as canonical text: the facts that decide the gate,
 * without what moves on its own (the clock, coverage percentages, when parity was checked).
 * An approval whose summary differs from the one at contract time is stale.
 */
export function evidenceSummary(e: GateEvidence): string {
  return JSON.stringify({
    backfillDone: e.backfill.required ? e.backfill.done : null,
    parityMismatched: e.parity.required ? (e.parity.latest?.mismatched ?? null) : null,
    // Only when some would be lost: approvals of changes with nothing lossy keep the summary they had.
    ...(e.parity.latest?.lossy?.rows ? { lossyRows: e.parity.latest.lossy.rows } : {}),
    deployedAt: e.buffer?.deployedAt?.toISOString() ?? null,
    legacy: e.legacy
      ? {
          reads: e.legacy.reads,
          writes: e.legacy.writes,
          unknown: e.legacy.unknown,
          // Approvals given while nothing depended on the column keep the summary they had.
          ...(e.legacy.dependents.length ? { dependents: e.legacy.dependents } : { functions: [] }),
        }
      : null,
    regressions: (e.errors?.phases ?? []).flatMap((p) => p.series.filter((s) => s.regression).map((s) => `${p.phase}:${s.source}:${s.service}`)),
    phases: (e.errors?.phases ?? []).map((p) => `${p.phase}@${p.at.toISOString()}`),
    // Only when named: approvals given on migrations that count every service keep their summary.
    ...(e.errors?.services ? { services: e.errors.services } : {}),
  });
}
