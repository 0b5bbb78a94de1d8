import 'server-only';
import type { Pool } from 'pg';
import { mayAct } from '../lifecycle/may-act';
import type { Actor } from '../lifecycle/permissions';
import { lockMigrationForTransaction } from '../state/migration-lock';
import { permissionContext } from './permission-context';
import { audit, ForbiddenError, withActor } from './with-actor';

/**
 * The author or an admin cancels a planned migration nothing ran of: it leaves the timeline and
 * the open work, and its page becomes a summary of who cancelled it and why. The database judges
 * the same again (expand_contract.cancel_migration) under the migration's run lock, so a phase
 * starting at the same moment either runs and the cancel is refused, or never starts.
 */
export async function cancelMigration(pool: Pool, actor: Actor, migrationId: number, reason: string): Promise<void> {
  const ctx = await permissionContext(pool, migrationId);
  const allowed = mayAct(actor, 'migration.cancel', ctx);
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  await withActor(pool, actor, async (c) => {
    await lockMigrationForTransaction(c, migrationId);
    await c.query('SELECT expand_contract.cancel_migration($1, $2)', [migrationId, reason]);
    await audit(c, actor, 'migration.cancelled', migrationId, reason.trim() ? { reason: reason.trim() } : {});
  });
}
