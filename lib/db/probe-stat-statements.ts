import type { Queryable } from './queryable';
import { quoteIdent, quoteQualified } from '../migrations/quote';
import { SQL_STATE, sqlState } from './sql-state';

export type StatStatementsStatus =
  | { state: 'ready'; schema: string }
  | { state: 'not-preloaded'; fix: string }
  | { state: 'not-installed'; fix: string }
  | { state: 'no-permission'; schema: string; fix: string };

const PRELOAD_FIX = 'add pg_stat_statements to shared_preload_libraries in postgresql.conf and restart the server (Supabase preloads it already)';

/**
 * Whether legacy-column reads can be measured on this database. The extension lives in
 * `extensions` on Supabase and usually `public` elsewhere, so its schema is looked up.
 * Only superusers may read shared_preload_libraries, so for everyone else the view
 * itself tells whether the library is loaded.
 */
export async function probeStatStatements(db: Queryable): Promise<StatStatementsStatus> {
  const { rows } = await db.query<{ schema: string | null; preload: string | null }>(
    `SELECT (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
              WHERE e.extname = 'pg_stat_statements') AS schema,
            (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS preload`,
  );
  const { schema, preload } = rows[0]!;
  const preloaded =
    preload === null
      ? null
      : preload
          .split(',')
          .map((s) => s.trim().replace(/"/g, ''))
          .includes('pg_stat_statements');
  if (preloaded === false) return { state: 'not-preloaded', fix: PRELOAD_FIX };
  if (!schema) return { state: 'not-installed', fix: 'run: CREATE EXTENSION pg_stat_statements;' };
  try {
    await db.query(`SELECT 1 FROM ${quoteQualified(schema, 'pg_stat_statements')} LIMIT 1`);
    // Without these rights other roles' statements show up with no text and no queryid: the
    // application's reads of the old column would be invisible, and "zero reads" a lie.
    const { rows: rights } = await db.query<{ ok: boolean }>(
      "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS ok",
    );
    if (!rights[0]!.ok) {
      return { state: 'no-permission', schema, fix: "run: GRANT pg_read_all_stats TO <the dashboard role>; (it must see every role's statements)" };
    }
    return { state: 'ready', schema };
  } catch (error) {
    // 55000: "pg_stat_statements must be loaded via shared_preload_libraries"
    if (sqlState(error) === SQL_STATE.objectNotInPrerequisiteState) return { state: 'not-preloaded', fix: PRELOAD_FIX };
    return {
      state: 'no-permission',
      schema,
      fix: `run: GRANT USAGE ON SCHEMA ${quoteIdent(schema)} TO <the dashboard role>; GRANT pg_read_all_stats TO <the dashboard role>;`,
    };
  }
}
