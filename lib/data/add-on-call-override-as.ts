import 'server-only';
import type { Pool } from 'pg';
import { addOverride } from '../auth/manage-users';
import type { Actor } from '../lifecycle/permissions';
import { asPeopleAdmin } from './people-writer';

export const addOnCallOverrideAs = (pool: Pool, actor: Actor, input: { email: string; from: Date; to: Date; reason: string }): Promise<number> =>
  asPeopleAdmin(pool, actor, (w) => addOverride(w, input));
