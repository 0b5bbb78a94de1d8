import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerson, PeopleRuleError, setPersonDisabled, upsertUser, type PeopleWriter } from '../lib/auth/manage-users';
import { actorFromCookie, signIn } from '../lib/auth/sessions';
import type { Actor, Role } from '../lib/lifecycle/permissions';
import { addOnCallOverrideAs } from '../lib/data/add-on-call-override-as';
import { createUserAs } from '../lib/data/create-user-as';
import { removeOnCallOverrideAs } from '../lib/data/remove-on-call-override-as';
import { setOnCallRotationAs } from '../lib/data/set-on-call-rotation-as';
import { setUserDisabledAs } from '../lib/data/set-user-disabled-as';
import { setUserRolesAs } from '../lib/data/set-user-roles-as';
import { ForbiddenError, withActor } from '../lib/data/with-actor';
import { withTransaction } from '../lib/db/transaction';
import { runCli } from './helpers/cli-process';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
const PASSWORD = 'correct horse battery';
const people: Record<string, Actor> = {};

async function person(key: string, roles: Role[]): Promise<Actor> {
  const email = `${key}@team.example`;
  const { id } = await upsertUser(w.pool, { email, roles, password: PASSWORD });
  return (people[key] = { id, email, name: key, roles });
}

/** What the database answers a statement written as the person, with no server check before it. */
async function asPerson(who: string, sql: string, values: unknown[] = []): Promise<string> {
  try {
    const { rowCount } = await withActor(w.pool, people[who]!, (c) => c.query(sql, values));
    return `changed ${rowCount}`;
  } catch (error) {
    return error instanceof ForbiddenError ? error.message : `error: ${(error as Error).message}`;
  }
}

const row = async (email: string) =>
  (await w.pool.query('SELECT roles, disabled_at FROM expand_contract.users WHERE email = $1', [email])).rows[0] as { roles: Role[]; disabled_at: Date | null };

beforeAll(async () => {
  w = await executorWorld('people_admin');
  await person('ama', ['admin']);
  await person('abe', ['admin']);
  await person('ada', ['author']);
  await person('vik', ['viewer']);
  await person('ona', ['oncall']);
});
afterAll(() => w.close());

