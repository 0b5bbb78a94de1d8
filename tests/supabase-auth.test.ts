import type { CookieOptions } from '@supabase/ssr';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../lib/auth/manage-users';
import { MAX_FAILURES, SignInError } from '../lib/auth/sign-in-attempt';
import { actorFromSupabase, AuthServiceError, type CookieJar, signInWithSupabase, signOutOfSupabase, supabaseAuthClient } from '../lib/auth/supabase-auth';
import { runCli } from './helpers/cli-process';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';
import { type GoTrueStandIn, startGoTrueStandIn } from './helpers/gotrue-standin';

// The real @supabase/ssr and auth-js against a GoTrue stand-in (tests/helpers/gotrue-standin.ts).

/** A browser's cookie store for one site: what Set-Cookie says, including deletion by Max-Age=0. */
class Browser {
  cookies = new Map<string, { value: string; options: CookieOptions }>();
  jar(): CookieJar {
    return {
      getAll: () => [...this.cookies].map(([name, c]) => ({ name, value: c.value })),
      setAll: (list) => {
        for (const { name, value, options } of list) {
          if (options.maxAge === 0 || value === '') this.cookies.delete(name);
          else this.cookies.set(name, { value, options });
        }
      },
    };
  }
  copy(): Browser {
    const other = new Browser();
    other.cookies = new Map(this.cookies);
    return other;
  }
  authCookieText = () => [...this.cookies.values()].map((c) => c.value).join('');
}

let w: ExecutorWorld;
let gotrue: GoTrueStandIn;
const PASSWORD = 'correct horse battery';
const client = (browser: Browser) => supabaseAuthClient({ url: gotrue.url, anonKey: gotrue.anonKey }, browser.jar(), false);
const config = () => ({ url: gotrue.url, anonKey: gotrue.anonKey });
const signInAs = async (browser: Browser, email: string, password = PASSWORD) => signInWithSupabase(w.pool, config(), await client(browser), email, password);
const whoIs = async (browser: Browser) => actorFromSupabase(w.pool, await client(browser));

beforeAll(async () => {
  w = await executorWorld('supabase_auth');
  gotrue = await startGoTrueStandIn();
  // Accounts an admin created for Supabase sign-in: email and roles, no local password.
  await upsertUser(w.pool, { email: 'ada@team.example', name: 'Ada', roles: ['author'], password: null });
  await upsertUser(w.pool, { email: 'bob@team.example', roles: ['reviewer'], password: null });
  await upsertUser(w.pool, { email: 'cy@team.example', roles: ['viewer'], password: null });
  gotrue.addUser('ada@team.example', PASSWORD);
  gotrue.addUser('bob@team.example', PASSWORD);
  gotrue.addUser('cy@team.example', PASSWORD);
  gotrue.addUser('mallory@elsewhere.example', PASSWORD);
  gotrue.addUser('dee@team.example', PASSWORD, false);
});
afterAll(async () => {
  await gotrue?.close();
  await w?.close();
});

