import { describe, expect, it } from 'vitest';
import { objectNames } from './names';
import { isProductTable, withoutProductTables } from './product-tables';
import type { SchemaSnapshot, TableInfo } from './schema';

const table = (schema: string, name: string): TableInfo => ({
  schema,
  name,
  columns: [],
  primaryKey: ['id'],
  estimatedRows: 0,
  totalBytes: 0,
  rlsEnabled: false,
  dependents: [],
});

describe('the product’s own tables on the target', () => {
  it('include the archive a contract leaves, whatever the names, even when they had to be shortened', () => {
    expect(isProductTable(table('public', objectNames('leads', 'user_email', 'contact_email').archiveTable))).toBe(true);
    const long = objectNames('t'.repeat(60), 'c'.repeat(60), 'n').archiveTable;
    expect(long.length).toBeLessThanOrEqual(63);
    expect(isProductTable(table('app', long))).toBe(true);
    expect(isProductTable(table('supabase_migrations', 'schema_migrations'))).toBe(true);
  });

  it('leave the application’s tables alone, even ones whose names look alike', () => {
    for (const name of ['leads', 'archive_leads', 'ec_archive', 'my_ec_archive_x', 'schema_migrations'])
      expect(isProductTable(table('public', name))).toBe(false);
  });

  it('are dropped from the snapshot people choose from, in order, with the schemas kept', () => {
    const snapshot: SchemaSnapshot = {
      schemas: ['public'],
      tables: [table('public', 'ec_archive_leads_user_email'), table('public', 'leads'), table('public', 'users')],
    };
    const shown = withoutProductTables(snapshot);
    expect(shown.tables.map((t) => t.name)).toEqual(['leads', 'users']);
    expect(shown.schemas).toEqual(['public']);
    expect(snapshot.tables).toHaveLength(3); // the planner's copy is untouched
  });
});
