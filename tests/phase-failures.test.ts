import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../lib/errors/app-error';
import { runPhase } from '../lib/executor/run-phase';
import { PhaseFailedError, StepFailedError } from '../lib/executor/phase-failure';
import { isConnectionLoss } from '../lib/db/watch-connection';
import { CheckFailedError } from '../lib/executor/run-step';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
beforeAll(async () => {
  w = await executorWorld('fail');
});
afterAll(() => w.close());

const deps = () => ({ store: w.store, target: w.target, signals: false });

async function failureOf(p: Promise<unknown>): Promise<StepFailedError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StepFailedError);
  return error as StepFailedError;
}

describe('a step that fails on the target is the product error, with its step, SQL, SQLSTATE and what to do', () => {
  it('a cast the live data defeats: names the step and its SQL, Postgres and the rows that cannot be cast, counted', async () => {
    await w.target.query(`CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);
      INSERT INTO orders SELECT g, (g % 7)::text FROM generate_series(1, 700) g`);
    // Planned while every value converts; the data changes before the expand runs, as it does in production.
    const id = await w.register({
      kind: 'change-type',
      schema: 'public',
      table: 'orders',
      column: 'status',
      newColumn: 'status_code',
      newType: 'integer',
      forward: '{{old}}::integer',
      reverse: '{{new}}::text',
    });
    await w.target.query(`INSERT INTO orders SELECT g, 'pending' FROM generate_series(701, 1934) g;
      INSERT INTO orders SELECT g, 'processing' FROM generate_series(1935, 1944) g; INSERT INTO orders VALUES (1945, 'shipped');`);

    const error = await failureOf(runPhase(deps(), id, 'expand'));
    const { plan } = await w.store.getMigration(id);
    const step = plan.steps.find((s) => s.id === error.stepId)!;
    expect(step.id).toBe('change-type.public.orders.status.status_code/preflight/01-unconvertible_values');
    expect(error.sql).toBe(step.sql);
    expect(error.sqlState).toBe('22P02');
    expect(error.kind).toBe('conflict');
    expect(error.databaseMessage).toBe('invalid input syntax for type integer: "pending"');
    // 1,234 pending + 10 processing + 1 shipped; the commonest first.
    expect(error.advice).toMatch(
      /^1,245 rows of public\.orders\.status cannot be cast to integer \('pending', 'processing', 'shipped'\): give a forward mapping/,
    );
    expect(error.message).toContain(`expand of migration ${id} failed at step ${step.id}: invalid input syntax for type integer: "pending" [SQLSTATE 22P02]`);
    expect(error.detail).toEqual({
      title: `expand failed at step ${step.id}`,
      sql: step.sql,
      cause: 'Postgres: invalid input syntax for type integer: "pending" [SQLSTATE 22P02]',
      advice: error.advice,
    });

    // What the page and the audit show later: the run and the step failed with the same words.
    const runs = await w.pool.query<{ status: string; error: string; step_status: string; step_error: string }>(
      `SELECT r.status, r.error, s.status AS step_status, s.error AS step_error
         FROM expand_contract.phase_runs r JOIN expand_contract.step_runs s ON s.phase_run_id = r.id WHERE r.migration_id = $1 AND s.step_id = $2`,
      [id, step.id],
    );
    expect(runs.rows).toEqual([{ status: 'failed', error: error.message, step_status: 'failed', step_error: error.message }]);
    expect((await w.store.getMigration(id)).status).toBe('planned');
    // Nothing was added: the failed check stopped the expand before its DDL.
    expect((await w.target.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'status_code'")).rowCount).toBe(0);

    // Fixed data, same plan: the expand now runs.
    await w.target.query("DELETE FROM orders WHERE status !~ '^[0-9]+$'");
    expect((await runPhase(deps(), id, 'expand')).status).toBe('succeeded');
  });

  it('a schema that changed under the plan: the DDL step fails with its SQLSTATE and the advice to plan again', async () => {
    await w.target.query(`CREATE TYPE mood AS ENUM ('ok', 'sad'); CREATE TABLE moods (id int PRIMARY KEY, note text)`);
    const id = await w.register({ kind: 'add-column', schema: 'public', table: 'moods', column: 'mood', type: 'mood', notNull: false });
    await w.target.query('DROP TYPE mood');
    const error = await failureOf(runPhase(deps(), id, 'expand'));
    expect(error.sqlState).toBe('42704');
    expect(error.databaseMessage).toBe('type "mood" does not exist');
    expect(error.sql).toContain('ADD COLUMN IF NOT EXISTS "mood" mood');
    expect(error.advice).toBe('the target schema changed since this plan was made: roll back what this migration added, then plan the change again');
  });

  it('a check that finds rows keeps its own error, and shows the query that finds them', async () => {
    await w.target.query(
      'CREATE TABLE people (id int PRIMARY KEY, nick text); INSERT INTO people SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE g::text END FROM generate_series(1, 40) g',
    );
    const id = await w.register({ kind: 'set-not-null', schema: 'public', table: 'people', column: 'nick' });
    const error = await runPhase(deps(), id, 'expand').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckFailedError);
    const check = error as CheckFailedError;
    expect(check.count).toBe(10);
    const { plan } = await w.store.getMigration(id);
    expect(check.detail).toEqual({
      title: `check ${check.stepId} found 10 row(s)`,
      sql: plan.steps.find((s) => s.id === check.stepId)!.sql,
      cause: check.description,
      advice: 'this query finds them: fix those rows (or the plan), then run the phase again',
    });
  });

  it('a failure outside the steps is typed too, and a lost connection still reads as one', async () => {
    const wrapped = new PhaseFailedError(1, 'expand', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
    expect(wrapped).toBeInstanceOf(AppError);
    expect(wrapped.kind).toBe('unavailable');
    expect(isConnectionLoss(wrapped)).toBe(true);
    expect(wrapped.message).toBe(
      'expand of migration 1 failed: terminating connection due to administrator command [SQLSTATE 57P01]. What to do: run the phase again once the database answers',
    );
  });
});
