import type { Queryable } from './queryable';

/** The Supabase CLI's history: `supabase db push` and `supabase migration list` read and write it. */
export const SUPABASE_HISTORY = 'supabase_migrations.schema_migrations';

/**
 * The state schema's own history, for a database it shares with an application: the app's
 * `supabase db push` fails on any version in the CLI's history that its repository has no file for,
 * so the state's versions must not be there. Same columns as the CLI's table, so a file the CLI
 * recorded can be moved here as it is.
 */
export const OWN_HISTORY = 'expand_contract.schema_migrations';

export interface StateHistoryRow {
  version: string;
  name: string | null;
}

/** Which table holds this database's state history: its own once it exists (it is never dropped), else the CLI's. */
export async function stateHistoryTable(db: Queryable): Promise<typeof SUPABASE_HISTORY | typeof OWN_HISTORY> {
  const { rows } = await db.query<{ own: boolean }>(`SELECT to_regclass('${OWN_HISTORY}') IS NOT NULL AS own`);
  return rows[0]!.own ? OWN_HISTORY : SUPABASE_HISTORY;
}

/** The state versions recorded as applied, wherever this database keeps them. */
export async function readStateHistory(db: Queryable): Promise<StateHistoryRow[]> {
  const table = await stateHistoryTable(db);
  const { rows } = await db.query<StateHistoryRow>(`SELECT version, name FROM ${table} ORDER BY version`);
  return rows;
}
