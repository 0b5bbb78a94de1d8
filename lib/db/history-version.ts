import type { Queryable } from './queryable';

/**
 * The latest version the target's migration history (the Supabase CLI's table) records under
 * `name`, or null, also when the table does not exist: a file pushed with `supabase db push`
 * is recorded there with the name that follows its version (`<slug>_<phase>`).
 */
export async function historyVersion(db: Queryable, name: string): Promise<string | null> {
  const exists = await db.query<{ ok: boolean }>("SELECT to_regclass('supabase_migrations.schema_migrations') IS NOT NULL AS ok");
  if (!exists.rows[0]!.ok) return null;
  const { rows } = await db.query<{ version: string | null }>('SELECT max(version) AS version FROM supabase_migrations.schema_migrations WHERE name = $1', [
    name,
  ]);
  return rows[0]?.version ?? null;
}
