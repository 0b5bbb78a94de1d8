import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncompatibleTypeError, PlanValidationError, UnsafeRawSqlError } from '../lib/migrations/errors';
import { planChange } from '../lib/planning/plan-change';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

let db: TestDatabase;
let c: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase('plan_change');
  c = await db.client();
  await c.query('CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, paid boolean); CREATE TABLE audit (n int);');
});
afterAll(() => db.drop());

const errorsOf = (p: Promise<unknown>) =>
  p.then(
    () => [],
    (e: PlanValidationError) => (expect(e).toBeInstanceOf(PlanValidationError), e.errors),
  );

describe('planChange against the live target', () => {
  it('type-checks mappings with Postgres, without reading rows', async () => {
    const [error] = await errorsOf(
      planChange(c, {
        kind: 'change-type',
        schema: 'public',
        table: 'orders',
        column: 'paid',
        newColumn: 'paid_n',
        newType: 'integer',
        forward: '{{old}} + 1',
        reverse: '{{new}} = 1',
      }),
    );
    expect(error).toBeInstanceOf(IncompatibleTypeError);
    expect(error!.message).toContain('operator does not exist: boolean + integer');
    const ok = await planChange(c, {
      kind: 'change-type',
      schema: 'public',
      table: 'orders',
      column: 'paid',
      newColumn: 'paid_n',
      newType: 'integer',
      forward: '{{old}}::int',
      reverse: '{{new}} = 1',
    });
    expect(ok.id).toBe('change-type.public.orders.paid.paid_n');
  });

  it('refuses a fill that references a column the table does not have', async () => {
    const [error] = await errorsOf(planChange(c, { kind: 'set-not-null', schema: 'public', table: 'orders', column: 'paid', fill: '{{row}}."settled"' }));
    expect(error!.message).toContain('column t.settled does not exist');
  });

  it('plans without side effects: an expression calling a writing function is refused and changes nothing', async () => {
    await c.query("CREATE FUNCTION bump() RETURNS int LANGUAGE sql AS 'INSERT INTO audit VALUES (1) RETURNING 1'");
    const [error] = await errorsOf(
      planChange(c, { kind: 'add-column', schema: 'public', table: 'orders', column: 'x', type: 'int', notNull: true, backfill: 'public.bump()' }),
    );
    expect(error!.message).toContain('calls public.bump(), which is volatile');
    expect((await c.query('SELECT count(*)::int AS n FROM audit')).rows[0]!.n).toBe(0);
  });

  it('lints raw SQL itself and refuses a breaking statement', async () => {
    const [error] = await errorsOf(planChange(c, { kind: 'raw-sql', name: 'rename', sql: 'ALTER TABLE orders RENAME COLUMN status TO state;' }));
    expect(error).toBeInstanceOf(UnsafeRawSqlError);
    expect((error as UnsafeRawSqlError).findings.map((f) => f.rule)).toContain('breaking-rename-column');
    const plan = await planChange(c, { kind: 'raw-sql', name: 'index', sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);' });
    expect(plan.steps[0]).toMatchObject({ transactional: false, phase: 'expand' });
  });
});
