import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';
import { DECOY_HASH, verifyPassword } from './password';
import { toActor, type Actor, type Role } from '../lifecycle/permissions';
import { normalizeEmail, signInAttempt } from './sign-in-attempt';

export const SESSION_COOKIE = 'ec_session';
export const SESSION_HOURS = 12;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

async function sessionKey(state: Pool): Promise<Buffer> {
  const { rows } = await state.query<{ value: string }>("SELECT value FROM expand_contract.server_secrets WHERE key = 'session_key'");
  if (!rows[0]) throw new Error('the state database has no session key: apply supabase/migrations');
  return Buffer.from(rows[0].value, 'hex');
}

const sign = (key: Buffer, token: string) => createHmac('sha256', key).update(token).digest('base64url');

/**
 * Checks email and password and opens a new session: a fresh random token every time (a
 * cookie planted before sign-in is never promoted), stored as a hash, signed in the cookie.
 * Failures are counted per email (signInAttempt).
 */
export async function signIn(state: Pool, emailInput: string, password: string): Promise<{ cookie: string; expiresAt: Date; actor: Actor }> {
  const email = normalizeEmail(emailInput);
  const user = await signInAttempt(state, email, async (db) => {
    const { rows } = await db.query('SELECT id, email, name, roles, password_hash FROM expand_contract.users WHERE email = $1 AND disabled_at IS NULL', [
      email,
    ]);
    // A missing account costs the same scrypt as a wrong password: timing tells nothing.
    const ok = await verifyPassword(password, rows[0]?.password_hash ?? DECOY_HASH);
    return ok && rows[0] ? (rows[0] as { id: string; email: string; name: string; roles: Role[] }) : null;
  });

  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3_600_000);
  await state.query('INSERT INTO expand_contract.sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [sha256(token), user.id, expiresAt]);
  await state.query("INSERT INTO expand_contract.audit_log (actor_id, actor, action) VALUES ($1, $2, 'session.sign-in')", [user.id, user.email]);
  return { cookie: `${token}.${sign(await sessionKey(state), token)}`, expiresAt, actor: toActor(user) };
}

/** The person behind a session cookie, or null (missing, forged, expired, signed out, disabled). */
export async function actorFromCookie(state: Pool, cookie: string | undefined): Promise<Actor | null> {
  if (!cookie) return null;
  const [token, signature] = cookie.split('.');
  if (!token || !signature || token.length > 100) return null;
  const expected = Buffer.from(sign(await sessionKey(state), token));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const { rows } = await state.query(
    `UPDATE expand_contract.sessions s SET last_seen_at = now() FROM expand_contract.users u
      WHERE s.token_hash = $1 AND s.expires_at > now() AND u.id = s.user_id AND u.disabled_at IS NULL
      RETURNING u.id, u.email, u.name, u.roles`,
    [sha256(token)],
  );
  return rows[0] ? toActor(rows[0]) : null;
}

export async function signOut(state: Pool, cookie: string | undefined): Promise<void> {
  const token = cookie?.split('.')[0];
  if (!token) return;
  const { rows } = await state.query('DELETE FROM expand_contract.sessions WHERE token_hash = $1 RETURNING user_id', [sha256(token)]);
  if (rows[0])
    await state.query(
      "INSERT INTO expand_contract.audit_log (actor_id, actor, action) SELECT id, email, 'session.sign-out' FROM expand_contract.users WHERE id = $1",
      [rows[0].user_id],
    );
}
