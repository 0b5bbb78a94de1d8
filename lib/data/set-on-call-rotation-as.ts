import 'server-only';
import type { Pool } from 'pg';
import { setRotation } from '../auth/manage-users';
import type { Actor } from '../lifecycle/permissions';
import { asPeopleAdmin } from './people-writer';

export const setOnCallRotationAs = (pool: Pool, actor: Actor, input: { emails: string[]; startsAt: Date; shiftDays: number }): Promise<void> =>
  asPeopleAdmin(pool, actor, (w) => setRotation(w, input));
