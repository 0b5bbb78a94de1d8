import 'server-only';
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/transaction';
import type { Actor } from '../lifecycle/permissions';
import { SQL_STATE, sqlState } from '../db/sql-state';
import { AppError } from '../errors/app-error';

/** Refused: by the server's own check, or by the database's policies (SQLSTATE 42501). Routes answer 403. */
export class ForbiddenError extends AppError {
  readonly code = 'forbidden';
  readonly kind = 'forbidden';
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ForbiddenError';
  }
}

/**
 * Runs `fn` in one transaction as the person: role `authenticated` with their id in
 * request.jwt.claims, as Supabase's API would, so the state tables' row-level security and
 * triggers judge the writes. A refusal by the database becomes a ForbiddenError.
 */
export async function withActor<T>(pool: Pool, actor: Actor, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  try {
    return await withTransaction(pool, async (client) => {
      await client.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: actor.id, email: actor.email, role: 'authenticated' })]);
      await client.query('SET LOCAL ROLE authenticated');
      return fn(client);
    });
  } catch (error) {
    if (sqlState(error) === SQL_STATE.insufficientPrivilege) throw new ForbiddenError(`refused by the database: ${(error as Error).message}`);
    throw error;
  }
}

/** One audit entry, written as the person in the same transaction as what it records. */
export async function audit(client: PoolClient, actor: Actor, action: string, migrationId: number | null, detail: object = {}): Promise<void> {
  await client.query('INSERT INTO expand_contract.audit_log (actor_id, actor, action, migration_id, detail) VALUES ($1, $2, $3, $4, $5)', [
    actor.id,
    actor.email,
    action,
    migrationId,
    JSON.stringify(detail),
  ]);
}
