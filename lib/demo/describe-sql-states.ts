import { SQL_STATE } from '../db/sql-state';

/** Error counts by SQLSTATE, as the replay reports them: the one the naive rename causes is named. */
export function describeSqlStates(bySqlstate: Record<string, number>): string {
  return Object.entries(bySqlstate)
    .map(([state, n]) => `${state}${state === SQL_STATE.undefinedColumn ? ' undefined_column' : ''} ×${n}`)
    .join(', ');
}
