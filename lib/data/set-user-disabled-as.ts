import 'server-only';
import type { Pool } from 'pg';
import { setPersonDisabled } from '../auth/manage-users';
import type { Actor } from '../lifecycle/permissions';
import { asPeopleAdmin } from './people-writer';

/** Disables an account, ending its sessions, or enables it again. */
export const setUserDisabledAs = (pool: Pool, actor: Actor, email: string, disabled: boolean): Promise<void> =>
  asPeopleAdmin(pool, actor, (w) => setPersonDisabled(w, email, disabled));
