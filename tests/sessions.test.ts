import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../lib/auth/manage-users';
import { onCallAt } from '../lib/auth/on-call';
import { actorFromCookie, signIn, signOut } from '../lib/auth/sessions';
import { MAX_FAILURES, SignInError } from '../lib/auth/sign-in-attempt';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
const PASSWORD = 'correct horse battery';
beforeAll(async () => {
  w = await executorWorld('sessions');
  await upsertUser(w.pool, { email: 'Ada@Team.Example', roles: ['author'], password: PASSWORD });
});
afterAll(() => w.close());

describe('local sign-in and sessions', () => {
  it('signs in with the right password only, into a session the cookie leads back to', async () => {
    await expect(signIn(w.pool, 'ada@team.example', 'wrong password!')).rejects.toBeInstanceOf(SignInError);
    await expect(signIn(w.pool, 'nobody@team.example', PASSWORD)).rejects.toThrow('wrong email or password');
    const { cookie, actor, expiresAt } = await signIn(w.pool, ' ADA@team.example ', PASSWORD);
    expect(actor).toMatchObject({ email: 'ada@team.example', roles: ['author'] });
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(11 * 3_600_000);
    expect(await actorFromCookie(w.pool, cookie)).toEqual(actor);
    // Only a hash of the token is stored.
    const stored = await w.pool.query("SELECT encode(token_hash, 'hex') AS h FROM expand_contract.sessions");
    expect(stored.rows.map((r) => r.h).join()).not.toContain(Buffer.from(cookie.split('.')[0]!, 'base64url').toString('hex'));
    const audit = await w.pool.query("SELECT actor, action FROM expand_contract.audit_log WHERE action = 'session.sign-in'");
    expect(audit.rows).toEqual([{ actor: 'ada@team.example', action: 'session.sign-in' }]);
  });

  it('refuses forged, planted, expired and signed-out cookies', async () => {
    const { cookie } = await signIn(w.pool, 'ada@team.example', PASSWORD);
    const [token, signature] = cookie.split('.');
    expect(await actorFromCookie(w.pool, `${token}.${signature!.slice(0, -2)}xx`)).toBeNull(); // forged signature
    expect(await actorFromCookie(w.pool, `${'A'.repeat(43)}.${signature}`)).toBeNull(); // another token, stolen signature
    expect(await actorFromCookie(w.pool, token)).toBeNull();
    // Session fixation: a cookie planted before sign-in is never the one sign-in hands out.
    const planted = cookie;
    const next = await signIn(w.pool, 'ada@team.example', PASSWORD);
    expect(next.cookie).not.toBe(planted);
    // Expiry is checked by the server, whatever the browser does with the cookie.
    await w.pool.query("UPDATE expand_contract.sessions SET expires_at = now() - interval '1 second'");
    expect(await actorFromCookie(w.pool, next.cookie)).toBeNull();
    const again = await signIn(w.pool, 'ada@team.example', PASSWORD);
    expect(await actorFromCookie(w.pool, again.cookie)).not.toBeNull();
    await signOut(w.pool, again.cookie);
    expect(await actorFromCookie(w.pool, again.cookie)).toBeNull();
  });

  it('ends every session when the password is reset, and refuses disabled accounts', async () => {
    const { cookie } = await signIn(w.pool, 'ada@team.example', PASSWORD);
    await upsertUser(w.pool, { email: 'ada@team.example', roles: ['author', 'reviewer'], password: 'a new long password' });
    expect(await actorFromCookie(w.pool, cookie)).toBeNull();
    const fresh = await signIn(w.pool, 'ada@team.example', 'a new long password');
    expect(fresh.actor.roles).toEqual(['author', 'reviewer']);
    await w.pool.query("UPDATE expand_contract.users SET disabled_at = now() WHERE email = 'ada@team.example'");
    expect(await actorFromCookie(w.pool, fresh.cookie)).toBeNull();
    await expect(signIn(w.pool, 'ada@team.example', 'a new long password')).rejects.toThrow('wrong email or password');
  });

  it(`locks an email after ${MAX_FAILURES} failures, even for the right password`, async () => {
    await upsertUser(w.pool, { email: 'bob@team.example', roles: ['viewer'], password: PASSWORD });
    for (let i = 0; i < MAX_FAILURES; i += 1) await expect(signIn(w.pool, 'bob@team.example', `guess ${i} guess`)).rejects.toThrow('wrong email or password');
    await expect(signIn(w.pool, 'bob@team.example', PASSWORD)).rejects.toThrow('too many failed sign-ins');
    // Other accounts are not affected.
    await upsertUser(w.pool, { email: 'cy@team.example', roles: ['viewer'], password: PASSWORD });
    await expect(signIn(w.pool, 'cy@team.example', PASSWORD)).resolves.toMatchObject({ actor: { email: 'cy@team.example' } });
  });
});

describe('who is on call: the pure rule and the database function agree', () => {
  it.each([
    ['first shift', '2026-11-23T10:00:00Z', 'a'],
    ['one second before the handover', '2026-11-30T08:59:59Z', 'a'],
    ['the handover itself', '2026-11-30T09:00:00Z', 'b'],
    ['third week', '2026-12-07T12:00:00Z', 'c'],
    ['wraps around', '2026-12-14T12:00:00Z', 'a'],
    ['before the rotation began', '2026-11-20T12:00:00Z', 'c'],
    ['inside an override', '2026-11-25T12:00:00Z', 'c'],
    ['inside two overrides: the later one wins', '2026-11-26T12:00:00Z', 'b'],
    ['at an override end (exclusive)', '2026-11-27T00:00:00Z', 'a'],
  ])('%s → %s', async (_name, at, expected) => {
    const ids: Record<string, string> = {};
    for (const key of ['a', 'b', 'c']) ids[key] = (await upsertUser(w.pool, { email: `${key}-rot@team.example`, roles: ['oncall'], password: PASSWORD })).id;
    await w.pool.query('DELETE FROM expand_contract.oncall_rotation; DELETE FROM expand_contract.oncall_overrides');
    await w.pool.query(`UPDATE expand_contract.settings SET value = '{"startsAt": "2026-11-23T09:00:00Z", "shiftDays": 7}' WHERE key = 'oncall'`);
    await w.pool.query('INSERT INTO expand_contract.oncall_rotation (position, user_id) VALUES (0, $1), (1, $2), (2, $3)', [ids.a, ids.b, ids.c]);
    const overrides = [
      { userId: ids.c!, startsAt: new Date('2026-11-25T00:00:00Z'), endsAt: new Date('2026-11-27T00:00:00Z'), createdAt: new Date('2026-11-20T00:00:00Z') },
      { userId: ids.b!, startsAt: new Date('2026-11-26T00:00:00Z'), endsAt: new Date('2026-11-26T23:00:00Z'), createdAt: new Date('2026-11-21T00:00:00Z') },
    ];
    for (const o of overrides) {
      await w.pool.query('INSERT INTO expand_contract.oncall_overrides (user_id, starts_at, ends_at, created_at) VALUES ($1, $2, $3, $4)', [
        o.userId,
        o.startsAt,
        o.endsAt,
        o.createdAt,
      ]);
    }
    const pure = onCallAt({ startsAt: new Date('2026-11-23T09:00:00Z'), shiftDays: 7, rotation: [ids.a!, ids.b!, ids.c!], overrides }, new Date(at));
    const sql = (await w.pool.query('SELECT expand_contract.on_call_at($1) AS id', [at])).rows[0].id;
    expect(pure).toBe(ids[expected]);
    expect(sql).toBe(ids[expected]);
  });
});
