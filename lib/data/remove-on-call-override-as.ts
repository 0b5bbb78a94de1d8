import 'server-only';
import type { Pool } from 'pg';
import { removeOverride } from '../auth/manage-users';
import type { Actor } from '../lifecycle/permissions';
import { asPeopleAdmin } from './people-writer';

export const removeOnCallOverrideAs = (pool: Pool, actor: Actor, id: number): Promise<void> => asPeopleAdmin(pool, actor, (w) => removeOverride(w, id));
