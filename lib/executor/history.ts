import type { ClientBase } from 'pg';
import { migrationVersion, versionAfter, type FilePhase } from '../migrations/render-sql';
import { operationFor } from '../migrations/operations';
import { findTable } from '../migrations/schema';
import { catalogShows } from '../migrations/table-before-expand';
import { historyVersion } from '../db/history-version';
import type { Plan } from '../migrations/types';
import { introspectSchema } from '../db/introspect-schema';

/**
 * The target's migration history is the table the Supabase CLI keeps, so
 * `supabase migration list` and the dashboard tell the same story.
 */
export async function recordHistory(target: ClientBase, at: Date, name: string, statements: string[]): Promise<string> {
  const exists = await target.query<{ ok: boolean }>("SELECT to_regclass('supabase_migrations.schema_migrations') IS NOT NULL AS ok");
  // Only create what is missing: a role allowed to write the history may not be allowed to create schemas.
  if (!exists.rows[0]!.ok) {
    await target.query(`CREATE SCHEMA IF NOT EXISTS supabase_migrations;
      CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY, statements text[], name text)`);
  }
  const { rows } = await target.query<{ latest: string | null }>('SELECT max(version) AS latest FROM supabase_migrations.schema_migrations');
  const version = versionAfter(migrationVersion(at), rows[0]!.latest);
  await target.query('INSERT INTO supabase_migrations.schema_migrations (version, statements, name) VALUES ($1, $2, $3)', [version, statements, name]);
  return version;
}

export const historyName = (plan: Plan, phase: FilePhase) => `${plan.slug}_${phase}`;

/** A phase someone applied with `supabase db push` from an exported file: its version, if the history has it. */
export async function findInHistory(target: ClientBase, plan: Plan, phase: FilePhase): Promise<string | null> {
  return historyVersion(target, historyName(plan, phase));
}

/** Whether the catalog shows the phase's effect, so a history row alone is not trusted. What it shows is the operation's to say. */
export async function phaseVisibleInCatalog(target: ClientBase, plan: Plan, phase: FilePhase): Promise<boolean> {
  const facts = operationFor(plan.operation).catalogAfter(plan.operation, phase);
  if (!facts) return true;
  return catalogShows(facts, findTable(await introspectSchema(target, [facts.schema]), facts.schema, facts.table));
}
