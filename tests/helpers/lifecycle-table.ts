import type { LifecycleAction, MigrationContext } from '../../lib/lifecycle/may-act';
import type { MigrationState } from '../../lib/lifecycle/migration-states';
import type { Actor, Role } from '../../lib/lifecycle/permissions';

/**
 * The lifecycle rules written down by hand: every kind of person, and who of them may take each
 * action in each state, before and after the deploy is marked. A change to a rule changes one
 * cell of this table, on purpose. lib/lifecycle/may-act.test.ts checks the server's rules
 * against it; tests/lifecycle-policies.test.ts checks the database's policies against it.
 */
const person = (id: string, roles: Role[]): Actor => ({ id, email: `${id}@x`, name: id, roles });
export const PEOPLE = {
  author: person('author', ['author']),
  otherAuthor: person('other-author', ['author']),
  reviewer: person('reviewer', ['reviewer']),
  onCall: person('on-call', ['oncall']),
  offCall: person('off-call', ['oncall']),
  viewer: person('viewer', ['viewer']),
  admin: person('admin', ['admin']),
};
export type Who = keyof typeof PEOPLE;
export const EVERYONE = Object.keys(PEOPLE) as Who[];

/** The migration every cell is about: written by 'author', 'onCall' holds the shift, its plan approved 1 of 1. */
export const DEPLOYED_AT = new Date('2026-12-01T14:00:00Z');
export const context = (state: MigrationState, deployed: boolean): MigrationContext => ({
  id: 7,
  state,
  expandBegan: state !== 'planned',
  deployedAt: deployed ? DEPLOYED_AT : null,
  authorId: PEOPLE.author.id,
  onCallId: PEOPLE.onCall.id,
  planApprovals: 1,
  planApprovalsRequired: 1,
});

/** Who may, per state; a state not listed allows nobody. '*' is every state. */
export type Cells = Partial<Record<MigrationState | '*', Who[]>>;

const ANYONE_BUT_VIEWER: Who[] = ['author', 'otherAuthor', 'reviewer', 'onCall', 'offCall', 'admin'];
export const RULES: Record<LifecycleAction, Cells> = {
  'plan.approve': { planned: ['reviewer'], rolled_back: ['reviewer'] },
  'plan.comment': { '*': ANYONE_BUT_VIEWER },
  'contract.approve': { backfilled: ['onCall'], contracting: ['onCall'], restored: ['onCall'] },
  'deploy.mark': { expanded: ['author', 'onCall', 'offCall'], backfilled: ['author', 'onCall', 'offCall'] },
  'deploy.unmark': {},
  'services.set': { planned: ['author', 'admin'] },
  'backfill.pause': { '*': ['author', 'onCall'] },
  // Only a plan nothing ran of (the table's 'planned' has no expand begun).
  'migration.cancel': { planned: ['author', 'admin'] },
  'schedule.update': { '*': ['author', 'admin'] },
  // A brownout rehearses the drop once new code runs: nobody before the deploy mark (see AFTER_DEPLOY).
  'brownout.start': {},
  // Stopping one that runs: a running brownout exists only where one could start.
  'brownout.stop': { '*': ['author', 'onCall'] },
  'brownout.require': { planned: ['author', 'admin'], expanded: ['author', 'admin'], backfilled: ['author', 'admin'], rolled_back: ['author', 'admin'] },
  'phase.expand': { planned: ['author'], rolled_back: ['author'] },
  'phase.backfill': { expanded: ['author'], backfilled: ['author'], restored: ['author'] },
  'phase.verify': { expanded: ['author'], backfilled: ['author'], restored: ['author'] },
  'phase.contract': { backfilled: ['onCall'], contracting: ['onCall'], restored: ['onCall'] },
  'phase.rollback': { expanded: ['author'], backfilled: ['author'], restored: ['author'] },
  'phase.restore': { contracted: ['onCall'], contracting: ['onCall'] },
};
/** Once the deploy is marked: it may be taken back (not marked again), and only the person on call rolls back. */
export const AFTER_DEPLOY: Partial<Record<LifecycleAction, Cells>> = {
  'deploy.mark': {},
  'deploy.unmark': { expanded: ['author', 'onCall', 'offCall'], backfilled: ['author', 'onCall', 'offCall'] },
  'phase.rollback': { expanded: ['onCall'], backfilled: ['onCall'], restored: ['onCall'] },
  'brownout.start': { expanded: ['author', 'onCall'], backfilled: ['author', 'onCall'] },
};

/** The table's answer for one cell: who may take the action in the state, sorted. */
export const expected = (action: LifecycleAction, state: MigrationState, deployed: boolean): Who[] => {
  const rules = (deployed && AFTER_DEPLOY[action]) || RULES[action];
  return [...(rules['*'] ?? rules[state] ?? [])].sort();
};
