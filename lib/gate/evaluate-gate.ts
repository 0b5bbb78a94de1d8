/**
 * Whether the contract may run, from evidence, with every condition and why. Conditions
 * that later signals add (buffer time, legacy reads, error rates, approver) plug in here;
 * today: the backfill finished and a fresh parity check found no difference.
 */
export interface GateEvidence {
  now: Date;
  backfill: { required: boolean; done: boolean };
  parity: { required: boolean; latest: { mismatched: number; checkedAt: Date } | null };
  /** A parity result older than this does not count (default 60 minutes). */
  maxParityAgeMinutes?: number;
  /** Use of the column the change removes, from sampled pg_stat_statements, over the observation window. */
  legacy?: {
    required: boolean;
    column: string;
    reads: number;
    writes: number;
    unknown: number;
    /** Share of the window the sampler covered, 0–1. */
    coverage: number;
    /** Below this, "zero reads" is not evidence (default 0.95). */
    minCoverage?: number;
    /** How long the column has been watched since the expand, and how long it must be (hourly and daily jobs). */
    observedMinutes: number;
    requiredMinutes: number;
    /** Functions whose body mentions the table and the column: invisible to sampling, broken by the drop. */
    functions: string[];
  };
}

export interface GateCondition {
  name: 'backfill' | 'parity' | 'legacy-reads';
  met: boolean;
  detail: string;
}

export interface GateDecision {
  allowed: boolean;
  conditions: GateCondition[];
  /** The unmet conditions' details, for a disabled button's tooltip or an error. */
  reasons: string[];
}

export function evaluateGate(e: GateEvidence): GateDecision {
  const conditions: GateCondition[] = [];
  if (e.backfill.required) {
    conditions.push({ name: 'backfill', met: e.backfill.done, detail: e.backfill.done ? 'backfill complete' : 'the backfill has not finished' });
  }
  if (e.parity.required) {
    const maxAge = (e.maxParityAgeMinutes ?? 60) * 60_000;
    const p = e.parity.latest;
    if (!p) conditions.push({ name: 'parity', met: false, detail: 'no parity check yet: run verify' });
    else if (e.now.getTime() - p.checkedAt.getTime() > maxAge) conditions.push({ name: 'parity', met: false, detail: 'the last parity check is too old: run verify again' });
    else if (p.mismatched > 0) conditions.push({ name: 'parity', met: false, detail: `${p.mismatched} row(s) differ between old and new column` });
    else conditions.push({ name: 'parity', met: true, detail: '0 rows differ' });
  }
  if (e.legacy?.required) {
    const l = e.legacy;
    const min = l.minCoverage ?? 0.95;
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    if (l.functions.length > 0) {
      conditions.push({ name: 'legacy-reads', met: false, detail: `function(s) ${l.functions.join(', ')} mention ${l.column}: update them to the new column first` });
    } else if (l.reads + l.writes > 0) {
      conditions.push({ name: 'legacy-reads', met: false, detail: `${l.column} is still used: ${l.reads} read(s) and ${l.writes} write(s) in the window` });
    } else if (l.unknown > 0) {
      conditions.push({ name: 'legacy-reads', met: false, detail: `${l.unknown} call(s) of statements that could not be parsed: check them by hand` });
    } else if (l.observedMinutes < l.requiredMinutes) {
      conditions.push({ name: 'legacy-reads', met: false, detail: `watched for ${Math.floor(l.observedMinutes)} of the required ${l.requiredMinutes} minutes since the expand` });
    } else if (l.coverage < min) {
      conditions.push({ name: 'legacy-reads', met: false, detail: `pg_stat_statements was sampled for only ${pct(l.coverage)} of the window (needs ${pct(min)}): keep the dashboard or expand-contract worker running` });
    } else {
      conditions.push({ name: 'legacy-reads', met: true, detail: `0 reads of ${l.column}, sampled ${pct(l.coverage)} of the window` });
    }
  }
  const reasons = conditions.filter((c) => !c.met).map((c) => c.detail);
  return { allowed: reasons.length === 0, conditions, reasons };
}
