import 'server-only';
import type { Pool } from 'pg';
import { createPerson, generatePassword } from '../auth/manage-users';
import type { Actor, Role } from '../lifecycle/permissions';
import { asPeopleAdmin } from './people-writer';

/**
 * An admin creates an account. With Supabase Auth it has no password (it links at the person's
 * first confirmed sign-in there); otherwise a generated one is returned, to be shown once.
 */
export async function createUserAs(
  pool: Pool,
  actor: Actor,
  input: { email: string; name: string; roles: Role[] },
  options: { supabaseAuth: boolean },
): Promise<{ email: string; password: string | null }> {
  const password = options.supabaseAuth ? null : generatePassword();
  const { email } = await asPeopleAdmin(pool, actor, (w) => createPerson(w, { ...input, password }));
  return { email, password };
}
