import 'server-only';
import type { Pool } from 'pg';
import { mayAct } from '../lifecycle/may-act';
import type { Actor } from '../lifecycle/permissions';
import { audit, ForbiddenError, withActor } from './with-actor';
import { permissionContext } from './permission-context';
import { SQL_STATE, sqlState } from '../db/sql-state';

/**
 * A reviewer approves a plan (not their own), while the plan is still to run: planned, or rolled
 * back before a new expand (the lifecycle's rule; the database's policy checks it again). A second
 * approval by the same reviewer is refused.
 */
export async function approvePlan(pool: Pool, actor: Actor, migrationId: number, note = ''): Promise<void> {
  const ctx = await permissionContext(pool, migrationId);
  const allowed = mayAct(actor, 'plan.approve', ctx);
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  try {
    await withActor(pool, actor, async (c) => {
      await c.query("INSERT INTO expand_contract.approvals (migration_id, kind, approver_id, note) VALUES ($1, 'plan', $2, $3)", [migrationId, actor.id, note]);
      await audit(c, actor, 'plan.approved', migrationId, { note });
    });
  } catch (error) {
    if (sqlState(error) === SQL_STATE.uniqueViolation) throw new ForbiddenError('you have already approved this plan');
    throw error;
  }
}
