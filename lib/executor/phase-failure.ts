import type { ClientBase } from 'pg';
import { AppError, type ErrorKind } from '../errors/app-error';
import { isDataException, SQL_STATE, sqlState } from '../db/sql-state';
import { isConnectionLoss } from '../db/watch-connection';
import { describeUnconvertible } from '../migrations/errors';
import type { Plan, Step } from '../migrations/types';
import type { RunPhase } from '../state/records';
import { countUncastable } from './count-uncastable';

/**
 * What a form shows of a failure beyond its one line (the `detail` lib/auth/guarded-action hands
 * the form): what failed, the SQL it ran, what the database said, and what to do.
 */
export interface StepFailureDetail {
  title: string;
  sql: string;
  cause: string;
  advice: string;
}

const firstLine = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0]!;

/** The database's words, with the SQLSTATE that names the kind of failure. */
function databaseSays(error: unknown): string {
  const state = sqlState(error);
  const detail = (error as { detail?: unknown }).detail;
  return `${firstLine(error)}${typeof detail === 'string' && detail ? ` (${detail})` : ''}${state && /^[0-9A-Z]{5}$/.test(state) ? ` [SQLSTATE ${state}]` : ''}`;
}

const kindOf = (error: unknown): ErrorKind => (isConnectionLoss(error) ? 'unavailable' : 'conflict');

/**
 * A planned step failed on the target. Carries the step, its SQL, the database's message and
 * SQLSTATE, and what to do; `cause` is the driver's own error, so a lost connection is still
 * recognised as one further up.
 */
export class StepFailedError extends AppError {
  readonly code = 'step-failed';
  readonly kind: ErrorKind;
  readonly sqlState: string | undefined;
  readonly databaseMessage: string;
  readonly detail: StepFailureDetail;
  constructor(
    readonly migrationId: number,
    readonly phase: RunPhase,
    readonly stepId: string,
    readonly sql: string,
    cause: unknown,
    readonly advice: string,
  ) {
    const says = databaseSays(cause);
    super(`${phase} of migration ${migrationId} failed at step ${stepId}: ${says}. What to do: ${advice}`, { cause });
    this.name = 'StepFailedError';
    this.kind = kindOf(cause);
    this.sqlState = sqlState(cause);
    this.databaseMessage = firstLine(cause);
    this.detail = { title: `${phase} failed at step ${stepId}`, sql, cause: `Postgres: ${says}`, advice };
  }
}

/** A phase failed outside its planned steps (reading the catalog, recording history, the state database). */
export class PhaseFailedError extends AppError {
  readonly code = 'phase-failed';
  readonly kind: ErrorKind;
  constructor(
    readonly migrationId: number,
    readonly phase: RunPhase,
    cause: unknown,
  ) {
    super(
      `${phase} of migration ${migrationId} failed: ${databaseSays(cause)}. What to do: ${
        isConnectionLoss(cause) ? 'run the phase again once the database answers' : 'fix the cause and run the phase again; steps already done are recorded'
      }`,
      { cause },
    );
    this.name = 'PhaseFailedError';
    this.kind = kindOf(cause);
  }
}

/** Any error a phase throws, as the product's own: its typed errors as they are, anything else named by migration and phase. */
export const asPhaseFailure = (migrationId: number, phase: RunPhase, error: unknown): AppError =>
  error instanceof AppError ? error : new PhaseFailedError(migrationId, phase, error);

const AGAIN = 'then run the phase again';

/** What to do about a step that failed, from its SQLSTATE; for a failed cast, how many rows and which values. */
async function adviceFor(target: ClientBase, plan: Plan, step: Step, error: unknown): Promise<string> {
  if (isConnectionLoss(error)) return `the connection to the target was lost: ${AGAIN} once it answers`;
  const state = sqlState(error);
  const spec = plan.operation;
  if (isDataException(state)) {
    if (spec.kind === 'change-type') {
      const found = await countUncastable(target, { schema: spec.schema, name: spec.table }, spec.column, spec.newType).catch(() => null);
      if (found?.rows) {
        return `${describeUnconvertible(`${spec.schema}.${spec.table}`, spec.column, `cannot be cast to ${spec.newType}`, found)}: give a forward mapping that converts every value (e.g. CASE {{old}} WHEN … THEN … ELSE … END), or fix those rows, plan the change again and run it`;
      }
      return `a value of ${spec.schema}.${spec.table}.${spec.column} cannot be converted by the forward mapping: make the mapping convert every value (a CASE with an ELSE), plan the change again and run it`;
    }
    return `a row holds a value this step cannot convert or store: fix the data or the statement, ${AGAIN}`;
  }
  switch (state) {
    case SQL_STATE.notNullViolation:
      return `rows hold NULL where this step needs a value: fill them (a default or an UPDATE), ${AGAIN}`;
    case SQL_STATE.checkViolation:
      return `rows break the constraint: fix them, ${AGAIN}`;
    case SQL_STATE.uniqueViolation:
      return `the table holds duplicate values: remove the duplicates, ${AGAIN}`;
    case SQL_STATE.queryCanceled:
      return `the step ran past its statement_timeout: run the phase when the table is quieter, or plan it again with longer timeouts`;
    case SQL_STATE.insufficientPrivilege:
      return `the target login may not do this: run the product as the table's owner (e.g. the postgres role), ${AGAIN}`;
    case SQL_STATE.undefinedColumn:
    case SQL_STATE.undefinedTable:
    case SQL_STATE.undefinedObject:
    case SQL_STATE.duplicateColumn:
    case SQL_STATE.duplicateTable:
      return 'the target schema changed since this plan was made: roll back what this migration added, then plan the change again';
  }
  return step.transactional
    ? `the step ran in its own transaction and was rolled back: fix the cause, ${AGAIN}`
    : `this step runs outside a transaction: check what it left on the target, ${AGAIN}`;
}

/** A failed step as the product's error, with its advice; the product's own errors (a check that found rows, a lock not granted) stay as they are. */
export async function stepFailure(target: ClientBase, plan: Plan, migrationId: number, phase: RunPhase, step: Step, error: unknown): Promise<AppError> {
  if (error instanceof AppError) return error;
  return new StepFailedError(migrationId, phase, step.id, step.sql, error, await adviceFor(target, plan, step, error));
}