describe('sign-in through Supabase Auth (@supabase/ssr)', () => {
  it('links the account an admin created to the Supabase user at the first sign-in, into httpOnly cookies', async () => {
    const browser = new Browser();
    const actor = await signInAs(browser, ' Ada@Team.example ');
    expect(actor).toMatchObject({ email: 'ada@team.example', name: 'Ada', roles: ['author'] });
    const cookies = [...browser.cookies];
    expect(cookies.length).toBeGreaterThan(0);
    for (const [name, c] of cookies) {
      expect(name).toMatch(/^sb-.*-auth-token/);
      expect(c.options).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/' });
    }
    // A later request, with a client of its own over the same cookies, is the same person.
    expect(await whoIs(browser)).toEqual(actor);
    const { rows } = await w.pool.query("SELECT auth_subject IS NOT NULL AS linked, password_hash FROM expand_contract.users WHERE email = 'ada@team.example'");
    expect(rows[0]).toEqual({ linked: true, password_hash: null });
    const audit = await w.pool.query("SELECT action, detail->>'via' AS via FROM expand_contract.audit_log WHERE actor = 'ada@team.example' ORDER BY id");
    expect(audit.rows).toEqual([
      { action: 'user.linked', via: 'supabase' },
      { action: 'session.sign-in', via: 'supabase' },
    ]);
  });

  it('refuses a wrong password, and locks the email after repeated failures without asking Supabase again', async () => {
    await expect(signInAs(new Browser(), 'bob@team.example', 'not the password')).rejects.toBeInstanceOf(SignInError);
    for (let i = 1; i < MAX_FAILURES; i += 1)
      await expect(signInAs(new Browser(), 'bob@team.example', `guess ${i}`)).rejects.toThrow('wrong email or password');
    const asked = gotrue.calls.get('POST /token?grant_type=password');
    await expect(signInAs(new Browser(), 'bob@team.example')).rejects.toThrow('too many failed sign-ins');
    expect(gotrue.calls.get('POST /token?grant_type=password')).toBe(asked);
  });

  it('signs a Supabase user who has no account here straight out again, and says what to do', async () => {
    const browser = new Browser();
    const loggedOut = gotrue.calls.get('POST /logout') ?? 0;
    await expect(signInAs(browser, 'mallory@elsewhere.example')).rejects.toThrow('no access to Expand/Contract yet');
    expect(browser.cookies.size).toBe(0);
    expect(gotrue.calls.get('POST /logout')).toBe(loggedOut + 1);
    const { rows } = await w.pool.query("SELECT count(*)::int AS n FROM expand_contract.users WHERE email = 'mallory@elsewhere.example'");
    expect(rows[0].n).toBe(0);
  });

  it('does not link an unconfirmed email, nor a second Supabase user to an account already linked', async () => {
    await upsertUser(w.pool, { email: 'dee@team.example', roles: ['admin'], password: null });
    await expect(signInAs(new Browser(), 'dee@team.example')).rejects.toThrow('wrong email or password');
    // A project that lets unconfirmed users sign in: Supabase says who they are, but the email is unproven.
    gotrue.switches.allowUnverifiedSignIns = true;
    try {
      const browser = new Browser();
      await expect(signInAs(browser, 'dee@team.example')).rejects.toThrow('no access');
      expect(browser.cookies.size).toBe(0);
    } finally {
      gotrue.switches.allowUnverifiedSignIns = false;
    }
    expect((await w.pool.query("SELECT auth_subject FROM expand_contract.users WHERE email = 'dee@team.example'")).rows[0].auth_subject).toBeNull();
    // Ada's account is linked to her first Supabase user; a new user with her address (deleted and
    // signed up again) is not her account until an admin resets it.
    gotrue.addUser('ada@team.example', 'a brand new password');
    await expect(signInAs(new Browser(), 'ada@team.example', 'a brand new password')).rejects.toThrow('no access');
    await upsertUser(w.pool, { email: 'ada@team.example', roles: ['author'], password: null });
    await expect(signInAs(new Browser(), 'ada@team.example', 'a brand new password')).resolves.toMatchObject({ email: 'ada@team.example' });
  });

  it('refreshes an access token about to expire on the next request, and the old refresh token is spent', async () => {
    gotrue.shortenNextToken(2); // inside auth-js's 90 s margin: due for refresh at once
    const browser = new Browser();
    const actor = await signInAs(browser, 'cy@team.example');
    const before = browser.copy();
    const refreshes = gotrue.calls.get('POST /token?grant_type=refresh_token') ?? 0;
    expect(await whoIs(browser)).toEqual(actor);
    expect(gotrue.calls.get('POST /token?grant_type=refresh_token')).toBe(refreshes + 1);
    expect(browser.authCookieText()).not.toBe(before.authCookieText());
    // The refreshed session needs no further refresh.
    expect(await whoIs(browser)).toEqual(actor);
    expect(gotrue.calls.get('POST /token?grant_type=refresh_token')).toBe(refreshes + 1);
    // Cookies copied before the refresh hold a spent refresh token. While their access token
    // lives, auth-js keeps it (the refresh may have lost a race); once it has expired: signed out.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await whoIs(before)).toBeNull();
    expect(before.cookies.size).toBe(0);
  });

  it('signs out at Supabase: the cookies go, and a copy of them no longer works', async () => {
    const browser = new Browser();
    const actor = await signInAs(browser, 'cy@team.example');
    const stolen = browser.copy();
    await signOutOfSupabase(w.pool, await client(browser));
    expect(browser.cookies.size).toBe(0);
    expect(await whoIs(stolen)).toBeNull();
    const { rows } = await w.pool.query("SELECT detail->>'via' AS via FROM expand_contract.audit_log WHERE actor_id = $1 AND action = 'session.sign-out'", [
      actor.id,
    ]);
    expect(rows).toEqual([{ via: 'supabase' }]);
  });

  it('ends the access of a disabled account at once, whatever Supabase says', async () => {
    const browser = new Browser();
    await signInAs(browser, 'cy@team.example');
    expect(await whoIs(browser)).not.toBeNull();
    await w.pool.query("UPDATE expand_contract.users SET disabled_at = now() WHERE email = 'cy@team.example'");
    expect(await whoIs(browser)).toBeNull();
    await expect(signInAs(new Browser(), 'cy@team.example')).rejects.toThrow('no access');
  });

  it('says Supabase Auth is unreachable instead of counting a wrong password', async () => {
    const down = await startGoTrueStandIn();
    const url = down.url;
    await down.close();
    const unreachable = await supabaseAuthClient({ url, anonKey: gotrue.anonKey }, new Browser().jar(), false);
    await expect(signInWithSupabase(w.pool, { url, anonKey: gotrue.anonKey }, unreachable, 'ada@team.example', PASSWORD)).rejects.toBeInstanceOf(
      AuthServiceError,
    );
    const { rows } = await w.pool.query("SELECT count(*)::int AS n FROM expand_contract.login_attempts WHERE email = 'ada@team.example' AND NOT ok");
    expect(rows[0].n).toBe(0);
  });

  it('`user create` with Supabase configured makes an account without a password, which the first sign-in links', async () => {
    const env = {
      DATABASE_URL: w.stateDb.url,
      TARGET_DATABASE_URL: w.targetDb.url,
      NEXT_PUBLIC_SUPABASE_URL: gotrue.url,
      NEXT_PUBLIC_SUPABASE_ANON_KEY: gotrue.anonKey,
    };
    const cli = async (args: string[]) => {
      const p = runCli(args, env);
      return { code: await p.exited, out: p.output() };
    };
    const made = await cli(['user', 'create', 'eve@team.example', '--role', 'oncall,reviewer']);
    expect(made).toMatchObject({ code: 0, out: expect.stringContaining('signs in through Supabase Auth') });
    expect(made.out).not.toContain('password (shown once)');
    expect(await cli(['user', 'create', 'eve@team.example', '--role', 'oncall', '--password', 'a long password here'])).toMatchObject({
      code: 2,
      out: expect.stringContaining('leave out --password'),
    });
    const { rows } = await w.pool.query("SELECT password_hash, auth_subject FROM expand_contract.users WHERE email = 'eve@team.example'");
    expect(rows[0]).toEqual({ password_hash: null, auth_subject: null });
    const eve = gotrue.addUser('eve@team.example', PASSWORD);
    await expect(signInAs(new Browser(), 'eve@team.example')).resolves.toMatchObject({ roles: ['oncall', 'reviewer'] });
    const linked = await w.pool.query("SELECT auth_subject FROM expand_contract.users WHERE email = 'eve@team.example'");
    expect(linked.rows[0].auth_subject).toBe(eve.id);
  });

  it('links nothing on a project that confirms emails automatically (a "confirmed" email proves nothing there)', async () => {
    await upsertUser(w.pool, { email: 'fay@team.example', roles: ['admin'], password: null });
    gotrue.addUser('fay@team.example', PASSWORD);
    gotrue.switches.autoconfirm = true;
    try {
      const browser = new Browser();
      await expect(signInAs(browser, 'fay@team.example')).rejects.toThrow('confirms emails automatically');
      expect(browser.cookies.size).toBe(0);
      expect((await w.pool.query("SELECT auth_subject FROM expand_contract.users WHERE email = 'fay@team.example'")).rows[0].auth_subject).toBeNull();
      // Accounts linked before keep working.
      await expect(signInAs(new Browser(), 'eve@team.example')).resolves.toMatchObject({ email: 'eve@team.example' });
    } finally {
      gotrue.switches.autoconfirm = false;
    }
    await expect(signInAs(new Browser(), 'fay@team.example')).resolves.toMatchObject({ roles: ['admin'] });
  });

  it('says Supabase is limiting attempts (429) instead of counting a wrong password', async () => {
    gotrue.switches.rateLimited = true;
    try {
      await expect(signInAs(new Browser(), 'fay@team.example')).rejects.toThrow('Supabase Auth did not answer (429');
    } finally {
      gotrue.switches.rateLimited = false;
    }
    const { rows } = await w.pool.query("SELECT count(*)::int AS n FROM expand_contract.login_attempts WHERE email = 'fay@team.example' AND NOT ok");
    expect(rows[0].n).toBe(0);
  });

  it('ends a Supabase session 12 hours after the password was entered, however often it was refreshed', async () => {
    await upsertUser(w.pool, { email: 'gus@team.example', roles: ['viewer'], password: null });
    gotrue.addUser('gus@team.example', PASSWORD);
    gotrue.shortenNextToken(2);
    const browser = new Browser();
    await signInAs(browser, 'gus@team.example');
    gotrue.ageSessions(11 * 3600);
    gotrue.shortenNextToken(2);
    expect(await whoIs(browser)).toMatchObject({ email: 'gus@team.example' }); // refreshed: 11 hours in
    gotrue.ageSessions(2 * 3600);
    expect(await whoIs(browser)).toBeNull(); // refreshed again: 13 hours in
    expect(browser.cookies.size).toBe(0);
  });

  it('tells when signing out could not end the session at Supabase', async () => {
    const browser = new Browser();
    const actor = await signInAs(browser, 'gus@team.example');
    const copy = browser.copy();
    gotrue.switches.logoutFails = true;
    try {
      expect(await signOutOfSupabase(w.pool, await client(browser))).toEqual({ revoked: false });
    } finally {
      gotrue.switches.logoutFails = false;
    }
    expect(browser.cookies.size).toBe(0);
    // That is the risk the person is told about: a copy of the cookies still works.
    expect(await whoIs(copy)).toEqual(actor);
    const { rows } = await w.pool.query(
      "SELECT detail->>'revoked' AS revoked FROM expand_contract.audit_log WHERE actor_id = $1 AND action = 'session.sign-out'",
      [actor.id],
    );
    expect(rows).toEqual([{ revoked: 'false' }]);
  });

  it('a burst of sign-ins for one email on a small pool completes: the check reads through the locked connection', async () => {
    await upsertUser(w.pool, { email: 'hal@team.example', roles: ['viewer'], password: null });
    gotrue.addUser('hal@team.example', PASSWORD);
    const small = new pg.Pool({ connectionString: w.stateDb.url, max: 2 });
    try {
      const burst = Promise.all(
        Array.from({ length: 6 }, async () => signInWithSupabase(small, config(), await client(new Browser()), 'hal@team.example', PASSWORD)),
      );
      const stuck = new Promise((_, reject) => setTimeout(() => reject(new Error('sign-ins waited on each other for a connection')), 15_000).unref());
      const actors = (await Promise.race([burst, stuck])) as { email: string }[];
      expect(actors.map((a) => a.email)).toEqual(Array(6).fill('hal@team.example'));
    } finally {
      await small.end();
    }
  });
});
