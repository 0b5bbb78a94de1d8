import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/transaction';
import { AppError } from '../errors/app-error';

/** Failed sign-ins per email in the window before further attempts are refused. */
export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MINUTES = 15;

export type SignInRefusal = 'invalid' | 'locked' | 'no-access' | 'unconfirmed-project';

export class SignInError extends AppError {
  readonly code = 'sign-in-refused';
  readonly kind = 'forbidden';
  constructor(readonly reason: SignInRefusal) {
    super(
      reason === 'invalid'
        ? 'wrong email or password'
        : reason === 'locked'
          ? `too many failed sign-ins: wait ${FAILURE_WINDOW_MINUTES} minutes`
          : reason === 'no-access'
            ? 'this account has no access to Expand/Contract yet: ask an admin to add your email (expand-contract user create <email> --role …)'
            : 'this Supabase project confirms emails automatically, so an email proves nothing: an account here is linked only where Supabase confirms emails (Authentication → Providers → Email → Confirm email)',
    );
    this.name = 'SignInError';
  }
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/**
 * One sign-in attempt, whoever checks the password (the state database or Supabase Auth):
 * failures are counted per email, and after MAX_FAILURES in the window even the right password
 * waits. Count, check and record happen under a per-email lock, so parallel guesses wait their
 * turn instead of all seeing "fewer than five failures" at once. `check` returns the person or
 * null for a wrong password; what it throws passes through unrecorded. It reads through the
 * locked connection it is given: asking the pool for a second one while holding the first
 * would let a burst of sign-ins take every connection and wait on each other for ever.
 */
export async function signInAttempt<T>(state: Pool, email: string, check: (db: PoolClient) => Promise<T | null>): Promise<T> {
  const person = await withTransaction(state, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('expand-contract:sign-in'), hashtext($1))", [email]);
    const failures = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM expand_contract.login_attempts WHERE email = $1 AND NOT ok AND at > now() - make_interval(mins => $2)`,
      [email, FAILURE_WINDOW_MINUTES],
    );
    if (failures.rows[0]!.n >= MAX_FAILURES) throw new SignInError('locked');
    const person = await check(client);
    await client.query('INSERT INTO expand_contract.login_attempts (email, ok) VALUES ($1, $2)', [email, person !== null]);
    return person;
  });
  if (person === null) throw new SignInError('invalid');
  return person;
}
