import 'server-only';
import type { Pool } from 'pg';
import type { Actor, PhaseName, Permission } from '../lifecycle/permissions';
import { mayAct } from '../lifecycle/may-act';
import { permissionContext } from './permission-context';

export interface MigrationPeople {
  author: string | null;
  onCall: string | null;
  planApprovals: { by: string; at: Date; note: string }[];
  planApprovalsRequired: number;
  /** Each with the gate's conditions as the approver saw them (null where none was recorded). */
  contractApprovals: { by: string; at: Date; evidence: { name: string; met: boolean; detail: string }[] | null }[];
  comments: { by: string; at: Date; body: string }[];
  /** This person approved the plan already (a second approval is refused). */
  approvedPlan: boolean;
  /** What this person may do here now, by the lifecycle's rules (who, then the migration's state), with the reason when not. */
  can: Record<
    | 'approvePlan'
    | 'comment'
    | 'approveContract'
    | 'pauseBackfill'
    | 'markDeployed'
    | 'unmarkDeployed'
    | 'setServices'
    | 'cancel'
    | 'schedule'
    | 'startBrownout'
    | 'stopBrownout'
    | 'requireBrownout'
    | PhaseName,
    { ok: boolean; reason?: string }
  >;
}

export async function getMigrationPeople(pool: Pool, actor: Actor, migrationId: number): Promise<MigrationPeople> {
  const ctx = await permissionContext(pool, migrationId);
  const names = await pool.query(
    `SELECT (SELECT email FROM expand_contract.users WHERE id = $1) AS author, (SELECT email FROM expand_contract.users WHERE id = $2) AS on_call`,
    [ctx.authorId, ctx.onCallId],
  );
  const approvals = await pool.query(
    `SELECT a.kind, a.approver_id, u.email, a.created_at, a.note, a.evidence FROM expand_contract.approvals a JOIN expand_contract.users u ON u.id = a.approver_id WHERE a.migration_id = $1 ORDER BY a.created_at`,
    [migrationId],
  );
  const comments = await pool.query(
    `SELECT u.email, c.created_at, c.body FROM expand_contract.comments c JOIN expand_contract.users u ON u.id = c.author_id WHERE c.migration_id = $1 ORDER BY c.created_at`,
    [migrationId],
  );
  const check = (p: Permission) => (p.ok ? { ok: true } : { ok: false, reason: p.reason });
  // Who the person is, then what the migration's state allows: an action that cannot happen now is closed, with why.
  const phase = (name: PhaseName) => check(mayAct(actor, `phase.${name}`, ctx));
  const plan = approvals.rows.filter((r) => r.kind === 'plan');
  return {
    author: names.rows[0].author,
    onCall: names.rows[0].on_call,
    planApprovals: plan.map((r) => ({ by: r.email, at: r.created_at, note: r.note })),
    approvedPlan: plan.some((r) => r.approver_id === actor.id),
    planApprovalsRequired: ctx.planApprovalsRequired,
    contractApprovals: approvals.rows
      .filter((r) => r.kind === 'contract')
      .map((r) => ({ by: r.email, at: r.created_at, evidence: Array.isArray(r.evidence) ? r.evidence : null })),
    comments: comments.rows.map((r) => ({ by: r.email, at: r.created_at, body: r.body })),
    can: {
      approvePlan: check(mayAct(actor, 'plan.approve', ctx)),
      comment: check(mayAct(actor, 'plan.comment', ctx)),
      approveContract: check(mayAct(actor, 'contract.approve', ctx)),
      markDeployed: check(mayAct(actor, 'deploy.mark', ctx)),
      unmarkDeployed: check(mayAct(actor, 'deploy.unmark', ctx)),
      setServices: check(mayAct(actor, 'services.set', ctx)),
      pauseBackfill: check(mayAct(actor, 'backfill.pause', ctx)),
      cancel: check(mayAct(actor, 'migration.cancel', ctx)),
      schedule: check(mayAct(actor, 'schedule.update', ctx)),
      startBrownout: check(mayAct(actor, 'brownout.start', ctx)),
      stopBrownout: check(mayAct(actor, 'brownout.stop', ctx)),
      requireBrownout: check(mayAct(actor, 'brownout.require', ctx)),
      expand: phase('expand'),
      backfill: phase('backfill'),
      verify: phase('verify'),
      contract: phase('contract'),
      rollback: phase('rollback'),
      restore: phase('restore'),
    },
  };
}
