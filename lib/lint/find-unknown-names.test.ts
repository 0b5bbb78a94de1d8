import { describe, expect, it } from 'vitest';
import type { SchemaSnapshot, TableInfo } from '../migrations/schema';
import { parseSql } from '../sql/parse-sql';
import { closestName, findUnknownNames } from './find-unknown-names';

const table = (name: string, columns: [string, string][]): TableInfo => ({
  schema: 'public',
  name,
  columns: columns.map(([n, type], i) => ({ name: n, type, nullable: true, defaultExpression: null, position: i + 1, identity: '', generated: '' })),
  primaryKey: ['id'],
  estimatedRows: 0,
  totalBytes: 0,
  rlsEnabled: false,
  dependents: [],
});

/** The demo target, as introspected. */
const live: SchemaSnapshot = {
  schemas: ['public'],
  tables: [
    table('users', [
      ['id', 'bigint'],
      ['email', 'text'],
      ['display_name', 'text'],
      ['verified', 'boolean'],
      ['legacy_field', 'text'],
    ]),
    table('orders', [
      ['id', 'bigint'],
      ['status', 'text'],
    ]),
  ],
};

async function unknown(sql: string) {
  return findUnknownNames((await parseSql(sql)).statements, live).map((f) => [f.statementIndex, f.rule, f.message, f.help]);
}

describe('findUnknownNames', () => {
  it('reports a column the table does not have, with what it has', async () => {
    expect(await unknown('ALTER TABLE users RENAME COLUMN nope TO other;')).toEqual([
      [
        0,
        'unknown-column',
        'column nope does not exist on public.users: the statement would fail',
        'Its columns: id, email, display_name, verified, legacy_field.',
      ],
    ]);
  });

  it('says "did you mean" for a typo of a table or a column', async () => {
    expect(await unknown('ALTER TABLE users ALTER COLUMN emial SET NOT NULL;\nALTER TABLE oders DROP COLUMN status;')).toEqual([
      [0, 'unknown-column', 'column emial does not exist on public.users: the statement would fail', expect.stringMatching(/^Did you mean email\? /)],
      [1, 'unknown-table', 'table public.oders does not exist on the target: the statement would fail', 'Did you mean public.orders?'],
    ]);
  });

  it('follows the input: a table it creates, a column it adds or renames count from then on', async () => {
    const sql = [
      'CREATE TABLE audit (id bigint, note text);',
      'ALTER TABLE audit RENAME COLUMN note TO body;',
      'ALTER TABLE users ADD COLUMN nickname text;',
      'ALTER TABLE users RENAME COLUMN nickname TO handle;',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_handle_idx ON users (handle);',
      'ALTER TABLE audit ALTER COLUMN note SET NOT NULL;',
      'ALTER TABLE users RENAME TO people;',
      'ALTER TABLE users DROP COLUMN email;',
    ].join('\n');
    expect((await unknown(sql)).map(([i, rule]) => [i, rule])).toEqual([
      [5, 'unknown-column'],
      [7, 'unknown-table'],
    ]);
  });

  it('honours IF EXISTS and IF NOT EXISTS, and refuses a name already taken', async () => {
    const sql = [
      'ALTER TABLE IF EXISTS gone RENAME COLUMN a TO b;',
      'ALTER TABLE users DROP COLUMN IF EXISTS nope;',
      'ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;',
      'DROP TABLE IF EXISTS gone;',
      'ALTER TABLE users ADD COLUMN email text;',
      'ALTER TABLE users RENAME COLUMN legacy_field TO email;',
    ].join('\n');
    expect((await unknown(sql)).map(([i, rule]) => [i, rule])).toEqual([
      [4, 'column-already-exists'],
      [5, 'column-already-exists'],
    ]);
  });

  it('judges only the schemas that were read, and index columns by name', async () => {
    expect(await unknown('ALTER TABLE billing.invoices RENAME COLUMN a TO b;')).toEqual([]);
    expect((await unknown('CREATE INDEX CONCURRENTLY i ON orders (status, lower(nope), sttaus);')).map(([, rule, message]) => [rule, message])).toEqual([
      ['unknown-column', 'column sttaus does not exist on public.orders: the statement would fail'],
    ]);
  });
});

describe('closestName', () => {
  it.each([
    ['emial', ['email', 'id'], 'email'],
    ['Email', ['email'], 'email'],
    ['nope', ['email', 'display_name'], null],
    ['x', ['id'], null],
  ])('%s among %j → %s', (name, candidates, expected) => {
    expect(closestName(name, candidates)).toBe(expected);
  });
});
