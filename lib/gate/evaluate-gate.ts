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
}

export interface GateCondition {
  name: 'backfill' | 'parity';
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
  const reasons = conditions.filter((c) => !c.met).map((c) => c.detail);
  return { allowed: reasons.length === 0, conditions, reasons };
}
