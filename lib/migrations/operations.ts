import type { Operation } from './operation';
import { addColumn } from './ops/add-column';
import { changeType } from './ops/change-type';
import { dropColumn } from './ops/drop-column';
import { rawSql } from './ops/raw-sql';
import { renameColumn } from './ops/rename-column';
import { setNotNull } from './ops/set-not-null';
import type { OperationSpec } from './types';

type AnyOperation = Operation<OperationSpec>;

/** Every operation, one line each, in the order the form and the usage text list them. A kind without one does not compile. */
const REGISTRY: Record<OperationSpec['kind'], AnyOperation> = {
  'rename-column': renameColumn as AnyOperation,
  'change-type': changeType as AnyOperation,
  'set-not-null': setNotNull as AnyOperation,
  'add-column': addColumn as AnyOperation,
  'drop-column': dropColumn as AnyOperation,
  'raw-sql': rawSql as AnyOperation,
};

export const OPERATIONS: readonly AnyOperation[] = Object.values(REGISTRY);

/** The operation that plans this spec, typed for it. */
export function operationFor<S extends OperationSpec>(spec: S): Operation<S> {
  return REGISTRY[spec.kind as OperationSpec['kind']] as unknown as Operation<S>;
}
