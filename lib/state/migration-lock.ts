import type { Pool, PoolClient } from 'pg';
import { MigrationBusyError } from './errors';

/**
 * The first half of the per-migration advisory lock's key, as SQL (the migration id is the
 * second half): every holder and every reader of the lock, tests included, names it through this.
 */
export const MIGRATION_LOCK_KEY = "hashtext('expand-contract:migration')";

/**
 * Takes, for the rest of `client`'s transaction, the per-migration lock a phase run holds from
 * its first gate check to its end: a change to what the gate judges waits for no run, it is
 * refused while one is under way.
 */
export async function lockMigrationForTransaction(client: PoolClient, migrationId: number): Promise<void> {
  const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${MIGRATION_LOCK_KEY}, $1::int) AS ok`, [migrationId]);
  if (!rows[0]!.ok) throw new MigrationBusyError(migrationId);
}

/** Takes the lock for the session of `client`, without waiting: false when someone else holds it. */
export async function tryLockMigration(client: PoolClient, migrationId: number): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${MIGRATION_LOCK_KEY}, $1::int) AS ok`, [migrationId]);
  return rows[0]!.ok;
}

/** Gives back a session lock taken with tryLockMigration: false when this session did not hold it. */
export async function unlockMigration(client: PoolClient, migrationId: number): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY}, $1::int) AS ok`, [migrationId]);
  return rows[0]!.ok;
}

/** One advisory lock per migration, in the state database: two runners never run the same migration at once. */
export async function lockMigration(pool: Pool, migrationId: number): Promise<PoolClient> {
  const client = await pool.connect();
  if (!(await tryLockMigration(client, migrationId))) {
    client.release();
    throw new MigrationBusyError(migrationId);
  }
  return client;
}
