import { describe, expect, it } from 'vitest';
import type { GateCondition } from '../gate/evaluate-gate';
import type { Actor } from './permissions';
import { needsGate, waitingForYou, type WaitingCandidate } from './waiting-for-you';

const person = (id: string, ...roles: Actor['roles']): Actor => ({ id, email: `${id}@team.example`, name: id, roles });
const author = person('ada', 'author');
const reviewer = person('rui', 'reviewer');
const oncall = person('ona', 'oncall', 'reviewer');
const offDuty = person('otto', 'oncall');
const viewer = person('vik', 'viewer');

const met = (name: GateCondition['name']): GateCondition => ({ name, met: true, detail: `${name} ok` });
const unmet = (name: GateCondition['name'], detail: string): GateCondition => ({ name, met: false, detail });
const openGate = (approved: boolean) => ({
  read: true as const,
  conditions: [met('backfill'), met('parity'), met('buffer'), approved ? met('approval') : unmet('approval', 'no approval')],
});

function migration(over: Partial<WaitingCandidate>): WaitingCandidate {
  return {
    id: 1,
    title: 'Rename public.leads.user_email to contact_email',
    state: 'planned',
    expandBegan: false,
    deployedAt: null,
    authorId: 'ada',
    onCallId: 'ona',
    planApprovals: 0,
    planApprovalsRequired: 1,
    planApprovedByActor: false,
    gate: null,
    ...over,
  };
}
const deployed = new Date('2026-11-30T14:00:00Z');
const kinds = (actor: Actor, ms: WaitingCandidate[]) => waitingForYou(actor, ms).map((i) => `${i.migrationId}:${i.kind}`);

describe('waitingForYou: the person on call', () => {
  const backfilled = (gate: WaitingCandidate['gate']) =>
    migration({ id: 3, state: 'backfilled', expandBegan: true, deployedAt: deployed, planApprovals: 1, gate });

  it('is told of a contract the gate has opened, and asked to approve it', () => {
    const [item] = waitingForYou(oncall, [backfilled(openGate(false))]);
    expect(item).toMatchObject({ migrationId: 3, kind: 'contract.approve', says: 'The gate opened: approve the contract', now: true });
  });

  it('is asked to run it once their approval stands', () => {
    expect(kinds(oncall, [backfilled(openGate(true))])).toEqual(['3:contract.run']);
  });

  it('sees a contract still gathering evidence, with what is missing, as a heads-up', () => {
    const [item] = waitingForYou(oncall, [
      backfilled({ read: true, conditions: [met('backfill'), unmet('parity', 'the last parity check is too old: run verify again')] }),
    ]);
    expect(item).toMatchObject({ kind: 'contract.evidence', now: false });
    expect(item!.detail).toBe('the gate is closed: the last parity check is too old: run verify again');
  });

  it('still hears of it when the gate cannot be read', () => {
    const [item] = waitingForYou(oncall, [backfilled({ read: false, error: 'target unreachable' })]);
    expect(item).toMatchObject({ kind: 'contract.evidence', detail: 'the gate could not be read: target unreachable' });
  });

  it('is asked first to finish a contract whose destructive steps began, and after a restore the contract is theirs again', () => {
    const contracting = migration({ id: 7, state: 'contracting', expandBegan: true, deployedAt: deployed });
    const restored = migration({ id: 2, state: 'restored', expandBegan: true, deployedAt: deployed, gate: openGate(false) });
    expect(kinds(oncall, [restored, contracting])).toEqual(['7:contract.finish', '2:contract.approve']);
  });

  it('is not asked before the deploy is marked, nor when off duty, nor for their own migration', () => {
    expect(kinds(oncall, [migration({ state: 'backfilled', expandBegan: true, gate: openGate(false) })])).toEqual([]);
    expect(kinds(offDuty, [backfilled(openGate(false))])).toEqual([]);
    expect(kinds(oncall, [migration({ ...backfilled(openGate(false)), authorId: 'ona' })])).toEqual([]);
  });

  it('reads the gate only where a contract could be theirs', () => {
    expect(needsGate(oncall, backfilled(null))).toBe(true);
    expect(needsGate(offDuty, backfilled(null))).toBe(false);
    expect(needsGate(oncall, migration({ state: 'backfilled' }))).toBe(false);
    expect(needsGate(oncall, migration({ state: 'contracting', deployedAt: deployed }))).toBe(false);
    expect(needsGate(author, backfilled(null))).toBe(false);
  });
});

describe('waitingForYou: reviewers and authors', () => {
  it('asks a reviewer for a plan short of approvals, once, and never its author', () => {
    const m = migration({ id: 4 });
    expect(waitingForYou(reviewer, [m])).toEqual([
      expect.objectContaining({ migrationId: 4, kind: 'plan.approve', detail: 'it has 0 of the 1 approval(s) it needs before the expand' }),
    ]);
    expect(kinds(reviewer, [migration({ id: 4, planApprovedByActor: true })])).toEqual([]);
    expect(kinds(reviewer, [migration({ id: 4, planApprovals: 1 })])).toEqual([]);
    expect(kinds(person('ada', 'author', 'reviewer'), [m])).toEqual([]);
  });

  it('walks the author through their own migration: expand once approved, backfill, then the deploy mark', () => {
    expect(kinds(author, [migration({ id: 1, planApprovals: 1 })])).toEqual(['1:expand.run']);
    expect(kinds(author, [migration({ id: 1, planApprovals: 0 })])).toEqual([]);
    expect(kinds(author, [migration({ id: 1, state: 'expanded', expandBegan: true, planApprovals: 1 })])).toEqual(['1:backfill.run']);
    expect(kinds(author, [migration({ id: 1, state: 'backfilled', expandBegan: true, planApprovals: 1 })])).toEqual(['1:deploy.mark']);
    // Deployed: the contract is the person on call's, not the author's.
    expect(kinds(author, [migration({ id: 1, state: 'backfilled', expandBegan: true, planApprovals: 1, deployedAt: deployed })])).toEqual([]);
  });

  it('has nothing for someone else’s migration, a finished one, or a viewer', () => {
    expect(kinds(person('bo', 'author'), [migration({ planApprovals: 1 })])).toEqual([]);
    expect(kinds(author, [migration({ state: 'contracted', expandBegan: true }), migration({ state: 'rolled_back', expandBegan: true })])).toEqual([]);
    expect(kinds(viewer, [migration({}), migration({ id: 3, state: 'backfilled', expandBegan: true, deployedAt: deployed, gate: openGate(true) })])).toEqual(
      [],
    );
  });
});
