import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { checkPasswordStrength, hashPassword } from './password';
import { ROLES, type Role } from '../lifecycle/permissions';
import { AppError } from '../errors/app-error';

export class UnknownRoleError extends AppError {
  readonly code = 'unknown-role';
  readonly kind = 'invalid';
  constructor(readonly role: string) {
    super(`unknown role "${role}": one of ${ROLES.join(', ')}`);
    this.name = 'UnknownRoleError';
  }
}

export function parseRoles(text: string): Role[] {
  const roles = text
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  for (const r of roles) if (!(ROLES as readonly string[]).includes(r)) throw new UnknownRoleError(r);
  return roles as Role[];
}

/** A password people can type from a printout: 20 characters of base64url (120 bits). */
export const generatePassword = () => randomBytes(15).toString('base64url');

/**
 * Creates the account, or resets its password and roles when the email exists. Returns its id
 * and whether it was new. Without a password (Supabase Auth), the account has no local password
 * and links to the Supabase user at the first confirmed sign-in; a reset unlinks it again.
 */
export async function upsertUser(
  state: Pool,
  input: { email: string; name?: string; roles: Role[]; password: string | null },
): Promise<{ id: string; created: boolean }> {
  if (input.password !== null) checkPasswordStrength(input.password);
  const hash = input.password === null ? null : await hashPassword(input.password);
  const { rows } = await state.query(
    `INSERT INTO expand_contract.users (email, name, roles, password_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash, roles = excluded.roles, name = coalesce(nullif(excluded.name, ''), users.name),
       disabled_at = NULL, auth_subject = NULL
     RETURNING id, (xmax = 0) AS created`,
    [input.email.trim().toLowerCase(), input.name ?? '', input.roles, hash],
  );
  // A reset password ends every open session of the account.
  if (!rows[0].created) await state.query('DELETE FROM expand_contract.sessions WHERE user_id = $1', [rows[0].id]);
  return { id: rows[0].id, created: rows[0].created };
}
