import { describe, expect, it } from 'vitest';
import { parseSql } from '../sql/parse-sql';
import type { OperationSpec } from '../migrations/types';
import { detectBreakingChanges, displayName } from './detect-breaking-changes';
import type { LintSeverity } from './types';

interface Expected {
  rule: string;
  severity: LintSeverity;
  suggestion?: OperationSpec;
}

async function detect(sql: string) {
  return detectBreakingChanges((await parseSql(sql)).statements);
}

const shape = (findings: Awaited<ReturnType<typeof detect>>): Expected[] =>
  findings.map(({ rule, severity, suggestion }) => ({ rule, severity, ...(suggestion ? { suggestion } : {}) }));

// A type change done in place: new integer column, copy, drop the text one, take its name.
const TYPE_CHANGE_RENAMED_BACK = `ALTER TABLE orders ADD COLUMN status_code smallint;
UPDATE orders SET status_code = (status = 'done')::int;
-- after the code moved to status_code:
ALTER TABLE orders DROP COLUMN status;
ALTER TABLE orders RENAME COLUMN status_code TO status;`;

const changeType = (column: string, newType: string, table = 'orders'): OperationSpec => ({
  kind: 'change-type',
  schema: 'public',
  table,
  column,
  newColumn: `${column}_new`,
  newType,
  forward: `({{old}})::${newType}`,
  reverse: '({{new}})::text',
});

