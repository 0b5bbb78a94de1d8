import { describe, expect, it } from 'vitest';
import { LIFECYCLE_ACTIONS, mayAct, type LifecycleAction, type MigrationContext } from './may-act';
import { MIGRATION_STATES, type MigrationState } from './migration-states';
import type { Actor, Role } from './permissions';

/**
 * Every state × every action × every kind of person, against the table of the rules as written
 * down below. A change to a rule changes one cell of this table, on purpose.
 */
const person = (id: string, roles: Role[]): Actor => ({ id, email: `${id}@x`, name: id, roles });
const PEOPLE = {
  author: person('author', ['author']),
  otherAuthor: person('other-author', ['author']),
  reviewer: person('reviewer', ['reviewer']),
  onCall: person('on-call', ['oncall']),
  offCall: person('off-call', ['oncall']),
  viewer: person('viewer', ['viewer']),
  admin: person('admin', ['admin']),
};
type Who = keyof typeof PEOPLE;

const context = (state: MigrationState, deployed: boolean): MigrationContext => ({
  id: 7,
  state,
  expandBegan: state !== 'planned',
  deployedAt: deployed ? new Date('2026-12-01T14:00:00Z') : null,
  authorId: 'author',
  onCallId: 'on-call',
  planApprovals: 1,
  planApprovalsRequired: 1,
});

// Who may, per action, in which states; a state not listed allows nobody. '*' is every state.
const ANYONE_BUT_VIEWER: Who[] = ['author', 'otherAuthor', 'reviewer', 'onCall', 'offCall', 'admin'];
const RULES: Record<LifecycleAction, Partial<Record<MigrationState | '*', Who[]>>> = {
  'plan.approve': { '*': ['reviewer'] },
  'plan.comment': { '*': ANYONE_BUT_VIEWER },
  'contract.approve': { '*': ['onCall'] },
  'deploy.mark': { expanded: ['author', 'onCall', 'offCall'], backfilled: ['author', 'onCall', 'offCall'] },
  'deploy.unmark': {},
  'services.set': { planned: ['author', 'admin'] },
  'backfill.pause': { '*': ['author', 'onCall'] },
  'phase.expand': { planned: ['author'], rolled_back: ['author'] },
  'phase.backfill': { expanded: ['author'], backfilled: ['author'], restored: ['author'] },
  'phase.verify': { expanded: ['author'], backfilled: ['author'], restored: ['author'] },
  'phase.contract': { backfilled: ['onCall'], contracting: ['onCall'], restored: ['onCall'] },
  'phase.rollback': { expanded: ['author'], backfilled: ['author'], restored: ['author'] },
  'phase.restore': { contracted: ['onCall'], contracting: ['onCall'] },
};
// Once the deploy is marked: it may be taken back (not marked again), and only the person on call rolls back.
const AFTER_DEPLOY: Partial<Record<LifecycleAction, Partial<Record<MigrationState | '*', Who[]>>>> = {
  'deploy.mark': {},
  'deploy.unmark': { expanded: ['author', 'onCall', 'offCall'], backfilled: ['author', 'onCall', 'offCall'] },
  'phase.rollback': { expanded: ['onCall'], backfilled: ['onCall'], restored: ['onCall'] },
};

const allowed = (action: LifecycleAction, state: MigrationState, deployed: boolean) =>
  (Object.keys(PEOPLE) as Who[]).filter((who) => mayAct(PEOPLE[who], action, context(state, deployed)).ok).sort();
const expected = (action: LifecycleAction, state: MigrationState, deployed: boolean) => {
  const rules = (deployed && AFTER_DEPLOY[action]) || RULES[action];
  return [...(rules['*'] ?? rules[state] ?? [])].sort();
};

describe('the lifecycle table: who may do what, in which state', () => {
  const cells = LIFECYCLE_ACTIONS.flatMap((action) => MIGRATION_STATES.flatMap((state) => [false, true].map((deployed) => [action, state, deployed] as const)));
  it('covers every action, state and deploy mark', () => expect(cells).toHaveLength(13 * 7 * 2));
  it.each(cells)('%s when %s (deployed: %s)', (action, state, deployed) => {
    expect(allowed(action, state, deployed)).toEqual(expected(action, state, deployed));
  });
});

describe('why not', () => {
  it('says who may, before what the state allows', () => {
    expect(mayAct(PEOPLE.viewer, 'phase.expand', context('contracted', false))).toEqual({ ok: false, reason: "only the migration's author runs expand" });
    expect(mayAct(PEOPLE.author, 'phase.expand', context('contracted', false))).toEqual({ ok: false, reason: 'migration 7 is contracted: expand runs only when it is planned or rolled_back' });
    expect(mayAct(PEOPLE.author, 'services.set', context('expanded', false))).toEqual({ ok: false, reason: 'migration 7 is expanded: its services are fixed once its expand has begun' });
  });
});
