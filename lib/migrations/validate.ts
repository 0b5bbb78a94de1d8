import { byteLength, MAX_IDENTIFIER_BYTES } from './quote';
import {
  ColumnAlreadyExistsError,
  InvalidMappingError,
  ColumnDoesNotExistError,
  ColumnReferencedError,
  NoPrimaryKeyError,
  PrimaryKeyColumnError,
  TableDoesNotExistError,
  UnsupportedColumnError,
  type PlanError,
} from './errors';
import { isMovable } from './move-dependents';
import { findColumn, type ColumnDependent, type TableInfo } from './schema';

export const qualified = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;

/** Checks shared by every operation on an existing column. Returns errors, never throws. */
export function validateExistingColumn(
  table: TableInfo | undefined,
  target: { schema: string; table: string; column: string },
  options: { requirePrimaryKey: boolean },
): PlanError[] {
  if (!table) return [new TableDoesNotExistError(target.schema, target.table)];
  const name = qualified(table);
  const errors: PlanError[] = [];
  if (options.requirePrimaryKey && table.primaryKey.length === 0) errors.push(new NoPrimaryKeyError(name));
  const column = findColumn(table, target.column);
  if (!column) return [...errors, new ColumnDoesNotExistError(name, target.column)];
  if (table.primaryKey.includes(column.name)) errors.push(new PrimaryKeyColumnError(name, column.name));
  if (column.identity) {
    errors.push(
      new UnsupportedColumnError(
        name,
        column.name,
        'is an identity column',
        'identity columns feed on a sequence; replace them with a new table or keep the name',
      ),
    );
  }
  if (column.generated) {
    errors.push(new UnsupportedColumnError(name, column.name, 'is a generated column', 'change the generation expression instead of the column'));
  }
  return errors;
}

export function validateNewColumn(table: TableInfo, column: string): PlanError[] {
  if (column.length === 0 || byteLength(column) > MAX_IDENTIFIER_BYTES) {
    return [
      new InvalidMappingError('name', column, `must be 1 to ${MAX_IDENTIFIER_BYTES} bytes: Postgres would truncate a longer name`, 'choose a shorter name'),
    ];
  }
  return findColumn(table, column) ? [new ColumnAlreadyExistsError(qualified(table), column)] : [];
}

/** An index the planner can rebuild on the new column by itself: one column, no options. */
export function isCopyableIndex(d: ColumnDependent): boolean {
  return d.kind === 'index' && !!d.index && d.index.columnCount === 1 && !d.index.partial && !d.index.expression && !d.index.primary && d.index.plain;
}

/**
 * Objects that use the column and would break when it is dropped. Single-column indexes
 * (UNIQUE constraints come as their index) are not errors: the plan rebuilds them. Nor, for a
 * swap (`movable`), are the policies and views whose uses of the column the planner located:
 * the contract moves them to the new column.
 */
export function blockingDependents(table: TableInfo, column: string, { movable = false } = {}): ColumnReferencedError[] {
  return table.dependents
    .filter((d) => d.column === column && !isCopyableIndex(d) && !(movable && isMovable(d)))
    .map((d) => new ColumnReferencedError(qualified(table), column, d));
}
