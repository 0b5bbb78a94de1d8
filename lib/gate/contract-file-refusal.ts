import type { GateCondition } from './evaluate-gate';

export interface ContractFileFacts {
  /** The contract already ran here and is in the target's history: its file is history too. */
  recorded: boolean;
  isAuthor: boolean;
  isOnCall: boolean;
  /** The gate's conditions now; null while not read. */
  conditions: GateCondition[] | null;
}

/**
 * Why a person may not have the contract as a migration file now, or null when they may. The file
 * is the irreversible step (a drop, for most changes), and whoever holds it can push it: before the contract has run,
 * only the author and the person on call get it, and only while the gate allows the contract: every
 * condition met, the on-call's approval on the current evidence included, so a pushed file keeps the
 * two-person rule the dashboard's contract keeps. Both people are checked with their role, as for every action.
 */
export function contractFileRefusal(f: ContractFileFacts): string | null {
  if (f.recorded) return null;
  if (!f.isAuthor && !f.isOnCall) return 'the contract file is for the author and the person on call: whoever holds it can push the contract';
  if (!f.conditions) return 'the gate could not be read, so no contract file yet';
  const blocking = f.conditions.filter((c) => !c.met);
  return blocking.length > 0 ? `the gate is closed, so no contract file yet: ${blocking.map((c) => c.detail).join('; ')}` : null;
}
