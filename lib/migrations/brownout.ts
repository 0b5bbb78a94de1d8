import { generatedName } from './names';
import { quoteIdent, quoteLiteral, quoteQualified } from './quote';
import { dollarQuote } from './sql-text';
import { syncFunctionSql, type SyncSpec } from './sync-trigger';
import type { QualifiedName, Timeouts } from './types';

/**
 * A brownout makes the old column unreachable for a set time, as the contract's drop would, in a
 * way one short statement undoes: the column is renamed to a name no code uses.
 *
 * Why a rename and not column privileges: on Supabase the application's roles hold table-wide
 * grants (a column REVOKE does not take those back) and a table's owner ignores privileges
 * altogether, so privileges would leave many readers reading. A rename breaks every reader by
 * name, owner or not, with the very error the drop would give (42703 undefined_column), and
 * is undone by renaming back: both are catalog-only, under lock_timeout.
 *
 * The sync functions name the old column, so they are swapped in the same transaction for
 * ones that name its brownout name: new code's writes keep reaching the old column, and are
 * there when it comes back. The triggers' WHEN clauses follow a rename by themselves.
 * What a rename cannot rehearse: a view follows it, so a reader through a view keeps working
 * (the gate names every view on the column from the catalog instead).
 */
export interface BrownoutSpec {
  table: QualifiedName;
  /** The column old code uses and the contract drops. */
  column: string;
  /** Its name during the brownout. */
  hiddenName: string;
  /** The sync trigger's spec (column swaps); null when nothing keeps another column in step (a drop). */
  sync: SyncSpec | null;
}

export const brownoutHiddenName = (table: string, column: string) => generatedName('ec_brownout', table, column);

export function brownoutSpec(table: QualifiedName, column: string, sync: SyncSpec | null): BrownoutSpec {
  return { table, column, hiddenName: brownoutHiddenName(table.name, column), sync };
}

/** What the executor runs: each one transaction, under SET LOCAL lock_timeout and statement_timeout. */
export interface BrownoutSql {
  /** Column renamed out of reach, sync functions following it. */
  start: string;
  /** Column back under its name, sync functions as they were. */
  revert: string;
  /** 'normal' (the column under its name), 'hidden' (browned out), or 'missing'; stateSql selects it as `state`. */
  stateExpression: string;
  stateSql: string;
  /** Locks the table for the rename first, so a revert racing another revert waits, then sees the column back. */
  lockSql: string;
}

export function brownoutSql(spec: BrownoutSpec): BrownoutSql {
  const table = quoteQualified(spec.table.schema, spec.table.name);
  const rename = (from: string, to: string) => `ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`;
  const functions = (column: string) => (spec.sync ? `;\n${syncFunctionSql({ ...spec.sync, oldColumn: column })}` : '');
  const attribute = (name: string) =>
    `EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = ${quoteLiteral(table)}::regclass AND attname = ${quoteLiteral(name)} AND attnum > 0 AND NOT attisdropped)`;
  const stateExpression = `CASE WHEN ${attribute(spec.column)} THEN 'normal' WHEN ${attribute(spec.hiddenName)} THEN 'hidden' ELSE 'missing' END`;
  return {
    start: `${rename(spec.column, spec.hiddenName)}${functions(spec.hiddenName)}`,
    revert: `${rename(spec.hiddenName, spec.column)}${functions(spec.column)}`,
    stateExpression,
    stateSql: `SELECT ${stateExpression} AS state`,
    lockSql: `LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`,
  };
}

/**
 * The database-side timer: one statement, sent on a connection of its own when the brownout
 * starts, just before the rename. It waits (up to `renameWithinSeconds`) to see the rename
 * committed, sleeps for the brownout's time from then, and reverts if the column is still hidden:
 * a rename that waited seconds for its lock still gets its whole time guarded. The server keeps
 * running a statement whose client died (it notices only when it next writes to the client), so a
 * dashboard, worker or CLI killed mid-brownout still leaves nothing browned out past its time.
 * Waits are committed a tenth of a second or a second at a time, so the timer holds no snapshot
 * back from vacuum; a lock it cannot get at once is retried every half second. (Its
 * statement_timeout cannot bound the DO statement already running; the rename back is a catalog
 * change, bounded by its lock_timeout.)
 */
export function brownoutTimerSql(spec: BrownoutSpec, seconds: number, timeouts: Timeouts, renameWithinSeconds = 15): string {
  if (!Number.isFinite(seconds) || seconds <= 0) throw new RangeError(`a brownout lasts a positive number of seconds, not ${seconds}`);
  if (!Number.isFinite(renameWithinSeconds) || renameWithinSeconds <= 0)
    throw new RangeError(`the rename's wait is a positive number of seconds, not ${renameWithinSeconds}`);
  const sql = brownoutSql(spec);
  // The end is the server's own clock: a dashboard whose clock is off cannot stretch the brownout.
  const body = `
DECLARE
  renamed_by timestamptz := clock_timestamp() + make_interval(secs => ${Number(renameWithinSeconds)});
  ends timestamptz;
BEGIN
  WHILE (${sql.stateExpression}) <> 'hidden' LOOP
    IF clock_timestamp() > renamed_by THEN
      RETURN;
    END IF;
    PERFORM pg_catalog.pg_sleep(0.1);
    COMMIT;
  END LOOP;
  ends := clock_timestamp() + make_interval(secs => ${Number(seconds)});
  WHILE clock_timestamp() < ends LOOP
    PERFORM pg_catalog.pg_sleep(least(1, greatest(0.05, extract(epoch FROM ends - clock_timestamp()))));
    COMMIT;
  END LOOP;
  LOOP
    BEGIN
      PERFORM pg_catalog.set_config('lock_timeout', ${quoteLiteral(timeouts.lockTimeout)}, true);
      PERFORM pg_catalog.set_config('statement_timeout', ${quoteLiteral(timeouts.statementTimeout)}, true);
      EXECUTE ${quoteLiteral(sql.lockSql)};
      IF (${sql.stateExpression}) = 'hidden' THEN
        EXECUTE ${quoteLiteral(sql.revert)};
      END IF;
      EXIT;
    EXCEPTION WHEN lock_not_available THEN
      PERFORM pg_catalog.pg_sleep(0.5);
    END;
  END LOOP;
END`;
  return `DO ${dollarQuote(body, 'ec_timer')}`;
}
