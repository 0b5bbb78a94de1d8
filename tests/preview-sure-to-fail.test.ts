import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ColumnAlreadyExistsError, InvalidMappingError, PlanValidationError, UnconvertibleValuesError } from '../lib/migrations/errors';
import type { OperationSpec } from '../lib/migrations/types';
import { planChange } from '../lib/planning/plan-change';
import { PROBE_ROLE } from '../lib/planning/probe-expressions';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

let db: TestDatabase;
let c: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase('sure_to_fail');
  c = await db.client();
  await c.query(`CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, note text, paid boolean NOT NULL DEFAULT false);
    INSERT INTO orders SELECT g, (g % 900)::text FROM generate_series(1, 3000) g;
    INSERT INTO orders SELECT g, 'pending' FROM generate_series(3001, 3040) g;
    INSERT INTO orders SELECT g, 'processing' FROM generate_series(3041, 3060) g;
    INSERT INTO orders VALUES (3061, 'on hold');`);
});
afterAll(() => db.drop());

const errorsOf = (p: Promise<unknown>) =>
  p.then(
    () => [],
    (e: PlanValidationError) => (expect(e).toBeInstanceOf(PlanValidationError), e.errors),
  );

const retype = (forward: string, newType = 'integer'): OperationSpec => ({
  kind: 'change-type',
  schema: 'public',
  table: 'orders',
  column: 'status',
  newColumn: 'status_code',
  newType,
  forward,
  reverse: '{{new}}::text',
});

describe('the preview refuses a plan the live data would make fail', () => {
  it('counts the rows a plain cast cannot convert, with the commonest values and what Postgres says', async () => {
    const [error, ...more] = await errorsOf(planChange(c, retype('{{old}}::integer')));
    expect(more).toEqual([]);
    expect(error).toBeInstanceOf(UnconvertibleValuesError);
    const u = error as UnconvertibleValuesError;
    expect(u.found).toEqual({ rows: 61, examples: ['pending', 'processing', 'on hold'], values: 3, complete: true });
    expect(u.message).toBe(
      `61 rows of public.orders.status cannot be converted to integer by the forward mapping ('pending', 'processing', 'on hold'): invalid input syntax for type integer: "pending"`,
    );
    expect(u.advice).toContain("CASE {{old}} WHEN 'pending' THEN");
  });

  it('counts the values a CASE without them turns into NULL', async () => {
    const forward = "CASE WHEN {{old}} ~ '^[0-9]+$' THEN {{old}}::integer WHEN {{old}} = 'pending' THEN -1 END";
    const [error] = await errorsOf(planChange(c, retype(forward)));
    expect((error as UnconvertibleValuesError).found).toEqual({ rows: 21, examples: ['processing', 'on hold'], values: 2, complete: true });
    expect(error!.message).toContain('the forward mapping gives NULL for them');
  });

  it('plans a mapping that converts every value, and the probe role still may not read the table', async () => {
    const forward = "CASE WHEN {{old}} ~ '^[0-9]+$' THEN {{old}}::integer ELSE -1 END";
    const plan = await planChange(c, retype(forward));
    expect(plan.id).toBe('change-type.public.orders.status.status_code');
    const { rows } = await c.query('SELECT has_table_privilege($1, $2, $3) AS may', [PROBE_ROLE, 'public.orders', 'SELECT']);
    expect(rows[0].may).toBe(false);
  });

  it('never runs a function the target defines to count: the plan says the pre-flight check will', async () => {
    await c.query(`CREATE TABLE calls (id int PRIMARY KEY, n text); INSERT INTO calls VALUES (1, 'x');
      CREATE FUNCTION counted(text) RETURNS int STABLE LANGUAGE plpgsql AS $$ BEGIN INSERT INTO calls VALUES (2, 'ran'); RETURN $1::int; END $$`);
    const plan = await planChange(c, { ...retype('public.counted({{old}})'), table: 'calls', column: 'n', newColumn: 'n_int' } as OperationSpec);
    expect(plan.notes.join('\n')).toContain('the forward mapping was not tried on the live values, as it uses what the target defines');
    expect((await c.query('SELECT count(*)::int AS n FROM calls')).rows[0].n).toBe(1);
  });

  it('refuses a type that does not exist, for a type change and a new column', async () => {
    const [retyped] = await errorsOf(planChange(c, retype('{{old}}::strnig', 'strnig')));
    expect(retyped!.message).toContain('type "strnig" does not exist');
    const [added] = await errorsOf(planChange(c, { kind: 'add-column', schema: 'public', table: 'orders', column: 'mood', type: 'strnig', notNull: false }));
    expect(added!.message).toContain('type "strnig" does not exist');
  });

  it('refuses a new column whose name is taken and a column that is already NOT NULL', async () => {
    const [taken] = await errorsOf(planChange(c, { kind: 'add-column', schema: 'public', table: 'orders', column: 'note', type: 'text', notNull: false }));
    expect(taken).toBeInstanceOf(ColumnAlreadyExistsError);
    const [retypedInto] = await errorsOf(planChange(c, { ...retype('{{old}}::integer'), newColumn: 'note' } as OperationSpec));
    expect(retypedInto).toBeInstanceOf(ColumnAlreadyExistsError);
    const [notNull] = await errorsOf(planChange(c, { kind: 'set-not-null', schema: 'public', table: 'orders', column: 'paid' }));
    expect(notNull).toBeInstanceOf(InvalidMappingError);
    expect(notNull!.message).toContain('is already NOT NULL');
  });
});
