import 'server-only';
import type { Pool } from 'pg';
import { permission, type Actor } from '../lifecycle/permissions';
import { StateStore } from '../state/state-store';
import { permissionContext } from './permission-context';
import { audit, ForbiddenError, withActor } from './with-actor';

/** The author (or an on-call engineer) says the new code is live: the buffer before the contract starts now. */
export async function markDeployedAs(pool: Pool, actor: Actor, migrationId: number): Promise<Date> {
  const ctx = await permissionContext(pool, migrationId);
  const allowed = permission(actor, { kind: 'deploy.mark', authorId: ctx.authorId });
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  // As the person: the database's own rules (20261124120000_people_rules) judge the write as well.
  return withActor(pool, actor, async (c) => {
    const migration = await new StateStore(pool).markDeployed(migrationId, actor.email, new Date(), c);
    await audit(c, actor, 'deploy.marked', migrationId, { deployedAt: migration.deployedAt });
    return migration.deployedAt!;
  });
}
