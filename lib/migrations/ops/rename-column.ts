import { ownColumn } from '../column-facts';
import { identityMapping, swapCatalog, swapNotes, swapPhases, type ColumnSwap } from '../column-swap';
import { slugify } from '../names';
import type { Operation, OperationContext } from '../operation';
import { findColumn } from '../schema';
import type { OperationSpec } from '../types';
import { blockingDependents, validateExistingColumn, validateNewColumn } from '../validate';

type Spec = Extract<OperationSpec, { kind: 'rename-column' }>;

function swap(ctx: OperationContext<Spec>): ColumnSwap {
  const { spec, table } = ctx;
  return {
    schema: spec.schema,
    table,
    oldColumn: spec.column,
    newColumn: spec.newName,
    newType: findColumn(table, spec.column)!.type,
    // Comparisons, ordering and unique indexes on the new column must behave as on the old one.
    newCollation: findColumn(table, spec.column)!.collation,
    ...identityMapping,
  };
}

/** table.old → table.new without breaking code that still uses the old name. */
export const renameColumn: Operation<Spec> = {
  kind: 'rename-column',
  describe: (s) => ({
    id: `rename-column.${s.schema}.${s.table}.${s.column}.${s.newName}`,
    slug: slugify('rename', s.table, s.column, 'to', s.newName),
    title: `Rename ${s.schema}.${s.table}.${s.column} to ${s.newName}`,
  }),
  target: (s) => ({ schema: s.schema, table: s.table }),
  validate(spec, table) {
    const errors = validateExistingColumn(table, spec, { requirePrimaryKey: true });
    if (!table || errors.length) return errors;
    return [...validateNewColumn(table, spec.newName), ...blockingDependents(table, spec.column, { movable: true })];
  },
  preflight: () => [],
  ...swapPhases(swap),
  notes: (ctx) => [
    `Old code keeps reading and writing ${ctx.spec.column}; new code uses ${ctx.spec.newName}. The trigger copies every write across until the contract.`,
    ...swapNotes(swap(ctx)),
  ],
  legacyColumn: ownColumn,
  // A rename has no author-written SQL.
  sqlFields: () => [],
  typeProbes: () => [],
  catalogAfter: (s, phase) => swapCatalog(s, s.newName, phase),
  form: { label: 'Rename a column', column: 'existing', fields: [{ name: 'newName', label: 'New name', value: 'name' }] },
  cli: {
    command: 'rename',
    usage: '<new_name>',
    options: {},
    parse(a) {
      a.need(2);
      return { kind: 'rename-column', ...a.target(), newName: a.columnName(a.positional(1)) };
    },
    words: (s) => [s.newName],
  },
};
