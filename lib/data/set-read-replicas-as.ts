import 'server-only';
import type { Pool } from 'pg';
import { parseReplicaHosts } from '../config/parse-replica-hosts';
import { permission, type Actor } from '../lifecycle/permissions';
import { audit, ForbiddenError, withActor } from './with-actor';

/**
 * An admin names the target's read replicas (host:port): refused here when they are not one,
 * parsed, then written as them through the database's own function, which checks both again.
 * The sampler reads them from its next sample on; the gate counts each one from then.
 */
export async function setReadReplicasAs(pool: Pool, actor: Actor, text: string): Promise<{ hosts: string[]; droppedCredentials: boolean }> {
  const allowed = permission(actor, { kind: 'admin' });
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  const parsed = parseReplicaHosts(text);
  await withActor(pool, actor, async (c) => {
    await c.query('SELECT expand_contract.set_read_replicas($1)', [JSON.stringify(parsed.hosts)]);
    await audit(c, actor, 'settings.read-replicas', null, { hosts: parsed.hosts });
  });
  return parsed;
}
