import type { CookieOptions } from '@supabase/ssr';
import type { User } from '@supabase/supabase-js';
import type { Pool, PoolClient } from 'pg';
import type { SupabaseAuthConfig } from '../config/env';
import { toActor, type Actor } from '../lifecycle/permissions';
import { SESSION_HOURS } from './sessions';
import { normalizeEmail, SignInError, signInAttempt } from './sign-in-attempt';
import { AppError } from '../errors/app-error';

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
export class AuthServiceError extends AppError {
  readonly code = 'auth-service-unavailable';
  readonly kind = 'unavailable';
  constructor(detail: string) {
    super(`Supabase Auth did not answer (${detail}): try again in a moment`);
    this.name = 'AuthServiceError';
  }
}

/** A request to Supabase Auth that hangs must not hold a sign-in (and its database connection) for ever. */
export const AUTH_TIMEOUT_MS = 10_000;
const fetchWithTimeout: typeof fetch = (input, init) => {
  const timeout = AbortSignal.timeout(AUTH_TIMEOUT_MS);
  return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
};

/**
 * Loaded on first use only: supabase-js is large, and neither the local-accounts default nor
 * any command of the CLI needs it.
 */
export async function supabaseAuthClient(config: SupabaseAuthConfig, jar: CookieJar, secure: boolean) {
  const { createServerClient } = await import('@supabase/ssr');
  return createServerClient(config.url, config.anonKey, {
    cookies: jar,
    global: { fetch: fetchWithTimeout },
    // Only the server reads these cookies: keep them from scripts and other sites' requests.
    cookieOptions: { httpOnly: true, sameSite: 'lax', secure, path: '/' },
  });
}
type AuthClient = Awaited<ReturnType<typeof supabaseAuthClient>>;

/** An error answered by Supabase Auth itself, with its HTTP status (auth-js's AuthApiError), without importing auth-js. */
function isAuthApiError(error: unknown): error is { status: number; message: string } {
  return error instanceof Error && error.name === 'AuthApiError' && typeof (error as { status?: unknown }).status === 'number';
}

const ACTOR_COLUMNS = 'id, email, name, roles';

/** An audit entry of this sign-in path, in the person's own name. */
async function auditSession(db: Pool | PoolClient, person: { id: string; email: string }, action: string, detail: object = {}): Promise<void> {
  await db.query('INSERT INTO expand_contract.audit_log (actor_id, actor, action, detail) VALUES ($1, $2, $3, $4)', [
    person.id,
    person.email,
    action,
    JSON.stringify({ via: 'supabase', ...detail }),
  ]);
}

/** The account linked to this Supabase user, if any and not disabled. */
async function linkedActor(state: Pool | PoolClient, user: User): Promise<Actor | null> {
  const { rows } = await state.query(`SELECT ${ACTOR_COLUMNS} FROM expand_contract.users WHERE auth_subject = $1 AND disabled_at IS NULL`, [user.id]);
  return rows[0] ? toActor(rows[0]) : null;
}

/** Whether the project confirms every email at sign-up without sending a link (GET /auth/v1/settings). */
export async function confirmsEmailsAutomatically(config: SupabaseAuthConfig): Promise<boolean> {
  let response: Response;
  try {
    response = await fetchWithTimeout(`${config.url.replace(/\/$/, '')}/auth/v1/settings`, { headers: { apikey: config.anonKey } });
  } catch (error) {
    throw new AuthServiceError((error as Error).message);
  }
  if (!response.ok) throw new AuthServiceError(`settings: HTTP ${response.status}`);
  const settings = (await response.json()) as { mailer_autoconfirm?: unknown };
  return settings.mailer_autoconfirm !== false;
}

/**
 * At sign-in: the linked account, or the first link of an account an admin created for this
 * email. Only a confirmed email links (otherwise anyone could sign up to the project with a
 * colleague's address), only where the project really confirms emails (with automatic
 * confirmation, "confirmed" proves nothing), and only an account not linked yet.
 */
