import type { SchemaSnapshot, TableInfo } from './schema';

/**
 * Tables the product itself creates on the target: the archive a contract fills for a restore
 * (objectNames().archiveTable, always `ec_archive_…`, however long the names), and the Supabase
 * CLI's history table, which the executor creates on plain Postgres. Nobody plans a change to
 * them, so pickers and the schema panel leave them out; the planner still sees the whole catalog.
 */
const ARCHIVE_PREFIX = 'ec_archive_';
const HISTORY_TABLE = { schema: 'supabase_migrations', name: 'schema_migrations' };

export function isProductTable(table: Pick<TableInfo, 'schema' | 'name'>): boolean {
  if (table.name.startsWith(ARCHIVE_PREFIX)) return true;
  return table.schema === HISTORY_TABLE.schema && table.name === HISTORY_TABLE.name;
}

/** The snapshot as people choose from it: the target's own tables, without the product's. */
export function withoutProductTables(snapshot: SchemaSnapshot): SchemaSnapshot {
  return { ...snapshot, tables: snapshot.tables.filter((t) => !isProductTable(t)) };
}
