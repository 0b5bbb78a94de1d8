import 'server-only';
import type { Pool } from 'pg';
import { permission, type Actor } from '../lifecycle/permissions';
import { StateStore } from '../state/state-store';
import { permissionContext } from './permission-context';
import { audit, ForbiddenError, withActor } from './with-actor';

/** The author or the person on call stops a running backfill after its current batch or the next one; `Run backfill` resumes it from its cursor. */
export async function pauseBackfill(pool: Pool, actor: Actor, migrationId: number): Promise<boolean> {
  const ctx = await permissionContext(pool, migrationId);
  const allowed = permission(actor, { kind: 'backfill.pause', authorId: ctx.authorId, onCallId: ctx.onCallId });
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  // As the person: the database's own rules (20261124120000_people_rules) judge the write as well.
  return withActor(pool, actor, async (c) => {
    const paused = await new StateStore(pool).requestBackfill(migrationId, 'pause', c);
    if (paused) await audit(c, actor, 'backfill.pause-requested', migrationId);
    return paused;
  });
}
