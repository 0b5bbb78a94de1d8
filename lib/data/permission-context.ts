import 'server-only';
import type { Pool } from 'pg';
import type { MigrationContext } from '../lifecycle/may-act';
import type { MigrationState } from '../lifecycle/migration-states';
import { MigrationNotFoundError } from '../state/errors';

/** A migration as the lifecycle's rules see it (lib/lifecycle/may-act.ts), read now. */
export type PermissionContext = MigrationContext;

/** What the permission rules need to know about a migration and the rotation, read now. */
export async function permissionContext(pool: Pool, migrationId: number): Promise<PermissionContext> {
  const context = (await permissionContexts(pool, [migrationId])).get(migrationId);
  if (!context) throw new MigrationNotFoundError(migrationId);
  return context;
}

/** The same for many migrations in one query (the home page asks for every open one); missing ids are left out. */
export async function permissionContexts(pool: Pool, migrationIds: number[]): Promise<Map<number, PermissionContext>> {
  const { rows } = await pool.query(
    `SELECT m.id, m.author_id, m.deployed_at, m.status, expand_contract.on_call_at(now()) AS on_call,
            EXISTS (SELECT 1 FROM expand_contract.phase_runs r WHERE r.migration_id = m.id AND r.phase = 'expand') AS expand_began,
            (SELECT count(DISTINCT a.approver_id)::int FROM expand_contract.approvals a
              WHERE a.migration_id = m.id AND a.kind = 'plan' AND a.approver_id IS DISTINCT FROM m.author_id) AS approvals,
            coalesce((SELECT (value #>> '{}')::int FROM expand_contract.settings WHERE key = 'plan_approvals_required'), 1) AS required
       FROM expand_contract.migrations m WHERE m.id = ANY ($1::bigint[])`,
    [migrationIds],
  );
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        state: r.status as MigrationState,
        expandBegan: r.expand_began,
        deployedAt: r.deployed_at,
        authorId: r.author_id,
        onCallId: r.on_call,
        planApprovals: r.approvals,
        planApprovalsRequired: r.required,
      },
    ]),
  );
}
