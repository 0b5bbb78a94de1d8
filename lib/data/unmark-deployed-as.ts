import 'server-only';
import type { Pool } from 'pg';
import { permission, type Actor } from '../lifecycle/permissions';
import { StateStore } from '../state/state-store';
import { permissionContext } from './permission-context';
import { audit, ForbiddenError, withActor } from './with-actor';

/**
 * The people who may mark a deploy take back one marked by mistake, before the contract: a
 * mark too early would start the buffer before the new code is really live. Returns the mark
 * that was taken back, or null when there was none.
 */
export async function unmarkDeployedAs(pool: Pool, actor: Actor, migrationId: number): Promise<{ deployedAt: Date; deployedBy: string } | null> {
  const ctx = await permissionContext(pool, migrationId);
  const allowed = permission(actor, { kind: 'deploy.mark', authorId: ctx.authorId });
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  // As the person: the database's own rules (20261124120000_people_rules) judge the write as well.
  return withActor(pool, actor, async (c) => {
    const was = await new StateStore(pool).unmarkDeployed(migrationId, c);
    if (was) await audit(c, actor, 'deploy.unmarked', migrationId, was);
    return was;
  });
}