describe('the database refuses what the server would, even when the server is bypassed', () => {
  it('refuses a non-admin creating, promoting or changing people, or setting the rotation', async () => {
    // The server's own check answers first…
    await expect(createUserAs(w.pool, people.ada!, { email: 'x@team.example', name: '', roles: ['viewer'] }, { supabaseAuth: false })).rejects.toThrow(
      'only admins',
    );
    // …and written as the person straight through withActor, the database refuses each.
    const writer = (c: PeopleWriter['client']): PeopleWriter => ({ client: c, by: people.ada!, record: async () => {} });
    await expect(withActor(w.pool, people.ada!, (c) => createPerson(writer(c), { email: 'x@team.example', roles: ['admin'], password: null }))).rejects.toThrow(
      /refused by the database: new row violates row-level security policy/,
    );
    expect(await asPerson('ada', "UPDATE expand_contract.users SET roles = '{author,admin}' WHERE id = $1", [people.ada!.id])).toBe(
      'refused by the database: only admins manage people',
    );
    // Someone else's row is out of sight: nothing changes.
    expect(await asPerson('ada', 'UPDATE expand_contract.users SET disabled_at = now() WHERE id = $1', [people.vik!.id])).toBe('changed 0');
    expect((await row('vik@team.example')).disabled_at).toBeNull();
    expect(await asPerson('vik', 'SELECT expand_contract.set_oncall_shifts(now(), 7)')).toBe('refused by the database: only admins set the on-call rotation');
    expect(
      await asPerson('ada', "INSERT INTO expand_contract.oncall_overrides (user_id, starts_at, ends_at) VALUES ($1, now(), now() + interval '1 day')", [
        people.ada!.id,
      ]),
    ).toMatch(/^refused by the database: new row violates row-level security policy/);
    expect((await w.pool.query('SELECT count(*)::int AS n FROM expand_contract.users WHERE email = $1', ['x@team.example'])).rows[0].n).toBe(0);
  });

  it('refuses an admin disabling themself or dropping their own admin role, while another admin remains', async () => {
    expect(await asPerson('ama', 'UPDATE expand_contract.users SET disabled_at = now() WHERE id = $1', [people.ama!.id])).toBe(
      'refused by the database: an admin cannot disable their own account',
    );
    expect(await asPerson('ama', "UPDATE expand_contract.users SET roles = '{author}' WHERE id = $1", [people.ama!.id])).toBe(
      'refused by the database: an admin cannot remove their own admin role',
    );
    expect(await row('ama@team.example')).toEqual({ roles: ['admin'], disabled_at: null });
    // The same through the server's path: refused with the same words before the database is asked.
    await expect(setUserDisabledAs(w.pool, people.ama!, 'ama@team.example', true)).rejects.toThrow('an admin cannot disable their own account');
  });

  it("disables another admin, ending their sessions, then keeps the last active admin: the database's own answer, and the CLI's", async () => {
    const { cookie } = await signIn(w.pool, 'abe@team.example', PASSWORD);
    expect(await actorFromCookie(w.pool, cookie)).not.toBeNull();
    await setUserDisabledAs(w.pool, people.ama!, 'abe@team.example', true);
    expect((await w.pool.query('SELECT count(*)::int AS n FROM expand_contract.sessions WHERE user_id = $1', [people.abe!.id])).rows[0].n).toBe(0);
    expect(await actorFromCookie(w.pool, cookie)).toBeNull();

    // Ama is now the only active admin: the database refuses her losing it, by either road.
    expect(await asPerson('ama', 'UPDATE expand_contract.users SET disabled_at = now() WHERE id = $1', [people.ama!.id])).toBe(
      'refused by the database: ama@team.example is the last active admin: make someone else an admin first',
    );
    expect(await asPerson('ama', "UPDATE expand_contract.users SET roles = '{viewer}' WHERE id = $1", [people.ama!.id])).toMatch(/is the last active admin/);
    // The operator at the console (no person) is held to it by the shared rules.
    const cli = withTransaction(w.pool, (client) => setPersonDisabled({ client, by: null, record: async () => {} }, 'ama@team.example', true));
    await expect(cli).rejects.toBeInstanceOf(PeopleRuleError);
    expect(await row('ama@team.example')).toEqual({ roles: ['admin'], disabled_at: null });

    // Enabled again, Abe is an admin once more, and then Ama may be demoted by him.
    await setUserDisabledAs(w.pool, people.ama!, 'abe@team.example', false);
    await setUserRolesAs(w.pool, people.abe!, 'ama@team.example', ['admin', 'oncall']);
    expect((await row('ama@team.example')).roles).toEqual(['admin', 'oncall']);
  });

  it('refuses an override that does not end after it starts, even written directly', async () => {
    expect(
      await asPerson('ama', 'INSERT INTO expand_contract.oncall_overrides (user_id, starts_at, ends_at) VALUES ($1, now(), now())', [people.ona!.id]),
    ).toMatch(/violates check constraint/);
    await expect(
      addOnCallOverrideAs(w.pool, people.ama!, { email: 'ona@team.example', from: new Date(), to: new Date(Date.now() - 1), reason: '' }),
    ).rejects.toThrow('"to" must be later than "from"');
  });
});

