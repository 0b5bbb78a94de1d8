import type { CatalogFacts } from './operation';
import { operationFor } from './operations';
import { findColumn, type TableInfo } from './schema';
import type { OperationSpec } from './types';

/** Whether the table shows what the facts say: these columns present, these absent, these NOT NULL. */
export function catalogShows(facts: CatalogFacts, table: TableInfo | undefined): boolean {
  if (!table) return false;
  const has = (c: string) => !!findColumn(table, c);
  return facts.present.every(has) && !facts.absent.some(has) && facts.notNull.every((c) => has(c) && !findColumn(table, c)!.nullable);
}

/** Objects the product generates are named ec_… (names.ts): triggers of that name on the table are an expand's. */
const GENERATED = /^ec_/;

/**
 * The table as it was before the spec's expand ran, read from the table after it: the columns
 * the expand adds (present after it, absent after its rollback) and what depends on them are
 * taken out, and so are the sync triggers it put on the old column. Planning against it gives
 * the plan whose expand this was. Null when the operation cannot say what its expand adds.
 */
export function tableBeforeExpand(spec: OperationSpec, table: TableInfo): TableInfo | null {
  const op = operationFor(spec);
  const after = op.catalogAfter(spec, 'expand');
  const rolledBack = op.catalogAfter(spec, 'rollback');
  if (!after || !rolledBack) return null;
  const added = new Set(after.present.filter((c) => rolledBack.absent.includes(c)));
  return {
    ...table,
    columns: table.columns.filter((c) => !added.has(c.name)),
    dependents: table.dependents.filter((d) => !added.has(d.column) && !(d.kind === 'trigger' && GENERATED.test(d.name))),
  };
}
