import 'server-only';
import type { Pool } from 'pg';
import { MigrationNotFoundError } from '../state/errors';

export interface PermissionContext {
  authorId: string | null;
  onCallId: string | null;
  planApprovals: number;
  planApprovalsRequired: number;
  /** When the deploy of code using the new column was marked, or null. */
  deployedAt: Date | null;
}

/** What the permission rules need to know about a migration and the rotation, read now. */
export async function permissionContext(pool: Pool, migrationId: number): Promise<PermissionContext> {
  const { rows } = await pool.query(
    `SELECT m.author_id, m.deployed_at, expand_contract.on_call_at(now()) AS on_call,
            (SELECT count(DISTINCT a.approver_id)::int FROM expand_contract.approvals a
              WHERE a.migration_id = m.id AND a.kind = 'plan' AND a.approver_id IS DISTINCT FROM m.author_id) AS approvals,
            coalesce((SELECT (value #>> '{}')::int FROM expand_contract.settings WHERE key = 'plan_approvals_required'), 1) AS required
       FROM expand_contract.migrations m WHERE m.id = $1`,
    [migrationId],
  );
  if (!rows[0]) throw new MigrationNotFoundError(migrationId);
  return { authorId: rows[0].author_id, onCallId: rows[0].on_call, planApprovals: rows[0].approvals, planApprovalsRequired: rows[0].required, deployedAt: rows[0].deployed_at };
}
