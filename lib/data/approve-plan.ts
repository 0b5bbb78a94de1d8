import 'server-only';
import type { Pool } from 'pg';
import { mayAct } from '../lifecycle/may-act';
import type { Actor } from '../lifecycle/permissions';
import { audit, ForbiddenError, withActor } from './with-actor';
import { permissionContext } from './permission-context';
import { SQL_STATE, sqlState } from '../db/sql-state';
import { recordMigrationEvent } from '../state/record-migration-event';

/**
 * A reviewer approves a plan (not their own), while the plan is still to run: planned, or rolled
 * back before a new expand (the lifecycle's rule; the database's policy checks it again). A second
 * approval by the same reviewer is refused.
 */
export async function approvePlan(pool: Pool, actor: Actor, migrationId: number, note = ''): Promise<void> {
  const ctx = await permissionContext(pool, migrationId);
  const allowed = mayAct(actor, 'plan.approve', ctx);
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  let approvalId: string;
  try {
    approvalId = await withActor(pool, actor, async (c) => {
      const { rows } = await c.query<{ id: string }>(
        "INSERT INTO expand_contract.approvals (migration_id, kind, approver_id, note) VALUES ($1, 'plan', $2, $3) RETURNING id",
        [migrationId, actor.id, note],
      );
      await audit(c, actor, 'plan.approved', migrationId, { note });
      return rows[0]!.id;
    });
  } catch (error) {
    if (sqlState(error) === SQL_STATE.uniqueViolation) throw new ForbiddenError('you have already approved this plan');
    throw error;
  }
  // The approval that completes the review is the news: the author may expand now.
  const after = await permissionContext(pool, migrationId);
  if (after.planApprovals === after.planApprovalsRequired) {
    await recordMigrationEvent(pool, {
      key: `plan.approved:${migrationId}:${approvalId}`,
      event: 'plan.approved',
      migrationId,
      summary: `plan approved by ${actor.email} (${after.planApprovals} of ${after.planApprovalsRequired}): the author may run the expand`,
      evidence: { approvals: after.planApprovals, required: after.planApprovalsRequired, by: actor.email },
    });
  }
}
