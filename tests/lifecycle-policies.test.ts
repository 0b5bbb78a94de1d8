import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../lib/auth/manage-users';
import { createMigrationAs } from '../lib/data/create-migration';
import { ForbiddenError, withActor } from '../lib/data/with-actor';
import { LIFECYCLE_ACTIONS, type LifecycleAction } from '../lib/lifecycle/may-act';
import { MIGRATION_STATES, type MigrationState } from '../lib/lifecycle/migration-states';
import { rollbackConfirmation, type Actor } from '../lib/lifecycle/permissions';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';
import { DEPLOYED_AT, EVERYONE, PEOPLE, context, expected, type Who } from './helpers/lifecycle-table';

/**
 * The database's policies and triggers, the second line, against the same lifecycle table the
 * server's rules are checked against (lib/lifecycle/may-act.test.ts): each action's own write,
 * straight as each person (skipping the server's check), in every state, before and after the
 * deploy mark. The exceptions are listed below, with why.
 */
let w: ExecutorWorld;
const users = {} as Record<Who, Actor>;
let id: number;
/** A second migration of the same author, with a brownout running: what brownout.stop stops. */
let browning: number;
/** The table's migration: its plan approvals, and when its deploy was marked. */
const facts = context('planned', false);

beforeAll(async () => {
  w = await executorWorld('lifecycle_policies');
  for (const who of EVERYONE) {
    const email = `${PEOPLE[who].id}@team.example`;
    const { id: userId } = await upsertUser(w.pool, { email, roles: PEOPLE[who].roles, password: 'correct horse battery' });
    users[who] = { id: userId, email, name: who, roles: PEOPLE[who].roles };
  }
  // onCall holds this week's shift, offCall next week's.
  await w.pool.query(
    "UPDATE expand_contract.settings SET value = jsonb_build_object('startsAt', now() - interval '1 day', 'shiftDays', 7) WHERE key = 'oncall'",
  );
  await w.pool.query('INSERT INTO expand_contract.oncall_rotation (position, user_id) VALUES (0, $1), (1, $2)', [users.onCall.id, users.offCall.id]);

  await w.target.query('CREATE TABLE policy_cells (id bigint PRIMARY KEY, user_email text NOT NULL)');
  id = await createMigrationAs(w.pool, w.target, w.targetDb.url, users.author, {
    kind: 'rename-column',
    schema: 'public',
    table: 'policy_cells',
    column: 'user_email',
    newName: 'contact_email',
  });
  // The plan approved as in the table (1 of 1), by reviewers who are none of the people asked, so
  // that the reviewer's own plan approval is still theirs to give.
  await w.pool.query("UPDATE expand_contract.settings SET value = to_jsonb($1::int) WHERE key = 'plan_approvals_required'", [facts.planApprovalsRequired]);
  for (let i = 0; i < facts.planApprovals; i++) {
    const { id: approver } = await upsertUser(w.pool, { email: `approver${i}@team.example`, roles: ['reviewer'], password: null });
    await w.pool.query("INSERT INTO expand_contract.approvals (migration_id, kind, approver_id) VALUES ($1, 'plan', $2)", [id, approver]);
  }
  // A backfill under way (the executor's own login writes it), for backfill.pause.
  await w.pool.query("INSERT INTO expand_contract.backfills (migration_id, status, batch_size) VALUES ($1, 'running', 100)", [id]);
  await w.target.query('CREATE TABLE policy_browning (id bigint PRIMARY KEY, user_email text NOT NULL)');
  browning = await createMigrationAs(w.pool, w.target, w.targetDb.url, users.author, {
    kind: 'rename-column',
    schema: 'public',
    table: 'policy_browning',
    column: 'user_email',
    newName: 'contact_email',
  });
  await w.pool.query(
    "INSERT INTO expand_contract.brownouts (migration_id, requested_by_name, seconds, status, started_at, ends_at) VALUES ($1, 'cli:test', 60, 'running', now(), now() + interval '1 minute')",
    [browning],
  );
});
afterAll(() => w?.close());