describe('detectBreakingChanges', () => {
  it.each<{ name: string; input: string; expected: Expected[] }>([
    {
      name: "the article's 2am rename",
      input: 'ALTER TABLE leads RENAME COLUMN user_email TO contact_email;',
      expected: [
        {
          rule: 'breaking-rename-column',
          severity: 'error',
          suggestion: { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' },
        },
      ],
    },
    {
      name: 'a type change that renames the new column back: the final rename reuses the dropped name',
      input: TYPE_CHANGE_RENAMED_BACK,
      expected: [
        { rule: 'breaking-drop-column', severity: 'warning', suggestion: { kind: 'drop-column', schema: 'public', table: 'orders', column: 'status' } },
        {
          rule: 'breaking-rename-reuses-name',
          severity: 'error',
          suggestion: { kind: 'rename-column', schema: 'public', table: 'orders', column: 'status_code', newName: 'status' },
        },
      ],
    },
    {
      name: 'quoted schema, table and columns keep their exact spelling',
      input: 'ALTER TABLE "Weird ""Schema"""."My Table" RENAME COLUMN "Col" TO "new col"',
      expected: [
        {
          rule: 'breaking-rename-column',
          severity: 'error',
          suggestion: { kind: 'rename-column', schema: 'Weird "Schema"', table: 'My Table', column: 'Col', newName: 'new col' },
        },
      ],
    },
    {
      name: 'unquoted names fold to lower case',
      input: 'ALTER TABLE Leads RENAME COLUMN User_Email TO Contact_Email',
      expected: [
        {
          rule: 'breaking-rename-column',
          severity: 'error',
          suggestion: { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' },
        },
      ],
    },
    {
      name: 'IF EXISTS, ONLY and a schema',
      input:
        'ALTER TABLE IF EXISTS ONLY app.leads RENAME COLUMN user_email TO contact_email; ALTER TABLE ONLY app.users DROP COLUMN IF EXISTS legacy_field CASCADE;',
      expected: [
        {
          rule: 'breaking-rename-column',
          severity: 'error',
          suggestion: { kind: 'rename-column', schema: 'app', table: 'leads', column: 'user_email', newName: 'contact_email' },
        },
        { rule: 'breaking-drop-column', severity: 'warning', suggestion: { kind: 'drop-column', schema: 'app', table: 'users', column: 'legacy_field' } },
      ],
    },
    {
      name: 'several subcommands in one ALTER TABLE, in order',
      input: `ALTER TABLE users
        DROP COLUMN legacy_field,
        ALTER COLUMN verified SET NOT NULL,
        ALTER COLUMN age TYPE bigint USING age::bigint,
        ADD COLUMN tier text NOT NULL,
        ADD COLUMN note text,
        ADD CONSTRAINT age_positive CHECK (age > 0) NOT VALID;`,
      expected: [
        { rule: 'breaking-drop-column', severity: 'warning', suggestion: { kind: 'drop-column', schema: 'public', table: 'users', column: 'legacy_field' } },
        { rule: 'breaking-set-not-null', severity: 'warning', suggestion: { kind: 'set-not-null', schema: 'public', table: 'users', column: 'verified' } },
        { rule: 'breaking-change-column-type', severity: 'error', suggestion: changeType('age', 'bigint', 'users') },
        {
          rule: 'breaking-add-required-column',
          severity: 'error',
          suggestion: { kind: 'add-column', schema: 'public', table: 'users', column: 'tier', type: 'text', notNull: true },
        },
      ],
    },
    {
      name: 'type change: the new type as written',
      input: `ALTER TABLE orders ALTER COLUMN status TYPE integer;
        ALTER TABLE orders ALTER COLUMN total SET DATA TYPE numeric(10,2);
        ALTER TABLE orders ALTER COLUMN tags TYPE varchar(20)[];
        ALTER TABLE orders ALTER COLUMN kind TYPE "OrderKind";
        ALTER TABLE orders ALTER COLUMN ratio TYPE double precision;
        ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamptz;
        ALTER TABLE orders ALTER COLUMN code TYPE int4;
        ALTER TABLE orders ALTER COLUMN state TYPE billing.order_state;`,
      expected: [
        ['status', 'integer'],
        ['total', 'numeric(10,2)'],
        ['tags', 'varchar(20)[]'],
        ['kind', '"OrderKind"'],
        ['ratio', 'double precision'],
        ['placed_at', 'timestamptz'],
        ['code', 'int4'],
        ['state', 'billing.order_state'],
      ].map(([column, type]) => ({ rule: 'breaking-change-column-type', severity: 'error' as const, suggestion: changeType(column!, type!) })),
    },
    {
      name: 'type change to a type that cannot be written back: finding without a suggestion',
      input: 'ALTER TABLE jobs ALTER COLUMN every TYPE interval day to second;',
      expected: [{ rule: 'breaking-change-column-type', severity: 'error' }],
    },
    {
      name: 'ADD COLUMN NOT NULL without a DEFAULT',
      input: 'ALTER TABLE users ADD COLUMN verified boolean NOT NULL;',
      expected: [
        {
          rule: 'breaking-add-required-column',
          severity: 'error',
          suggestion: { kind: 'add-column', schema: 'public', table: 'users', column: 'verified', type: 'boolean', notNull: true },
        },
      ],
    },
    {
      name: 'ADD COLUMN PRIMARY KEY and NOT NULL DEFAULT NULL are required columns too',
      input: 'ALTER TABLE events ADD COLUMN id bigint PRIMARY KEY; ALTER TABLE events ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT NULL;',
      expected: [
        {
          rule: 'breaking-add-required-column',
          severity: 'error',
          suggestion: { kind: 'add-column', schema: 'public', table: 'events', column: 'id', type: 'bigint', notNull: true },
        },
        {
          rule: 'breaking-add-required-column',
          severity: 'error',
          suggestion: { kind: 'add-column', schema: 'public', table: 'events', column: 'source', type: 'text', notNull: true },
        },
      ],
    },
    {
      name: 'a column renamed away and its name reused is the same trap',
      input: 'ALTER TABLE orders RENAME COLUMN status TO status_old; ALTER TABLE orders RENAME COLUMN status_code TO status;',
      expected: [
        {
          rule: 'breaking-rename-column',
          severity: 'error',
          suggestion: { kind: 'rename-column', schema: 'public', table: 'orders', column: 'status', newName: 'status_old' },
        },
        {
          rule: 'breaking-rename-reuses-name',
          severity: 'error',
          suggestion: { kind: 'rename-column', schema: 'public', table: 'orders', column: 'status_code', newName: 'status' },
        },
      ],
    },
    {
      name: 'a name dropped in another table or schema is no trap',
      input: 'ALTER TABLE invoices DROP COLUMN status; ALTER TABLE app.orders DROP COLUMN status; ALTER TABLE orders RENAME COLUMN status_code TO status;',
      expected: [
        { rule: 'breaking-drop-column', severity: 'warning', suggestion: { kind: 'drop-column', schema: 'public', table: 'invoices', column: 'status' } },
        { rule: 'breaking-drop-column', severity: 'warning', suggestion: { kind: 'drop-column', schema: 'app', table: 'orders', column: 'status' } },
        {
          rule: 'breaking-rename-column',
          severity: 'error',
          suggestion: { kind: 'rename-column', schema: 'public', table: 'orders', column: 'status_code', newName: 'status' },
        },
      ],
    },
    {
      name: 'CREATE TABLE IF NOT EXISTS may meet a table in use: changes to it still count',
      input: 'CREATE TABLE IF NOT EXISTS users (id bigint); ALTER TABLE users DROP COLUMN legacy_field;',
      expected: [
        { rule: 'breaking-drop-column', severity: 'warning', suggestion: { kind: 'drop-column', schema: 'public', table: 'users', column: 'legacy_field' } },
      ],
    },
  ])('$name', async ({ input, expected }) => {
    expect(shape(await detect(input))).toEqual(expected);
  });

  it.each([
    { name: 'ADD COLUMN nullable', input: 'ALTER TABLE leads ADD COLUMN contact_email text;' },
    { name: 'ADD COLUMN NOT NULL DEFAULT false', input: 'ALTER TABLE users ADD COLUMN verified boolean NOT NULL DEFAULT false;' },
    { name: 'ADD COLUMN identity', input: 'ALTER TABLE events ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;' },
    { name: 'ADD COLUMN serial', input: 'ALTER TABLE events ADD COLUMN seq bigserial NOT NULL;' },
    { name: 'ADD COLUMN generated', input: 'ALTER TABLE users ADD COLUMN email_lower text NOT NULL GENERATED ALWAYS AS (lower(email)) STORED;' },
    { name: 'CREATE INDEX CONCURRENTLY', input: 'CREATE INDEX CONCURRENTLY leads_contact_email_idx ON leads (contact_email);' },
    { name: 'CREATE TABLE', input: 'CREATE TABLE audit (id bigint PRIMARY KEY, note text NOT NULL);' },
    {
      name: 'changes to a table created earlier in the same input',
      input:
        'CREATE TABLE drafts (id bigint, body text); ALTER TABLE drafts RENAME COLUMN body TO content; ALTER TABLE drafts ADD COLUMN owner text NOT NULL, DROP COLUMN id;',
    },
    {
      name: 'CHECK NOT VALID and VALIDATE',
      input: 'ALTER TABLE users ADD CONSTRAINT verified_nn CHECK (verified IS NOT NULL) NOT VALID; ALTER TABLE users VALIDATE CONSTRAINT verified_nn;',
    },
    { name: 'queries and DML', input: "SELECT user_email FROM leads; UPDATE orders SET status = 'done' WHERE id = $1;" },
    { name: 'DROP NOT NULL and DROP DEFAULT', input: 'ALTER TABLE users ALTER COLUMN verified DROP NOT NULL, ALTER COLUMN verified DROP DEFAULT;' },
  ])('no finding: $name', async ({ input }) => {
    expect(await detect(input)).toEqual([]);
  });

  it('places each finding on its statement and line, with the source set', async () => {
    const findings = await detect(TYPE_CHANGE_RENAMED_BACK);
    expect(findings.map(({ source, statementIndex, line, column }) => ({ source, statementIndex, line, column }))).toEqual([
      { source: 'expand-contract', statementIndex: 2, line: 4, column: 1 },
      { source: 'expand-contract', statementIndex: 3, line: 5, column: 1 },
    ]);
    expect(findings[1]!.message).toContain('dropped on line 4');
    expect(findings[1]!.help).toContain('second breaking rename');
  });

  it('asks for the type-change mappings to be reviewed, and says the USING expression is not carried over', async () => {
    const [finding] = await detect("ALTER TABLE orders ALTER COLUMN status TYPE integer USING CASE status WHEN 'pending' THEN 1 END;");
    expect(finding!.help).toMatch(/review the mappings/i);
    expect(finding!.help).toContain('(status_new)::text');
    expect(finding!.help).toContain('USING expression is not carried over');
  });

  it('skips statement shapes it does not know instead of failing', () => {
    expect(
      detectBreakingChanges([
        { stmt: null, line: 1 },
        { stmt: { AlterTableStmt: { cmds: 'x' } }, line: 2 },
        { stmt: { Future: {} }, line: 3 },
      ]),
    ).toEqual([]);
  });

  it('writes names the way a reader types them', () => {
    expect(displayName('public', 'leads', 'user_email')).toBe('public.leads.user_email');
    expect(displayName('Weird "Schema"', 'My Table', 'Col')).toBe('"Weird ""Schema"""."My Table"."Col"');
  });
});
