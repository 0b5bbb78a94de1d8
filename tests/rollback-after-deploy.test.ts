import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../lib/auth/manage-users';
import { rollbackConfirmation, type Actor, type Role } from '../lib/lifecycle/permissions';
import { approvePlan } from '../lib/data/approve-plan';
import { createMigrationAs } from '../lib/data/create-migration';
import { markDeployedAs } from '../lib/data/mark-deployed-as';
import { requestPhase, type PhaseRequestDeps } from '../lib/data/request-phase';
import { ForbiddenError, withActor } from '../lib/data/with-actor';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';
import { phaseRunner } from './helpers/phase-runner';

/**
 * After the deploy is marked, code running in production reads the new column, and a rollback
 * drops it. The author alone must not be able to do that: only the person on call, typing the
 * deploy's name, checked by the server and again by the database.
 */
let w: ExecutorWorld;
const people: Record<string, Actor> = {};
let deps: PhaseRequestDeps;
let id: number;

async function person(key: string, roles: Role[]): Promise<Actor> {
  const email = `${key}@team.example`;
  const { id: userId } = await upsertUser(w.pool, { email, roles, password: 'correct horse battery' });
  return (people[key] = { id: userId, email, name: key, roles });
}

const columns = async () =>
  (await w.target.query<{ c: string }>("SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'rb' ORDER BY 1")).rows.map((r) => r.c);
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'allowed',
    (e: unknown) => (e instanceof ForbiddenError ? e.message : `error: ${(e as Error).message}`),
  );
/** Straight into the database as the person, skipping the server's check. */
const directRequest = (key: string, confirmation: string | null) =>
  refusal(
    withActor(w.pool, people[key]!, (c) =>
      c.query("INSERT INTO expand_contract.phase_requests (migration_id, phase, requested_by, confirmation) VALUES ($1, 'rollback', $2, $3)", [
        id,
        people[key]!.id,
        confirmation,
      ]),
    ),
  );

beforeAll(async () => {
  w = await executorWorld('rollback_deploy');
  await w.target.query("CREATE TABLE rb (id bigint PRIMARY KEY, user_email text NOT NULL); INSERT INTO rb SELECT g, 'e' || g FROM generate_series(1, 200) g");
  await person('author', ['author', 'oncall']);
  await person('reviewer', ['reviewer']);
  await person('oncall', ['oncall']);
  await person('oncall2', ['oncall']);
  await w.pool.query(
    "UPDATE expand_contract.settings SET value = jsonb_build_object('startsAt', now() - interval '1 day', 'shiftDays', 7) WHERE key = 'oncall'",
  );
  await w.pool.query('INSERT INTO expand_contract.oncall_rotation (position, user_id) VALUES (0, $1), (1, $2)', [people.oncall!.id, people.oncall2!.id]);
  deps = {
    pool: w.pool,
    runPhase: phaseRunner(w.pool, w.target, { sampleEverySeconds: 5, observationMinutes: 0, bufferMinutes: 0 }),
    enqueueBackfill: async (m) => `job-${m}`,
  };
  id = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, {
    kind: 'rename-column',
    schema: 'public',
    table: 'rb',
    column: 'user_email',
    newName: 'contact_email',
  });
  await approvePlan(w.pool, people.reviewer!, id);
  await requestPhase(deps, people.author!, id, 'expand');
});
afterAll(() => w.close());

describe('rolling back after the deploy is marked', () => {
  it('before the deploy the author may roll back (and expand again)', async () => {
    await requestPhase(deps, people.author!, id, 'rollback');
    expect(await columns()).toEqual(['id', 'user_email']);
    await requestPhase(deps, people.author!, id, 'expand');
    expect(await columns()).toEqual(['contact_email', 'id', 'user_email']);
  });

  it('after the deploy the author alone is refused, by the server and by the database, and the column stays', async () => {
    const at = await markDeployedAs(w.pool, people.author!, id);
    const expected = rollbackConfirmation(at);
    expect(expected).toMatch(/^deploy \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // The author is an on-call engineer too, but not the one on call now.
    expect(await refusal(requestPhase(deps, people.author!, id, 'rollback', { confirmation: expected }))).toContain(
      'only the person on call right now may roll back',
    );
    expect(await directRequest('author', expected)).toContain('refused by the database');
    // The engineer on call next week: refused the same way.
    expect(await refusal(requestPhase(deps, people.oncall2!, id, 'rollback', { confirmation: expected }))).toContain('only the person on call right now');
    expect(await directRequest('oncall2', expected)).toContain('refused by the database');
    expect(await columns()).toEqual(['contact_email', 'id', 'user_email']);
  });

  it('the person on call must type the deploy: missing or wrong, refused by the server and by the database', async () => {
    const { rows } = await w.pool.query<{ deployed_at: Date }>('SELECT deployed_at FROM expand_contract.migrations WHERE id = $1', [id]);
    const expected = rollbackConfirmation(rows[0]!.deployed_at);
    expect(await refusal(requestPhase(deps, people.oncall!, id, 'rollback'))).toBe(
      `deployed code reads the new column the rollback drops: type ${expected} to confirm`,
    );
    expect(await refusal(requestPhase(deps, people.oncall!, id, 'rollback', { confirmation: 'deploy 1999-01-01 00:00' }))).toContain(`type ${expected}`);
    expect(await directRequest('oncall', null)).toContain('refused by the database');
    expect(await directRequest('oncall', 'deploy 1999-01-01 00:00')).toContain('refused by the database');
    expect(await columns()).toEqual(['contact_email', 'id', 'user_email']);
    // The database computes the same text the server shows.
    const db = await w.pool.query<{ t: string }>(
      'SELECT expand_contract.rollback_confirmation(deployed_at) AS t FROM expand_contract.migrations WHERE id = $1',
      [id],
    );
    expect(db.rows[0]!.t).toBe(expected);
  });

  it('the person on call, typing the deploy, rolls back; the request records what was typed', async () => {
    const { rows } = await w.pool.query<{ deployed_at: Date }>('SELECT deployed_at FROM expand_contract.migrations WHERE id = $1', [id]);
    const expected = rollbackConfirmation(rows[0]!.deployed_at);
    const result = await requestPhase(deps, people.oncall!, id, 'rollback', { confirmation: `  ${expected} ` });
    expect(result).toMatchObject({ queued: false, outcome: { status: 'succeeded' } });
    expect(await columns()).toEqual(['id', 'user_email']);
    const recorded = await w.pool.query(
      "SELECT u.email, r.confirmation FROM expand_contract.phase_requests r JOIN expand_contract.users u ON u.id = r.requested_by WHERE r.migration_id = $1 AND r.phase = 'rollback' ORDER BY r.id DESC LIMIT 1",
      [id],
    );
    expect(recorded.rows).toEqual([{ email: people.oncall!.email, confirmation: expected }]);
  });
});
