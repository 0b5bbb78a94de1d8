import type pg from 'pg';

/**
 * Every session the product opens on a target runs with row_security = off. Where a table's
 * row-level security would filter what the session reads, Postgres then raises "query would be
 * affected by row-level security policy" instead of quietly returning fewer rows: a backfill,
 * parity check or archive that saw only some rows would report success on them, and the
 * contract would drop the values of the rows nobody saw. A session setting rather than a
 * startup option: poolers such as PgBouncer refuse unknown startup parameters, and a
 * connection string's own `options` would replace ours.
 */
export async function prepareTargetSession(client: pg.ClientBase): Promise<void> {
  await client.query('SET row_security = off');
}

/** Connects a target client the caller made (with its own error handling) and prepares its session. */
export async function connectTarget<C extends pg.Client>(client: C): Promise<C> {
  await client.connect();
  await prepareTargetSession(client);
  return client;
}

/**
 * For a pool of target connections (pg-pool's onConnect): each new connection is prepared before
 * anyone gets it, and one whose preparation fails is closed instead of handed out.
 */
export const targetSessionHook = (client: pg.ClientBase): Promise<void> => prepareTargetSession(client);
