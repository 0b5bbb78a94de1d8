import 'server-only';
import type { Pool } from 'pg';
import type { PeopleWriter } from '../auth/manage-users';
import { permission, type Actor } from '../lifecycle/permissions';
import { audit, ForbiddenError, withActor } from './with-actor';

/**
 * Runs a change to people as the signed-in admin: refused here first when they are not one,
 * then written as them (withActor), so the database's policies and triggers judge the same
 * writes, and every change is audited in its own transaction.
 */
export async function asPeopleAdmin<T>(pool: Pool, actor: Actor, fn: (w: PeopleWriter) => Promise<T>): Promise<T> {
  const allowed = permission(actor, { kind: 'admin' });
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  return withActor(pool, actor, (client) => fn({ client, by: actor, record: (action, detail) => audit(client, actor, action, null, detail) }));
}
