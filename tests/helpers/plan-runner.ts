import type pg from 'pg';
import { expect } from 'vitest';
import { introspectSchema } from '../../lib/db/introspect-schema';
import { runBackfill } from './run-backfill';
import { runStep } from '../../lib/executor/run-step';
import { planOperation } from '../../lib/migrations/plan-operation';
import type { OperationSpec, Phase, Plan, PlanOptions } from '../../lib/migrations/types';
import { DEFAULT_PLAN_OPTIONS } from '../../lib/migrations/types';

export async function planFor(client: pg.ClientBase, spec: OperationSpec, options: Partial<PlanOptions> = {}): Promise<Plan> {
  const schemas = 'schema' in spec ? [spec.schema] : ['public'];
  return planOperation(spec, await introspectSchema(client, schemas), { ...DEFAULT_PLAN_OPTIONS, ...options });
}

/** Runs every step of the given phases in order, driving backfills batch by batch. */
export async function runPhases(client: pg.ClientBase, plan: Plan, phases: Phase[], batchSize = 250): Promise<void> {
  for (const step of plan.steps.filter((s) => phases.includes(s.phase))) {
    if (step.kind === 'backfill') {
      await runBackfill(client, plan.backfill!, { batchSize, timeouts: { lockTimeout: '1s', statementTimeout: '30s' } });
    } else {
      await runStep(client, step);
    }
  }
}

export async function parity(client: pg.ClientBase, plan: Plan): Promise<number> {
  const { rows } = await client.query<{ count: string }>(plan.parity!.countSql);
  return Number(rows[0]!.count);
}

export async function columnsOf(client: pg.ClientBase, schema: string, table: string): Promise<string[]> {
  const { rows } = await client.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [schema, table],
  );
  return rows.map((r) => r.column_name);
}

export async function columnMustExist(client: pg.ClientBase, schema: string, table: string, column: string) {
  expect(await columnsOf(client, schema, table)).toContain(column);
}

export async function columnMustNotExist(client: pg.ClientBase, schema: string, table: string, column: string) {
  expect(await columnsOf(client, schema, table)).not.toContain(column);
}

/** The statement must fail with this SQLSTATE (and change nothing). */
export async function mustFail(client: pg.ClientBase, sql: string, values: unknown[], code: string) {
  const error = await client.query(sql, values).then(
    () => null,
    (e: { code?: string }) => e,
  );
  expect(error, `expected ${sql} to fail with ${code}`).not.toBeNull();
  expect(error!.code).toBe(code);
}

export async function objectExists(client: pg.ClientBase, kind: 'trigger' | 'function', name: string): Promise<boolean> {
  const sql = kind === 'trigger' ? 'SELECT 1 FROM pg_trigger WHERE tgname = $1' : 'SELECT 1 FROM pg_proc WHERE proname = $1';
  return ((await client.query(sql, [name])).rowCount ?? 0) > 0;
}
