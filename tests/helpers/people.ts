import type { Pool } from 'pg';
import { upsertUser } from '../../lib/auth/manage-users';
import type { Actor, Role } from '../../lib/lifecycle/permissions';

/** A person `<key>@team.example` with these roles, signed up in the state database, as the dashboard would act for them. */
export async function addPerson(pool: Pool, key: string, roles: Role[]): Promise<Actor> {
  const email = `${key}@team.example`;
  const { id } = await upsertUser(pool, { email, roles, password: 'correct horse battery' });
  return { id, email, name: key, roles };
}
