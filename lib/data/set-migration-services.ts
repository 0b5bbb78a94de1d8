import 'server-only';
import type { Pool } from 'pg';
import { permission, type Actor } from '../auth/roles';
import { StateStore } from '../executor/state-store';
import { parseServiceList } from '../metrics/service-list';
import { permissionContext } from './permission-context';
import { audit, ForbiddenError, withActor } from './with-actor';

/**
 * The author (or an admin) names the services that use the migration's table, whose error
 * rates become its evidence ("" for every service). Only while it is planned: from its expand
 * on, the evidence has been judged on them. The database checks the same again.
 */
export async function setMigrationServices(pool: Pool, actor: Actor, migrationId: number, text: string): Promise<string[] | null> {
  const services = parseServiceList(text);
  const ctx = await permissionContext(pool, migrationId);
  const allowed = permission(actor, { kind: 'services.set', authorId: ctx.authorId });
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  const { status } = await new StateStore(pool).getMigration(migrationId);
  if (status !== 'planned') throw new ForbiddenError(`migration ${migrationId} is ${status}: its services are fixed once it has expanded`);
  return withActor(pool, actor, async (c) => {
    const { rowCount } = await c.query('UPDATE expand_contract.migrations SET services = $2, updated_at = now() WHERE id = $1', [migrationId, services]);
    if (rowCount === 0) throw new ForbiddenError('only the author or an admin names the services whose error rates count');
    await audit(c, actor, 'services.changed', migrationId, { services });
    return services;
  });
}
