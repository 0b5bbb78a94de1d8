import 'server-only';
import type { Pool } from 'pg';

export interface Cancellation {
  at: Date;
  /** The email of the person who cancelled it. */
  by: string;
  reason: string | null;
}

/** Who cancelled a migration, when and why; null when it is not cancelled. */
export async function getCancellation(pool: Pool, migrationId: number): Promise<Cancellation | null> {
  const { rows } = await pool.query<{ cancelled_at: Date; email: string | null; cancel_reason: string | null }>(
    `SELECT m.cancelled_at, u.email, m.cancel_reason
       FROM expand_contract.migrations m LEFT JOIN expand_contract.users u ON u.id = m.cancelled_by
      WHERE m.id = $1 AND m.status = 'cancelled'`,
    [migrationId],
  );
  const row = rows[0];
  return row ? { at: row.cancelled_at, by: row.email ?? 'unknown', reason: row.cancel_reason } : null;
}
