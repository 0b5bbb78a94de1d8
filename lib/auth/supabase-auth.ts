import { createServerClient, type CookieOptions } from '@supabase/ssr';
import { isAuthApiError, type User } from '@supabase/supabase-js';
import type { Pool } from 'pg';
import WebSocket from 'ws';
import type { SupabaseAuthConfig } from '../config/env';
import type { Actor, Role } from './roles';
import { normalizeEmail, SignInError, signInAttempt } from './sign-in-attempt';

/**
 * Sign-in through Supabase Auth (GoTrue) with @supabase/ssr: a client per request over that
 * request's cookies, all on the server. The dashboard has no browser client, so the session
 * cookies are httpOnly and the project URL and key are read at run time, never bundled.
 * Either way a person signs in, the rest of the app sees the same Actor.
 */

/** Cookies of one request: read them all, write the ones Supabase changes (sign-in, refresh, sign-out). */
export interface CookieJar {
  getAll(): { name: string; value: string }[];
  setAll(cookies: { name: string; value: string; options: CookieOptions }[]): void;
}

/** Supabase Auth could not be asked (down, unreachable, 5xx): not the person's fault, not counted as a failure. */
export class AuthServiceError extends Error {
  constructor(detail: string) {
    super(`Supabase Auth did not answer (${detail}): try again in a moment`);
    this.name = 'AuthServiceError';
  }
}

export function supabaseAuthClient(config: SupabaseAuthConfig, jar: CookieJar, secure: boolean) {
  return createServerClient(config.url, config.anonKey, {
    cookies: jar,
    // Only the server reads these cookies: keep them from scripts and other sites' requests.
    cookieOptions: { httpOnly: true, sameSite: 'lax', secure, path: '/' },
    // supabase-js builds a realtime client even when unused; Node 20 has no WebSocket of its own.
    realtime: { transport: WebSocket as never },
  });
}
type AuthClient = ReturnType<typeof supabaseAuthClient>;

const ACTOR_COLUMNS = 'id, email, name, roles';
const toActor = (r: { id: string; email: string; name: string; roles: Role[] }): Actor => ({ id: r.id, email: r.email, name: r.name, roles: r.roles });

/** The account linked to this Supabase user, if any and not disabled. */
async function linkedActor(state: Pool, user: User): Promise<Actor | null> {
  const { rows } = await state.query(`SELECT ${ACTOR_COLUMNS} FROM expand_contract.users WHERE auth_subject = $1 AND disabled_at IS NULL`, [user.id]);
  return rows[0] ? toActor(rows[0]) : null;
}

/**
 * At sign-in: the linked account, or the first link of an account an admin created for this
 * email. Only a confirmed email links (otherwise anyone could sign up to the project with a
 * colleague's address), and only an account not linked yet.
 */
async function linkOnSignIn(state: Pool, user: User): Promise<Actor | null> {
  const linked = await linkedActor(state, user);
  if (linked || !user.email || !user.email_confirmed_at) return linked;
  const { rows } = await state.query(
    `UPDATE expand_contract.users SET auth_subject = $1 WHERE email = $2 AND auth_subject IS NULL AND disabled_at IS NULL RETURNING ${ACTOR_COLUMNS}`,
    [user.id, normalizeEmail(user.email)],
  );
  if (!rows[0]) return null;
  await state.query("INSERT INTO expand_contract.audit_log (actor_id, actor, action, detail) VALUES ($1, $2, 'user.linked', $3)", [
    rows[0].id,
    rows[0].email,
    JSON.stringify({ via: 'supabase', subject: user.id }),
  ]);
  return toActor(rows[0]);
}

/**
 * Email and password through Supabase Auth, counted like local sign-ins. Supabase writes the
 * session cookies through the jar; a person Supabase knows but this dashboard does not is
 * signed straight out again and refused with what to do.
 */
export async function signInWithSupabase(state: Pool, auth: AuthClient, emailInput: string, password: string): Promise<Actor> {
  const email = normalizeEmail(emailInput);
  const actor = await signInAttempt(state, email, async () => {
    const { data, error } = await auth.auth.signInWithPassword({ email, password });
    if (error) {
      if (!isAuthApiError(error) || error.status >= 500) throw new AuthServiceError(error.message);
      return null; // wrong password, unknown or unconfirmed email: one answer for all
    }
    const person = await linkOnSignIn(state, data.user);
    if (!person) {
      await auth.auth.signOut({ scope: 'local' });
      throw new SignInError('no-access');
    }
    return person;
  });
  await state.query("INSERT INTO expand_contract.audit_log (actor_id, actor, action, detail) VALUES ($1, $2, 'session.sign-in', $3)", [
    actor.id,
    actor.email,
    JSON.stringify({ via: 'supabase' }),
  ]);
  return actor;
}

/**
 * The person behind this request's Supabase session, or null. getUser asks Supabase Auth
 * itself (a signed-out or deleted user is refused at once, not when the token expires) and
 * first refreshes an access token that is about to expire, writing the new cookies.
 */
export async function actorFromSupabase(state: Pool, auth: AuthClient): Promise<Actor | null> {
  const { data, error } = await auth.auth.getUser();
  if (error || !data.user) return null;
  return linkedActor(state, data.user);
}

/** Ends this session at Supabase (its refresh token stops working) and clears the cookies. */
export async function signOutOfSupabase(state: Pool, auth: AuthClient): Promise<void> {
  const actor = await actorFromSupabase(state, auth);
  await auth.auth.signOut({ scope: 'local' });
  if (actor) {
    await state.query("INSERT INTO expand_contract.audit_log (actor_id, actor, action, detail) VALUES ($1, $2, 'session.sign-out', $3)", [
      actor.id,
      actor.email,
      JSON.stringify({ via: 'supabase' }),
    ]);
  }
}
