import type { GateCondition } from '../gate/evaluate-gate';
import { mayAct, type MigrationContext } from './may-act';
import { CONTRACT_APPROVAL_STATES, type MigrationState } from './migration-states';
import type { Actor } from './permissions';

/** The contract gate as the home page needs it: open on the evidence, and whether a valid approval is in. */
export type GateNow = { read: true; conditions: GateCondition[] } | { read: false; error: string };

/** A migration that might be waiting on someone, as the rules see it, with what the page shows. */
export interface WaitingCandidate extends MigrationContext {
  title: string;
  /** The signed-in person already approved this plan. */
  planApprovedByActor: boolean;
  /** Read only where the person might contract (see needsGate); null elsewhere. */
  gate: GateNow | null;
}

export type WaitingKind =
  'contract.run' | 'contract.approve' | 'contract.evidence' | 'contract.finish' | 'plan.approve' | 'expand.run' | 'backfill.run' | 'deploy.mark';

export interface WaitingItem {
  migrationId: number;
  title: string;
  kind: WaitingKind;
  /** What the person is asked to do, in words. */
  says: string;
  /** Why, or what still stands in the way. */
  detail: string;
  /** Something they can do right now (a gate opened, a contract half done), not only a heads-up. */
  now: boolean;
}

/** States from which the person on call takes a contract, once the deploy is marked (the lifecycle's own list). */
const CONTRACT_FROM = new Set<MigrationState>(CONTRACT_APPROVAL_STATES);

/** Whether the contract gate should be read for this person and migration (it touches the target: only when it matters). */
export function needsGate(actor: Actor, m: MigrationContext): boolean {
  return m.state !== 'contracting' && CONTRACT_FROM.has(m.state) && m.deployedAt !== null && mayAct(actor, 'contract.approve', m).ok;
}

function contractItem(actor: Actor, m: WaitingCandidate): WaitingItem | null {
  if (!CONTRACT_FROM.has(m.state) || !m.deployedAt) return null;
  const base = { migrationId: m.id, title: m.title };
  if (m.state === 'contracting') {
    if (!mayAct(actor, 'phase.contract', m).ok) return null;
    return {
      ...base,
      kind: 'contract.finish',
      says: 'Finish the contract, or restore',
      detail: 'its destructive steps began and their end is not recorded',
      now: true,
    };
  }
  if (!mayAct(actor, 'contract.approve', m).ok) return null;
  const gate = m.gate;
  if (!gate || !gate.read) {
    return {
      ...base,
      kind: 'contract.evidence',
      says: 'A contract waits for you',
      detail: `the gate could not be read: ${gate?.error ?? 'not checked'}`,
      now: false,
    };
  }
  const blocking = gate.conditions.filter((c) => !c.met && c.name !== 'approval');
  if (blocking.length > 0) {
    return {
      ...base,
      kind: 'contract.evidence',
      says: 'A contract waits for you',
      detail: `the gate is closed: ${blocking.map((c) => c.detail).join('; ')}`,
      now: false,
    };
  }
  const approved = gate.conditions.find((c) => c.name === 'approval')?.met ?? false;
  return approved
    ? { ...base, kind: 'contract.run', says: 'Run the contract', detail: 'the gate is open and your approval stands', now: true }
    : {
        ...base,
        kind: 'contract.approve',
        says: 'The gate opened: approve the contract',
        detail: 'every condition is met but the on-call approval',
        now: true,
      };
}

function reviewItem(actor: Actor, m: WaitingCandidate): WaitingItem | null {
  if (m.state !== 'planned' || m.planApprovedByActor || m.planApprovals >= m.planApprovalsRequired) return null;
  if (!mayAct(actor, 'plan.approve', m).ok) return null;
  return {
    migrationId: m.id,
    title: m.title,
    kind: 'plan.approve',
    says: 'Review the plan',
    detail: `it has ${m.planApprovals} of the ${m.planApprovalsRequired} approval(s) it needs before the expand`,
    now: true,
  };
}

function authorItem(actor: Actor, m: WaitingCandidate): WaitingItem | null {
  if (m.authorId !== actor.id) return null;
  const base = { migrationId: m.id, title: m.title, now: true };
  if (m.state === 'planned' && mayAct(actor, 'phase.expand', m).ok)
    return { ...base, kind: 'expand.run', says: 'Run the expand', detail: 'the plan is approved; nothing has run on the target yet' };
  if (m.state === 'expanded' && mayAct(actor, 'phase.backfill', m).ok)
    return { ...base, kind: 'backfill.run', says: 'Run the backfill', detail: 'the new column exists but its rows are not copied yet' };
  if (m.state === 'backfilled' && !m.deployedAt && mayAct(actor, 'deploy.mark', m).ok)
    return {
      ...base,
      kind: 'deploy.mark',
      says: 'Ship the new code, then mark the deploy',
      detail: 'the buffer before the contract starts at the deploy mark',
    };
  return null;
}

const ORDER: WaitingKind[] = [
  'contract.finish',
  'contract.run',
  'contract.approve',
  'plan.approve',
  'expand.run',
  'backfill.run',
  'deploy.mark',
  'contract.evidence',
];

/**
 * What waits for this person, most pressing first: as the person on call, the contracts that are
 * theirs to take (a half-done one, an open gate, then those still gathering evidence); as a
 * reviewer, plans short of approvals; as an author, the next step of their own migrations. Asked
 * of the lifecycle's rules (mayAct), so the list never offers what the button would refuse.
 */
export function waitingForYou(actor: Actor, candidates: WaitingCandidate[]): WaitingItem[] {
  const items: WaitingItem[] = [];
  for (const m of candidates) {
    const item = contractItem(actor, m) ?? reviewItem(actor, m) ?? authorItem(actor, m);
    if (item) items.push(item);
  }
  return items.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) || a.migrationId - b.migrationId);
}
