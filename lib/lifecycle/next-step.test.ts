import { describe, expect, it } from 'vitest';
import type { MigrationState } from './migration-states';
import { lastRunOf, nextStep, type NextStepFacts } from './next-step';

const now = new Date('2026-12-01T15:00:00Z');
const met = (name: string) => ({ name, met: true, detail: `${name} ok` });
const unmet = (name: string, detail = `${name} not met`) => ({ name, met: false, detail });
const GATE_OPEN = ['backfill', 'parity', 'buffer', 'legacy-reads', 'error-rate', 'approval'].map(met);
/** The gate with one condition unmet, the others as given. */
const gateWith = (name: string, detail?: string) => GATE_OPEN.map((c) => (c.name === name ? unmet(name, detail) : c));

const base: NextStepFacts = {
  state: 'planned',
  now,
  author: 'author@demo.local',
  onCall: 'oncall@demo.local',
  planApprovals: 0,
  planApprovalsRequired: 1,
  deployedAt: null,
  backfillRunning: false,
  jobPending: false,
  gate: GATE_OPEN,
  bufferEndsAt: null,
  ended: null,
};
const at = (state: MigrationState, more: Partial<NextStepFacts> = {}): NextStepFacts => ({ ...base, state, ...more });
const deployed = { deployedAt: new Date('2026-12-01T14:30:00Z') };

/** Each row: the migration, then the line and the action that stands out. */
const TABLE: [string, NextStepFacts, string, string | null][] = [
  ['planned, no approval', at('planned'), 'waiting for plan approval by a reviewer (1 of 1 needed)', 'plan.approve'],
  [
    'planned, 1 of 2 given',
    at('planned', { planApprovals: 1, planApprovalsRequired: 2 }),
    'waiting for plan approval by a reviewer (1 of 2 needed)',
    'plan.approve',
  ],
  ['planned, approved', at('planned', { planApprovals: 1 }), 'waiting for expand by the author (author@demo.local)', 'phase.expand'],
  ['planned from the command line', at('planned', { author: null }), 'waiting for expand, from the command line', 'phase.expand'],
  ['expanded', at('expanded'), 'waiting for the backfill by the author (author@demo.local)', 'phase.backfill'],
  ['expanded, backfill running', at('expanded', { backfillRunning: true }), 'the backfill is running', null],
  ['expanded, backfill queued', at('expanded', { jobPending: true }), 'a phase waits in the job queue: the worker runs it next', null],
  ['restored, backfilling again', at('restored', { backfillRunning: true, gate: gateWith('backfill') }), 'the backfill is running', null],
  [
    'backfilled, never verified',
    at('backfilled', { gate: gateWith('parity', 'no parity check yet: run verify') }),
    'waiting for verify by the author (author@demo.local): no parity check yet: run verify',
    'phase.verify',
  ],
  [
    'backfilled, not deployed',
    at('backfilled', { gate: gateWith('buffer') }),
    'waiting for the deploy mark (the author or an on-call engineer)',
    'deploy.mark',
  ],
  [
    'backfilled, in the buffer',
    at('backfilled', { ...deployed, gate: gateWith('buffer'), bufferEndsAt: new Date(now.getTime() + 99_000) }),
    'the gate opens in 1 minute 39 seconds at the earliest (buffer after the deploy)',
    null,
  ],
  [
    'backfilled, legacy reads seen',
    at('backfilled', { ...deployed, gate: gateWith('legacy-reads', 'user_email is still used: 3 read(s)') }),
    'the gate is closed: user_email is still used: 3 read(s)',
    null,
  ],
  [
    'backfilled, evidence good, no approval',
    at('backfilled', { ...deployed, gate: gateWith('approval') }),
    'waiting for on-call approval (oncall@demo.local)',
    'contract.approve',
  ],
  [
    'backfilled, nobody on call',
    at('backfilled', { ...deployed, onCall: null, gate: gateWith('approval') }),
    'waiting for on-call approval (nobody is on call now)',
    'contract.approve',
  ],
  [
    'backfilled, gate open',
    at('backfilled', deployed),
    'the gate is open: waiting for the contract by the person on call (oncall@demo.local)',
    'phase.contract',
  ],
  ['restored, gate open', at('restored', deployed), 'the gate is open: waiting for the contract by the person on call (oncall@demo.local)', 'phase.contract'],
  [
    'contracting',
    at('contracting'),
    'the contract began and did not finish: waiting for the person on call (oncall@demo.local) to finish it, or to restore',
    'phase.contract',
  ],
  [
    'contracted',
    at('contracted', { ended: { phase: 'contract', at: new Date('2026-11-27T10:01:00Z'), by: 'oncall@demo.local' } }),
    'finished: contracted 2026-11-27 10:01 UTC by oncall@demo.local',
    null,
  ],
  [
    'rolled back',
    at('rolled_back', { ended: { phase: 'rollback', at: new Date('2026-11-24T15:01:00Z'), by: 'author@demo.local' } }),
    'finished: rolled back 2026-11-24 15:01 UTC by author@demo.local',
    null,
  ],
  [
    'cancelled',
    at('cancelled', { ended: { phase: 'cancel', at: new Date('2026-12-01T09:30:00Z'), by: 'admin@demo.local' } }),
    'finished: cancelled 2026-12-01 09:30 UTC by admin@demo.local',
    null,
  ],
];

describe('what a migration waits for, and on whom', () => {
  it.each(TABLE)('%s', (_name, facts, text, action) => {
    expect(nextStep(facts)).toEqual({ text, action });
  });
});

describe('who ran the phase that ended it', () => {
  const runs = [
    { phase: 'contract', status: 'failed', actor: 'executor', startedAt: new Date('2026-11-27T09:00:00Z'), finishedAt: null },
    { phase: 'contract', status: 'succeeded', actor: 'executor', startedAt: new Date('2026-11-27T10:00:00Z'), finishedAt: new Date('2026-11-27T10:01:00Z') },
  ];
  it('takes the last successful run, and the person from the audit', () => {
    const audit = [{ action: 'phase.succeeded', actor: 'oncall@demo.local', detail: { phase: 'contract' } }];
    expect(lastRunOf('contract', runs, audit)).toEqual({ phase: 'contract', at: new Date('2026-11-27T10:01:00Z'), by: 'oncall@demo.local' });
  });
  it("falls back to the run's actor, and answers null when the phase never succeeded", () => {
    expect(lastRunOf('contract', runs, [])?.by).toBe('executor');
    expect(lastRunOf('rollback', runs, [])).toBeNull();
  });
});
