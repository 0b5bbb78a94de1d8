import type { ClientBase, Pool, PoolClient } from 'pg';

/**
 * Runs `fn` in one transaction on `client`: COMMIT when it returns, ROLLBACK when it throws
 * (the rollback's own failure is not what the caller must hear).
 */
export async function inTransaction<C extends ClientBase, T>(client: C, fn: (client: C) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** inTransaction on a client of its own from `pool`, given back to the pool either way. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, fn);
  } finally {
    client.release();
  }
}
