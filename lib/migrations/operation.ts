import type { PlanError } from './errors';
import type { SchemaSnapshot, TableInfo } from './schema';
import type { BackfillSpec, OperationSpec, ParitySpec, PlanOptions, Step } from './types';

export interface OperationContext<S extends OperationSpec> {
  spec: S;
  /** The table the operation acts on, as introspected (validated to exist). */
  table: TableInfo;
  options: PlanOptions;
  planId: string;
}

/**
 * One kind of schema change. Every method returns data (steps with SQL text) and
 * never touches a database; `validate` runs first and the others may assume it passed.
 */
export interface Operation<S extends OperationSpec> {
  kind: S['kind'];
  describe(spec: S): { id: string; slug: string; title: string };
  /** The table to look up, or null for raw SQL. */
  target(spec: S): { schema: string; table: string } | null;
  validate(spec: S, table: TableInfo | undefined, snapshot: SchemaSnapshot): PlanError[];
  preflight(ctx: OperationContext<S>): Step[];
  expand(ctx: OperationContext<S>): Step[];
  backfill(ctx: OperationContext<S>): { spec: BackfillSpec | null; steps: Step[] };
  verify(ctx: OperationContext<S>): ParitySpec | null;
  contract(ctx: OperationContext<S>): Step[];
  rollback(ctx: OperationContext<S>): Step[];
  restore(ctx: OperationContext<S>): Step[];
  notes(ctx: OperationContext<S>): string[];
}