/** One action's write as the server makes it for the person: an INSERT, or an UPDATE and the columns it changes. */
interface Write {
  sql: string;
  values: (actor: Actor, deployed: boolean) => unknown[];
  /** For an UPDATE: the row and columns it changes (RLS hides a row instead of refusing, so "nothing changed" is a refusal). */
  changes?: { table: string; key: string; columns: string };
}
const phase = (name: string): Write => ({
  sql: 'INSERT INTO expand_contract.phase_requests (migration_id, phase, requested_by, confirmation) VALUES ($1, $2, $3, $4)',
  // A rollback after the deploy is typed out by the person, as the server asks them to.
  values: (a, deployed) => [id, name, a.id, name === 'rollback' && deployed ? rollbackConfirmation(DEPLOYED_AT) : null],
});
const migrationUpdate = (columns: string) => ({ table: 'expand_contract.migrations', key: 'id', columns });
const WRITES: Record<LifecycleAction, Write> = {
  'plan.approve': {
    sql: "INSERT INTO expand_contract.approvals (migration_id, kind, approver_id, note) VALUES ($1, 'plan', $2, '')",
    values: (a) => [id, a.id],
  },
  'plan.comment': { sql: "INSERT INTO expand_contract.comments (migration_id, author_id, body) VALUES ($1, $2, 'looks fine')", values: (a) => [id, a.id] },
  'contract.approve': {
    sql: "INSERT INTO expand_contract.approvals (migration_id, kind, approver_id, evidence, evidence_fingerprint) VALUES ($1, 'contract', $2, '{}', 'evidence')",
    values: (a) => [id, a.id],
  },
  'deploy.mark': {
    sql: 'UPDATE expand_contract.migrations SET deployed_at = now(), deployed_by = $2, updated_at = now() WHERE id = $1 RETURNING deployed_at, deployed_by',
    values: (a) => [id, a.email],
    changes: migrationUpdate('deployed_at, deployed_by'),
  },
  'deploy.unmark': {
    sql: 'UPDATE expand_contract.migrations SET deployed_at = NULL, deployed_by = NULL, updated_at = now() WHERE id = $1 RETURNING deployed_at, deployed_by',
    values: () => [id],
    changes: migrationUpdate('deployed_at, deployed_by'),
  },
  // As lib/data/set-migration-services.ts writes it.
  'services.set': {
    sql: "UPDATE expand_contract.migrations SET services = '{web}', updated_at = now() WHERE id = $1 RETURNING services",
    values: () => [id],
    changes: migrationUpdate('services'),
  },
  'backfill.pause': {
    sql: "UPDATE expand_contract.backfills SET requested = 'pause', updated_at = now() WHERE migration_id = $1 RETURNING requested",
    values: () => [id],
    changes: { table: 'expand_contract.backfills', key: 'migration_id', columns: 'requested' },
  },
  // As lib/data/cancel-migration.ts asks it; rolled back with the cell's transaction.
  'migration.cancel': { sql: "SELECT expand_contract.cancel_migration($1, 'a mistake')", values: () => [id] },
  // As lib/data/update-schedule.ts writes it.
  'schedule.update': {
    sql: "UPDATE expand_contract.migrations SET schedule = jsonb_build_object('at', clock_timestamp()), updated_at = now() WHERE id = $1 RETURNING schedule",
    values: () => [id],
    changes: migrationUpdate('schedule'),
  },
  // As lib/data/request-brownout.ts records it.
  'brownout.start': {
    sql: 'INSERT INTO expand_contract.brownouts (migration_id, requested_by, requested_by_name, seconds) VALUES ($1, $2, $3, 300)',
    values: (a) => [id, a.id, a.email],
  },
  // As lib/data/request-brownout.ts asks it: the other migration's running brownout.
  'brownout.stop': {
    sql: "UPDATE expand_contract.brownouts SET stop_requested = true WHERE migration_id = $1 AND status IN ('queued', 'running') RETURNING stop_requested",
    values: () => [browning],
    changes: { table: 'expand_contract.brownouts', key: 'migration_id', columns: 'stop_requested' },
  },
  'brownout.require': { sql: 'SELECT expand_contract.set_require_brownout($1, true)', values: () => [id] },
  'phase.expand': phase('expand'),
  'phase.backfill': phase('backfill'),
  'phase.verify': phase('verify'),
  'phase.contract': phase('contract'),
  'phase.rollback': phase('rollback'),
  'phase.restore': phase('restore'),
};

/** Thrown to roll back the person's transaction once the database has answered: no cell changes the next. */
class Answered {
  constructor(readonly rows: unknown[]) {}
}