async function linkOnSignIn(db: PoolClient, config: SupabaseAuthConfig, user: User): Promise<Actor | null> {
  const linked = await linkedActor(db, user);
  if (linked || !user.email || !user.email_confirmed_at) return linked;
  const waiting = await db.query('SELECT 1 FROM expand_contract.users WHERE email = $1 AND auth_subject IS NULL AND disabled_at IS NULL', [
    normalizeEmail(user.email),
  ]);
  if (!waiting.rows[0]) return null;
  if (await confirmsEmailsAutomatically(config)) throw new SignInError('unconfirmed-project');
  const { rows } = await db.query(
    `UPDATE expand_contract.users SET auth_subject = $1 WHERE email = $2 AND auth_subject IS NULL AND disabled_at IS NULL RETURNING ${ACTOR_COLUMNS}`,
    [user.id, normalizeEmail(user.email)],
  );
  if (!rows[0]) return null;
  await auditSession(db, rows[0], 'user.linked', { subject: user.id });
  return toActor(rows[0]);
}

/**
 * Email and password through Supabase Auth, counted like local sign-ins. Supabase writes the
 * session cookies through the jar; a person Supabase knows but this dashboard does not is
 * signed straight out again and refused with what to do.
 */
export async function signInWithSupabase(state: Pool, config: SupabaseAuthConfig, auth: AuthClient, emailInput: string, password: string): Promise<Actor> {
  const email = normalizeEmail(emailInput);
  const actor = await signInAttempt(state, email, async (db) => {
    const { data, error } = await auth.auth.signInWithPassword({ email, password });
    if (error) {
      // Down, unreachable, or limiting attempts (429): not a wrong password, not counted as one.
      if (!isAuthApiError(error) || error.status >= 500 || error.status === 429) throw new AuthServiceError(`${error.status || 'no answer'}: ${error.message}`);
      return null; // wrong password, unknown or unconfirmed email: one answer for all
    }
    let person: Actor | null;
    try {
      person = await linkOnSignIn(db, config, data.user);
    } catch (refusal) {
      await auth.auth.signOut({ scope: 'local' });
      throw refusal;
    }
    if (!person) {
      await auth.auth.signOut({ scope: 'local' });
      throw new SignInError('no-access');
    }
    return person;
  });
  await auditSession(state, actor, 'session.sign-in');
  return actor;
}

/** When the person last entered their password: the earliest `amr` entry of the access token, in seconds. */
function authenticatedAt(accessToken: string): number | null {
  try {
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as { amr?: { timestamp?: number }[] };
    const times = (claims.amr ?? []).map((a) => a.timestamp).filter((t): t is number => typeof t === 'number');
    return times.length ? Math.min(...times) : null;
  } catch {
    return null;
  }
}

/**
 * The person behind this request's Supabase session, or null. getSession reads the cookies and
 * first refreshes an access token that is about to expire (writing the new cookies); getUser
 * then asks Supabase Auth about exactly that token, so a session signed out or a user deleted
 * there is refused at once, not when the token expires. Like a local session, a Supabase one
 * ends SESSION_HOURS after the password was entered, however often it was refreshed
 * (Supabase's refresh tokens do not expire on their own).
 */
export async function actorFromSupabase(state: Pool, auth: AuthClient): Promise<Actor | null> {
  const user = await signedInUser(auth);
  return user ? linkedActor(state, user) : null;
}

/** The Supabase user of this request's session, checked as actorFromSupabase says; null clears the cookies. */
export async function signedInUser(auth: AuthClient): Promise<User | null> {
  const { data: current } = await auth.auth.getSession();
  const token = current.session?.access_token;
  if (!token) return null;
  const { data, error } = await auth.auth.getUser(token);
  if (error || !data.user) {
    // Signed out or deleted at Supabase: clear what this browser still holds.
    if (isAuthApiError(error) && error.status < 500) await auth.auth.signOut({ scope: 'local' });
    return null;
  }
  const since = authenticatedAt(token);
  if (since !== null && Date.now() / 1000 - since > SESSION_HOURS * 3600) {
    await auth.auth.signOut({ scope: 'local' });
    return null;
  }
  return data.user;
}

/** Ends this session at Supabase (its refresh token stops working) and clears the cookies. */
export async function signOutOfSupabase(state: Pool, auth: AuthClient): Promise<{ revoked: boolean }> {
  const actor = await actorFromSupabase(state, auth);
  // auth-js clears the cookies even when Supabase cannot be reached; then the refresh token
  // still works elsewhere, which the audit entry and the caller are told.
  const { error } = await auth.auth.signOut({ scope: 'local' });
  const revoked = !error;
  if (actor) await auditSession(state, actor, 'session.sign-out', { revoked });
  return { revoked };
}
