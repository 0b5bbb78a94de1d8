import { describe, expect, it } from 'vitest';
import { EVERYONE, PEOPLE, context, expected } from '../../tests/helpers/lifecycle-table';
import { LIFECYCLE_ACTIONS, mayAct, type LifecycleAction } from './may-act';
import { MIGRATION_STATES, type MigrationState } from './migration-states';

/**
 * Every state × every action × every kind of person, against the table of the rules as written
 * down in tests/helpers/lifecycle-table.ts (the database's policies are checked against the same
 * table in tests/lifecycle-policies.test.ts). A change to a rule changes one cell of it, on purpose.
 */
const allowed = (action: LifecycleAction, state: MigrationState, deployed: boolean) =>
  EVERYONE.filter((who) => mayAct(PEOPLE[who], action, context(state, deployed)).ok).sort();

describe('the lifecycle table: who may do what, in which state', () => {
  const cells = LIFECYCLE_ACTIONS.flatMap((action) => MIGRATION_STATES.flatMap((state) => [false, true].map((deployed) => [action, state, deployed] as const)));
  it('covers every action, state and deploy mark', () => expect(cells).toHaveLength(18 * 8 * 2));
  it.each(cells)('%s when %s (deployed: %s)', (action, state, deployed) => {
    expect(allowed(action, state, deployed)).toEqual(expected(action, state, deployed));
  });
});

describe('why not', () => {
  it('refuses to cancel a plan whose expand began, and anything past planned, with what to do instead', () => {
    expect(mayAct(PEOPLE.author, 'migration.cancel', { ...context('planned', false), expandBegan: true })).toEqual({
      ok: false,
      reason: 'an expand of migration 7 began and may have left objects on the target: run the expand to the end, then roll it back',
    });
    expect(mayAct(PEOPLE.admin, 'migration.cancel', context('expanded', false))).toEqual({
      ok: false,
      reason: 'migration 7 is expanded: only a planned migration is cancelled',
    });
    expect(mayAct(PEOPLE.otherAuthor, 'migration.cancel', context('planned', false))).toEqual({
      ok: false,
      reason: "only the migration's author or an admin cancels it",
    });
  });

  it('says who may, before what the state allows', () => {
    expect(mayAct(PEOPLE.viewer, 'phase.expand', context('contracted', false))).toEqual({ ok: false, reason: "only the migration's author runs expand" });
    expect(mayAct(PEOPLE.author, 'phase.expand', context('contracted', false))).toEqual({
      ok: false,
      reason: 'migration 7 is contracted: expand runs only when it is planned or rolled_back',
    });
    expect(mayAct(PEOPLE.author, 'services.set', context('expanded', false))).toEqual({
      ok: false,
      reason: 'migration 7 is expanded: its services are fixed once its expand has begun',
    });
  });
  it('refuses approvals the state makes meaningless, naming the state', () => {
    expect(mayAct(PEOPLE.reviewer, 'plan.approve', context('contracted', false))).toEqual({
      ok: false,
      reason: 'migration 7 is contracted: a plan is approved only before its expand (planned, or rolled back)',
    });
    expect(mayAct(PEOPLE.onCall, 'contract.approve', context('rolled_back', false))).toEqual({
      ok: false,
      reason: 'migration 7 is rolled_back: a contract is approved only when one could follow (backfilled, contracting, restored)',
    });
  });
});
