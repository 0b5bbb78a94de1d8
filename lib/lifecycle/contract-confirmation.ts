import type { OperationSpec } from '../migrations/types';

/**
 * What the person on call types to contract, or restore, a migration: the old column as
 * table.column, so nobody drops (or brings back) a column by reflex. The form shows it, the
 * server checks it.
 */
export const contractConfirmation = (spec: OperationSpec): string => ('table' in spec && 'column' in spec ? `${spec.table}.${spec.column}` : '');
