import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspectSchema } from '../lib/db/introspect-schema';
import {
  ColumnAlreadyExistsError,
  ColumnDoesNotExistError,
  ColumnReferencedError,
  NoPrimaryKeyError,
  PlanValidationError,
  PrimaryKeyColumnError,
  TableDoesNotExistError,
  UnsupportedColumnError,
} from '../lib/migrations/errors';
import { planOperation } from '../lib/migrations/plan-operation';
import type { OperationSpec } from '../lib/migrations/types';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

let db: TestDatabase;
let c: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase('validate');
  c = await db.client();
  await c.query(`
    CREATE TABLE accounts (id int PRIMARY KEY, email text UNIQUE, owner_id int, region text, serial_no serial, ident int GENERATED ALWAYS AS IDENTITY,
                           lower_email text GENERATED ALWAYS AS (lower(email)) STORED, score int CHECK (score > 0), note text);
    CREATE TABLE owners (id int PRIMARY KEY);
    ALTER TABLE accounts ADD CONSTRAINT accounts_owner_fk FOREIGN KEY (owner_id) REFERENCES owners (id);
    CREATE VIEW account_regions AS SELECT id, region FROM accounts;
    ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
    CREATE POLICY by_note ON accounts USING (note IS NOT NULL);
    CREATE INDEX accounts_region_lower ON accounts (lower(region));
    CREATE TABLE events (at timestamptz, payload text);`);
});
afterAll(() => db.drop());

async function errorsOf(spec: OperationSpec) {
  const snapshot = await introspectSchema(c, ['public']);
  try {
    planOperation(spec, snapshot);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(PlanValidationError);
    return (e as PlanValidationError).errors;
  }
}

const rename = (column: string, newName = 'renamed', table = 'accounts'): OperationSpec => ({
  kind: 'rename-column',
  schema: 'public',
  table,
  column,
  newName,
});

describe('plans are validated against the introspected schema, with typed errors and advice', () => {
  it('missing table, missing column, taken name, no primary key, primary key column', async () => {
    expect((await errorsOf(rename('email', 'x', 'nope')))[0]).toBeInstanceOf(TableDoesNotExistError);
    expect(await errorsOf(rename('nope'))).toEqual([expect.any(ColumnDoesNotExistError)]);
    expect((await errorsOf(rename('note', 'region')))[0]).toMatchObject({ code: 'column-already-exists', table: 'public.accounts', column: 'region' });
    expect((await errorsOf(rename('payload', 'body', 'events')))[0]).toBeInstanceOf(NoPrimaryKeyError);
    expect((await errorsOf(rename('id')))[0]).toBeInstanceOf(PrimaryKeyColumnError);
    expect((await errorsOf(rename('note', 'region')))[0]).toBeInstanceOf(ColumnAlreadyExistsError);
  });

  it('reports views, policies, foreign keys, checks, expression indexes and generated columns that use the column', async () => {
    const kinds = async (column: string) =>
      (await errorsOf(rename(column))).map((e) => (e instanceof ColumnReferencedError ? `${e.dependent.kind}:${e.dependent.name}` : e.code));
    expect(await kinds('region')).toEqual(['index:accounts_region_lower', 'view:account_regions']);
    expect(await kinds('note')).toEqual(['policy:by_note']);
    expect(await kinds('owner_id')).toEqual(['constraint:accounts_owner_fk']);
    expect(await kinds('score')).toEqual(['constraint:accounts_score_check']);
    expect(await kinds('email')).toEqual(['generated-column:lower_email']);
    expect(await kinds('serial_no')).toEqual(['sequence:accounts_serial_no_seq']);
    const [policy] = await errorsOf(rename('note'));
    expect(policy!.advice).toContain('ALTER POLICY');
  });

  it('rebuilds single-column indexes (and UNIQUE constraints) instead of refusing', async () => {
    await c.query('ALTER TABLE accounts DROP COLUMN lower_email');
    const plan = planOperation(rename('email', 'contact_email'), await introspectSchema(c, ['public']));
    const index = plan.steps.find((s) => s.sql.startsWith('CREATE UNIQUE INDEX CONCURRENTLY'));
    expect(index).toMatchObject({ phase: 'backfill', transactional: false, lock: 'SHARE UPDATE EXCLUSIVE' });
  });

  it('refuses identity and generated columns', async () => {
    expect((await errorsOf(rename('ident')))[0]).toBeInstanceOf(UnsupportedColumnError);
  });

  it('collects every problem at once', async () => {
    const errors = await errorsOf({
      kind: 'change-type',
      schema: 'public',
      table: 'accounts',
      column: 'region',
      newColumn: 'note',
      newType: 'int; DROP TABLE x',
      forward: 'x',
      reverse: 'y',
    });
    expect(errors.map((e) => e.code)).toEqual(['invalid-mapping', 'invalid-mapping', 'invalid-mapping']);
  });
});
