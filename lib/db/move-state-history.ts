import type { ClientBase } from 'pg';
import { OWN_HISTORY, SUPABASE_HISTORY } from './state-history';
import { inTransaction } from './transaction';
import { SQL_STATE, sqlState } from './sql-state';

export interface MovedStateHistory {
  /** State versions now only in the state's own history. */
  moved: string[];
  /**
   * State versions copied to the state's own history but still in the Supabase CLI's, because this
   * login may not delete from it: the app's `supabase db push` keeps failing on them until they go.
   */
  left: string[];
  /** Who owns the Supabase CLI's history, and so may remove what is left in it (set when something is). */
  owner?: string;
}

/**
 * Moves the state's versions out of the Supabase CLI's history into the state's own, rows as they
 * are (a file the CLI recorded split into statements stays comparable with its file). The copy and
 * the delete are one transaction, so a version is in one history or, when the delete is refused,
 * in both: never in neither, where the next run would apply its file a second time.
 */
export async function moveStateHistory(client: ClientBase, versions: string[]): Promise<MovedStateHistory> {
  if (versions.length === 0) return { moved: [], left: [] };
  return inTransaction(client, async () => {
    const copied = await client.query<{ version: string }>(`SELECT version FROM ${SUPABASE_HISTORY} WHERE version = ANY($1::text[]) ORDER BY version`, [
      versions,
    ]);
    const found = copied.rows.map((r) => r.version);
    if (found.length === 0) return { moved: [], left: [] };
    await client.query(
      `INSERT INTO ${OWN_HISTORY} (version, statements, name)
       SELECT version, statements, name FROM ${SUPABASE_HISTORY} WHERE version = ANY($1::text[])
       ON CONFLICT (version) DO NOTHING`,
      [found],
    );
    await client.query('SAVEPOINT remove_from_supabase_history');
    try {
      await client.query(`DELETE FROM ${SUPABASE_HISTORY} WHERE version = ANY($1::text[])`, [found]);
      return { moved: found, left: [] };
    } catch (error) {
      // On Supabase the CLI's history belongs to `postgres`; a state login with only SELECT and INSERT
      // on it keeps the copy, and the report says who must remove the rows and how.
      if (sqlState(error) !== SQL_STATE.insufficientPrivilege) throw error;
      await client.query('ROLLBACK TO SAVEPOINT remove_from_supabase_history');
      const { rows } = await client.query<{ owner: string }>(
        "SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'supabase_migrations' AND tablename = 'schema_migrations'",
      );
      return { moved: [], left: found, owner: rows[0]?.owner };
    }
  });
}
