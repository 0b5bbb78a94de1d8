import 'server-only';
import type { Pool } from 'pg';
import type { Actor } from '../lifecycle/permissions';
import { mayAct } from '../lifecycle/may-act';
import { lockMigrationForTransaction } from '../state/migration-lock';
import { parseServiceList } from '../metrics/service-list';
import { permissionContext } from './permission-context';
import { audit, ForbiddenError, withActor } from './with-actor';

/**
 * The author (or an admin) names the services that use the migration's table, whose error
 * rates become its evidence ("" for every service). Only until its first expand begins (even
 * one that failed): the evidence window starts there. The database checks the same again.
 */
export async function setMigrationServices(pool: Pool, actor: Actor, migrationId: number, text: string): Promise<string[] | null> {
  const services = parseServiceList(text);
  const allowed = mayAct(actor, 'services.set', await permissionContext(pool, migrationId));
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  return withActor(pool, actor, async (c) => {
    // Not while a phase runs: an expand starting now would begin the window on the old names.
    await lockMigrationForTransaction(c, migrationId);
    const { rowCount } = await c.query('UPDATE expand_contract.migrations SET services = $2, updated_at = now() WHERE id = $1', [migrationId, services]);
    if (rowCount === 0) throw new ForbiddenError('only the author or an admin names the services whose error rates count');
    await audit(c, actor, 'services.changed', migrationId, { services });
    return services;
  });
}
