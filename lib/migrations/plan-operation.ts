import { PlanValidationError } from './errors';
import type { OperationContext } from './operation';
import { operationFor } from './operations';
import { findTable, type SchemaSnapshot, type TableInfo } from './schema';
import { DEFAULT_PLAN_OPTIONS, type OperationSpec, type Plan, type PlanOptions } from './types';

// Raw SQL names no table; its steps never look at one.
const NO_TABLE: TableInfo = { schema: '', name: '', columns: [], primaryKey: [], estimatedRows: null, totalBytes: 0, rlsEnabled: false, dependents: [] };

/**
 * Intent + introspected schema → the full plan: every phase's steps, the backfill and the
 * parity check. Pure and deterministic: the same input always gives the same plan.
 * Throws PlanValidationError with every problem found.
 */
export function planOperation(spec: OperationSpec, snapshot: SchemaSnapshot, options: PlanOptions = DEFAULT_PLAN_OPTIONS): Plan {
  const op = operationFor(spec);
  const target = op.target(spec);
  const table = target ? findTable(snapshot, target.schema, target.table) : undefined;
  const errors = op.validate(spec, table, snapshot);
  if (errors.length) throw new PlanValidationError(errors);

  const { id, slug, title } = op.describe(spec);
  const ctx: OperationContext<OperationSpec> = { spec, table: table ?? NO_TABLE, options, planId: id };
  const backfill = op.backfill(ctx);
  return {
    id,
    slug,
    title,
    operation: spec,
    steps: [...op.preflight(ctx), ...op.expand(ctx), ...backfill.steps, ...op.contract(ctx), ...op.rollback(ctx), ...op.restore(ctx)],
    backfill: backfill.spec,
    batchSize: options.batchSize,
    parity: op.verify(ctx),
    notes: op.notes(ctx),
    brownout: op.brownout?.(ctx) ?? null,
  };
}