describe('an admin manages people and the rotation, each change audited as them', () => {
  it('creates, changes, disables; sets the rotation and an override; the audit log says so', async () => {
    const name = `Zoë "Quotes" O’Brien 🚀 ${'long '.repeat(14)}`.trim();
    const created = await createUserAs(w.pool, people.ama!, { email: ' New@Team.Example ', name, roles: ['viewer'] }, { supabaseAuth: false });
    expect(created.email).toBe('new@team.example');
    expect(created.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect((await signIn(w.pool, 'new@team.example', created.password!)).actor.name).toBe(name);
    await expect(createUserAs(w.pool, people.ama!, { email: 'new@team.example', name: '', roles: ['viewer'] }, { supabaseAuth: false })).rejects.toThrow(
      'already has an account',
    );
    const viaSupabase = await createUserAs(w.pool, people.ama!, { email: 'sb@team.example', name: '', roles: ['viewer'] }, { supabaseAuth: true });
    expect(viaSupabase.password).toBeNull();

    await setUserRolesAs(w.pool, people.ama!, 'new@team.example', ['author', 'oncall']);
    expect((await row('new@team.example')).roles).toEqual(['author', 'oncall']);

    const startsAt = new Date(Date.now() - 3_600_000);
    await setOnCallRotationAs(w.pool, people.ama!, { emails: ['ona@team.example', 'new@team.example'], startsAt, shiftDays: 7 });
    const onCall = async () =>
      (await w.pool.query('SELECT u.email FROM expand_contract.users u WHERE u.id = expand_contract.on_call_at(now())')).rows[0]?.email;
    expect(await onCall()).toBe('ona@team.example');
    const overrideId = await addOnCallOverrideAs(w.pool, people.ama!, {
      email: 'new@team.example',
      from: new Date(Date.now() - 60_000),
      to: new Date(Date.now() + 3_600_000),
      reason: 'swap',
    });
    expect(await onCall()).toBe('new@team.example');
    await removeOnCallOverrideAs(w.pool, people.ama!, overrideId);
    expect(await onCall()).toBe('ona@team.example');

    // Someone in the rotation stays enabled: disabled, they would hold their shift unable to contract.
    await expect(setUserDisabledAs(w.pool, people.ama!, 'new@team.example', true)).rejects.toThrow(
      'new@team.example is in the on-call rotation: take them out first, then disable the account',
    );
    expect(await asPerson('ama', 'UPDATE expand_contract.users SET disabled_at = now() WHERE email = $1', ['new@team.example'])).toBe(
      'refused by the database: new@team.example is on call in the rotation or an override still to come: take them out first, then disable the account',
    );
    await setOnCallRotationAs(w.pool, people.ama!, { emails: ['ona@team.example'], startsAt, shiftDays: 7 });
    // A disabled person cannot go into the rotation.
    await setUserDisabledAs(w.pool, people.ama!, 'new@team.example', true);
    await expect(setOnCallRotationAs(w.pool, people.ama!, { emails: ['new@team.example'], startsAt, shiftDays: 7 })).rejects.toThrow('is disabled');

    const { rows } = await w.pool.query("SELECT actor, action, detail FROM expand_contract.audit_log WHERE actor = 'ama@team.example' ORDER BY id");
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'user.created',
        'user.roles-changed',
        'user.disabled',
        'user.enabled',
        'oncall.rotation-set',
        'oncall.override',
        'oncall.override-removed',
      ]),
    );
    expect(rows.find((r) => r.action === 'user.roles-changed')!.detail).toEqual({
      email: 'new@team.example',
      roles: ['author', 'oncall'],
      previous: ['viewer'],
    });
  });
});

describe('the command line holds to the same rules', () => {
  const cli = async (...args: string[]) => {
    const p = runCli(args, { DATABASE_URL: w.stateDb.url, TARGET_DATABASE_URL: w.targetDb.url });
    return { code: await p.exited, out: p.output() };
  };

  it('keeps the last active admin, sets the rotation as the operator, and refuses an override that ends before it starts', async () => {
    expect(await cli('user', 'disable', 'abe@team.example')).toMatchObject({ code: 0 });
    const demote = await cli('user', 'roles', 'ama@team.example', '--role', 'viewer');
    expect(demote.code).toBe(1);
    expect(demote.out).toContain('ama@team.example is the last active admin: make someone else an admin first');
    expect(await cli('user', 'enable', 'abe@team.example')).toMatchObject({ code: 0 });
    expect(await cli('oncall', 'set', 'ona@team.example', '--starts', '2026-11-30T09:00:00Z', '--shift-days', '3')).toMatchObject({ code: 0 });
    const { rows } = await w.pool.query("SELECT (value ->> 'shiftDays')::int AS days FROM expand_contract.settings WHERE key = 'oncall'");
    expect(rows[0].days).toBe(3);
    const backwards = await cli('oncall', 'override', 'ona@team.example', '--from', '2030-01-02T00:00:00Z', '--to', '2030-01-01T00:00:00Z');
    expect(backwards.code).toBe(2);
    expect(backwards.out).toContain('"to" must be later than "from"');
    const audit = await w.pool.query("SELECT action FROM expand_contract.audit_log WHERE actor = 'cli' ORDER BY id");
    expect(audit.rows.map((r) => r.action)).toEqual(['user.disabled', 'user.enabled', 'oncall.rotation-set']);
  }, 120_000);
});
