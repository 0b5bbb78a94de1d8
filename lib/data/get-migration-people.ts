import 'server-only';
import type { Pool } from 'pg';
import { permission, type Actor, type PhaseName } from '../lifecycle/permissions';
import { mayAct } from '../lifecycle/may-act';
import { permissionContext } from './permission-context';

export interface MigrationPeople {
  author: string | null;
  onCall: string | null;
  planApprovals: { by: string; at: Date; note: string }[];
  planApprovalsRequired: number;
  contractApprovals: { by: string; at: Date }[];
  comments: { by: string; at: Date; body: string }[];
  /** What this person may do here, with the reason when not: buttons show the same answer the server will give. */
  can: Record<'approvePlan' | 'comment' | 'approveContract' | 'pauseBackfill' | 'markDeployed' | 'setServices' | PhaseName, { ok: boolean; reason?: string }>;
}

export async function getMigrationPeople(pool: Pool, actor: Actor, migrationId: number): Promise<MigrationPeople> {
  const ctx = await permissionContext(pool, migrationId);
  const names = await pool.query(
    `SELECT (SELECT email FROM expand_contract.users WHERE id = $1) AS author, (SELECT email FROM expand_contract.users WHERE id = $2) AS on_call`,
    [ctx.authorId, ctx.onCallId],
  );
  const approvals = await pool.query(
    `SELECT a.kind, u.email, a.created_at, a.note FROM expand_contract.approvals a JOIN expand_contract.users u ON u.id = a.approver_id WHERE a.migration_id = $1 ORDER BY a.created_at`,
    [migrationId],
  );
  const comments = await pool.query(
    `SELECT u.email, c.created_at, c.body FROM expand_contract.comments c JOIN expand_contract.users u ON u.id = c.author_id WHERE c.migration_id = $1 ORDER BY c.created_at`,
    [migrationId],
  );
  const check = (p: ReturnType<typeof permission>) => (p.ok ? { ok: true } : { ok: false, reason: p.reason });
  // Who the person is, then what the migration's state allows: a phase that cannot run now is closed, with why.
  const phase = (name: PhaseName) => check(mayAct(actor, `phase.${name}`, ctx));
  return {
    author: names.rows[0].author,
    onCall: names.rows[0].on_call,
    planApprovals: approvals.rows.filter((r) => r.kind === 'plan').map((r) => ({ by: r.email, at: r.created_at, note: r.note })),
    planApprovalsRequired: ctx.planApprovalsRequired,
    contractApprovals: approvals.rows.filter((r) => r.kind === 'contract').map((r) => ({ by: r.email, at: r.created_at })),
    comments: comments.rows.map((r) => ({ by: r.email, at: r.created_at, body: r.body })),
    can: {
      approvePlan: check(permission(actor, { kind: 'plan.approve', authorId: ctx.authorId })),
      comment: check(permission(actor, { kind: 'plan.comment' })),
      approveContract: check(permission(actor, { kind: 'contract.approve', authorId: ctx.authorId, onCallId: ctx.onCallId })),
      markDeployed: check(permission(actor, { kind: 'deploy.mark', authorId: ctx.authorId })),
      setServices: check(mayAct(actor, 'services.set', ctx)),
      pauseBackfill: check(permission(actor, { kind: 'backfill.pause', authorId: ctx.authorId, onCallId: ctx.onCallId })),
      expand: phase('expand'),
      backfill: phase('backfill'),
      verify: phase('verify'),
      contract: phase('contract'),
      rollback: phase('rollback'),
      restore: phase('restore'),
    },
  };
}
