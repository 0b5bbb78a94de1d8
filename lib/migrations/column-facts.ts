import type { CatalogFacts, TableColumn } from './operation';

/** The column a spec acts on, without the rest of the spec. */
export const ownColumn = (spec: TableColumn): TableColumn => ({ schema: spec.schema, table: spec.table, column: spec.column });

/** Catalog facts on the spec's table; what is not said is not checked. */
export function columnFacts(spec: TableColumn, facts: Partial<Pick<CatalogFacts, 'present' | 'absent' | 'notNull'>>): CatalogFacts {
  return { schema: spec.schema, table: spec.table, present: facts.present ?? [], absent: facts.absent ?? [], notNull: facts.notNull ?? [] };
}
