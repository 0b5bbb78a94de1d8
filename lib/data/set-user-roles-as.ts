import 'server-only';
import type { Pool } from 'pg';
import { setPersonRoles } from '../auth/manage-users';
import type { Actor, Role } from '../lifecycle/permissions';
import { asPeopleAdmin } from './people-writer';

export const setUserRolesAs = (pool: Pool, actor: Actor, email: string, roles: Role[]): Promise<void> =>
  asPeopleAdmin(pool, actor, (w) => setPersonRoles(w, email, roles));
