import { describe, expect, it } from 'vitest';
import { catalogShows, tableBeforeExpand } from './table-before-expand';
import type { TableInfo } from './schema';

const column = (name: string, nullable = true) => ({
  name,
  type: 'text',
  nullable,
  defaultExpression: null,
  position: 1,
  identity: '' as const,
  generated: '' as const,
});

// leads after the expand of user_email → contact_email: the new column, its index and NOT NULL check, and the sync triggers.
const after: TableInfo = {
  schema: 'public',
  name: 'leads',
  columns: [column('id', false), column('user_email', false), column('contact_email')],
  primaryKey: ['id'],
  estimatedRows: 10,
  totalBytes: 8192,
  rlsEnabled: false,
  dependents: [
    { column: 'user_email', kind: 'index', name: 'leads_user_email_idx', definition: 'CREATE INDEX …' },
    { column: 'user_email', kind: 'trigger', name: 'ec_sync_old_leads_user_email_contact_email', definition: 'CREATE TRIGGER …' },
    { column: 'user_email', kind: 'trigger', name: 'audit_email', definition: 'CREATE TRIGGER …' },
    { column: 'contact_email', kind: 'constraint', name: 'ec_nn_leads_contact_email', definition: 'CHECK (…) NOT VALID' },
  ],
};
const spec = { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' } as const;

describe('tableBeforeExpand', () => {
  it('takes out what the expand added, and keeps what the team made', () => {
    const before = tableBeforeExpand(spec, after)!;
    expect(before.columns.map((c) => c.name)).toEqual(['id', 'user_email']);
    expect(before.dependents.map((d) => d.name)).toEqual(['leads_user_email_idx', 'audit_email']);
  });
});

describe('catalogShows', () => {
  it('checks present, absent and NOT NULL columns', () => {
    expect(catalogShows({ schema: 'public', table: 'leads', present: ['user_email', 'contact_email'], absent: [], notNull: [] }, after)).toBe(true);
    expect(catalogShows({ schema: 'public', table: 'leads', present: ['contact_email'], absent: ['user_email'], notNull: [] }, after)).toBe(false);
    expect(catalogShows({ schema: 'public', table: 'leads', present: [], absent: [], notNull: ['contact_email'] }, after)).toBe(false);
    expect(catalogShows({ schema: 'public', table: 'leads', present: [], absent: [], notNull: ['user_email'] }, after)).toBe(true);
    expect(catalogShows({ schema: 'public', table: 'leads', present: [], absent: [], notNull: [] }, undefined)).toBe(false);
  });
});