/** Did the database let the person's write through? Judged in a transaction that is rolled back either way. */
async function letThrough(write: Write, actor: Actor, deployed: boolean): Promise<boolean> {
  const before =
    write.changes &&
    (await w.pool.query(`SELECT ${write.changes.columns} FROM ${write.changes.table} WHERE ${write.changes.key} = $1`, [write.values(actor, deployed)[0]]))
      .rows[0];
  const rows = await withActor(w.pool, actor, async (c) => {
    throw new Answered((await c.query(write.sql, write.values(actor, deployed))).rows);
  }).catch((e: unknown) => {
    if (e instanceof Answered) return e.rows;
    if (e instanceof ForbiddenError) return null;
    throw e;
  });
  if (!rows) return false;
  return write.changes ? rows.length > 0 && JSON.stringify(rows[0]) !== JSON.stringify(before) : true;
}

/** The migration in the state (the state login writes these, as the executor and a CD pipeline do). */
const putIn = (state: MigrationState, deployed: boolean) =>
  w.pool.query('UPDATE expand_contract.migrations SET status = $2, deployed_at = $3, deployed_by = $4 WHERE id = $1', [
    id,
    state,
    deployed ? DEPLOYED_AT : null,
    deployed ? 'ci' : null,
  ]);

describe('the lifecycle table, checked again by the database', () => {
  const lines = LIFECYCLE_ACTIONS.flatMap((action) => [false, true].map((deployed) => [action, deployed] as const));
  it('asks every action, before and after the deploy mark, in every state, and lets someone through in each line', () => {
    expect(lines).toHaveLength(18 * 2);
    const cells = lines.flatMap(([action, deployed]) => MIGRATION_STATES.map((state) => expected(action, state, deployed)));
    expect(cells).toHaveLength(18 * 2 * MIGRATION_STATES.length);
    // Only a second mark, taking back a mark never made, and a brownout before the deploy let nobody in any state.
    const nobody = lines.filter(([action, deployed]) => MIGRATION_STATES.every((state) => expected(action, state, deployed).length === 0));
    expect(nobody).toEqual([
      ['deploy.mark', true],
      ['deploy.unmark', false],
      ['brownout.start', false],
    ]);
  });

  // Every action's write is judged on the state too, phase requests included (20261201080000_phase_requests_by_state.sql).
  it.each(lines)('%s (deployed: %s): the database lets through exactly whom the table does, in every state', async (action, deployed) => {
    const actual: Partial<Record<MigrationState, Who[]>> = {};
    const wanted: Partial<Record<MigrationState, Who[]>> = {};
    for (const state of MIGRATION_STATES) {
      await putIn(state, deployed);
      const through: Who[] = [];
      for (const who of EVERYONE) if (await letThrough(WRITES[action], users[who], deployed)) through.push(who);
      actual[state] = through.sort();
      wanted[state] = expected(action, state, deployed);
    }
    expect(actual).toEqual(wanted);
  });
});

describe('an approval or a phase the state makes meaningless, refused by the database with the reason', () => {
  it.each([
    ['plan.approve', 'contracted', 'reviewer', 'is contracted: a plan is approved only before its expand (planned, or rolled back)'],
    ['plan.approve', 'expanded', 'reviewer', 'is expanded: a plan is approved only before its expand (planned, or rolled back)'],
    ['contract.approve', 'rolled_back', 'onCall', 'is rolled_back: a contract is approved only when one could follow (backfilled, contracting, restored)'],
    ['contract.approve', 'contracted', 'onCall', 'is contracted: a contract is approved only when one could follow (backfilled, contracting, restored)'],
    ['phase.expand', 'expanded', 'author', 'is expanded: expand runs only when it is planned or rolled_back'],
    ['phase.contract', 'planned', 'onCall', 'is planned: contract runs only when it is backfilled or contracting or restored'],
    ['phase.backfill', 'cancelled', 'author', 'is cancelled: backfill runs only when it is expanded or backfilled or restored'],
  ] as const)('%s when %s, as %s', async (action, state, who, reason) => {
    await putIn(state, false);
    const write = WRITES[action];
    const error = await withActor(w.pool, users[who], (c) => c.query(write.sql, write.values(users[who], false))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).reason).toBe(`refused by the database: migration ${id} ${reason}`);
  });
});
