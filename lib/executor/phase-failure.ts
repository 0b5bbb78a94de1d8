import type { ClientBase } from 'pg';
import { AppError, type ErrorKind } from '../errors/app-error';
import { isDataException, SQL_STATE, sqlState } from '../db/sql-state';
import { isConnectionLoss } from '../db/watch-connection';
import { describeUnconvertible } from '../migrations/errors';
import type { Plan, Step } from '../migrations/types';
import type { RunPhase } from '../state/records';
import { countUncastable } from './count-uncastable';
import { describeBlocker, LockBlockedError } from './lock-retry';
import { quoteIdent, quoteQualified } from '../migrations/quote';

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

/** The table a plan changes, as SQL, when its operation names one (raw SQL does not). */
function tableOf(plan: Plan): { schema: string; name: string; sql: string } | null {
  const spec = plan.operation;
  return 'table' in spec ? { schema: spec.schema, name: spec.table, sql: quoteQualified(spec.schema, spec.table) } : null;
}

/** A lost connection: whether anything of the step stayed depends on whether it ran in a transaction. */
function lostConnectionAdvice(step: Step, error: unknown): string {
  const state = sqlState(error);
  const lost = `the connection to the target was lost${state && /^[0-9A-Z]{5}$/.test(state) ? ` (${state})` : ''}`;
  return step.transactional
    ? `${lost} while this step ran in its own transaction: nothing of this step was committed (the steps before it were); run the phase again once the target answers`
    : `${lost} while this step ran outside a transaction: check what it left on the target (an index it was building stays INVALID: drop it), ${AGAIN} once the target answers`;
}

/** What to do about a step that failed, from what the error alone says (the target is not asked). */
export function adviceFromError(step: Step, error: unknown): string {
  if (isConnectionLoss(error)) return lostConnectionAdvice(step, error);
  if (isDataException(sqlState(error))) return `a row holds a value this step cannot convert or store: fix the data or the statement, ${AGAIN}`;
  switch (sqlState(error)) {
    case SQL_STATE.notNullViolation:
      return `rows hold NULL where this step needs a value: fill them (a default or an UPDATE), ${AGAIN}`;
    case SQL_STATE.checkViolation:
      return `rows break the constraint: fix them, ${AGAIN}`;
    case SQL_STATE.uniqueViolation:
      return `the table holds duplicate values: remove the duplicates, ${AGAIN}`;
    case SQL_STATE.queryCanceled:
      return `the step ran past its statement_timeout: run the phase when the table is quieter, or plan it again with longer timeouts`;
    case SQL_STATE.insufficientPrivilege:
      return `the target login lacks a privilege this step needs (Postgres names the object): grant it to the target login, or run the product as the table's owner; ${AGAIN}`;
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

/** What the target login may do to the migration's table, as the catalog says. */
export interface Privileges {
  login: string;
  /** schema.table, quoted. */
  table: string;
  schema: string;
  owner: string;
  /** The login is the owner or a member of the owning role: altering the table takes that. */
  ownsTable: boolean;
  /** Of USAGE and CREATE on the table's schema (the functions and the archive are created there). */
  schemaMissing: string[];
  /** Of the table privileges the phases use: SELECT (checks, backfill, parity), UPDATE (backfill), TRIGGER (sync triggers). */
  tableMissing: string[];
}

/** A refused privilege, named with the grant that fixes it. */
export function privilegeAdvice(p: Privileges): string {
  const login = quoteIdent(p.login);
  const fixes: string[] = [];
  if (!p.ownsTable) fixes.push(`it does not own ${p.table} (${quoteIdent(p.owner)} does): GRANT ${quoteIdent(p.owner)} TO ${login}`);
  if (p.schemaMissing.length)
    fixes.push(
      `it lacks ${p.schemaMissing.join(', ')} on schema ${quoteIdent(p.schema)}: GRANT ${p.schemaMissing.join(', ')} ON SCHEMA ${quoteIdent(p.schema)} TO ${login}`,
    );
  if (p.tableMissing.length) fixes.push(`it lacks ${p.tableMissing.join(', ')} on ${p.table}: GRANT ${p.tableMissing.join(', ')} ON ${p.table} TO ${login}`);
  if (!fixes.length) return `the target login ${login} lacks a privilege this step needs (Postgres names the object): grant it to ${login}, ${AGAIN}`;
  return `the target login ${login} may not do this step: ${fixes.join('; ')}; ${AGAIN}`;
}

const TABLE_PRIVILEGES = ['SELECT', 'UPDATE', 'TRIGGER'];

/** The catalog's answer about the target login and the table; null when the table is gone or the catalog cannot be read. */
async function readPrivileges(target: ClientBase, table: { schema: string; name: string; sql: string }): Promise<Privileges | null> {
  const { rows } = await target.query<Omit<Privileges, 'table' | 'schema'>>(
    `SELECT current_user AS login, pg_get_userbyid(c.relowner) AS owner, pg_has_role(current_user, c.relowner, 'USAGE') AS "ownsTable",
            array_remove(ARRAY[CASE WHEN NOT has_schema_privilege(current_user, n.oid, 'USAGE') THEN 'USAGE' END,
                               CASE WHEN NOT has_schema_privilege(current_user, n.oid, 'CREATE') THEN 'CREATE' END], NULL) AS "schemaMissing",
            ARRAY(SELECT p FROM unnest($3::text[]) WITH ORDINALITY AS u(p, i) WHERE NOT has_table_privilege(current_user, c.oid, p) ORDER BY i) AS "tableMissing"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [table.schema, table.name, TABLE_PRIVILEGES],
  );
  return rows[0] ? { ...rows[0], table: table.sql, schema: table.schema } : null;
}

/** What to do about a step that failed: from its SQLSTATE, and, where the target can say more (a failed cast, a refused privilege), from the target. */
async function adviceFor(target: ClientBase, plan: Plan, step: Step, error: unknown): Promise<string> {
  if (isConnectionLoss(error)) return lostConnectionAdvice(step, error);
  const state = sqlState(error);
  const spec = plan.operation;
  if (isDataException(state) && spec.kind === 'change-type') {
    const found = await countUncastable(target, { schema: spec.schema, name: spec.table }, spec.column, spec.newType).catch(() => null);
    if (found?.rows) {
      return `${describeUnconvertible(`${spec.schema}.${spec.table}`, spec.column, `cannot be cast to ${spec.newType}`, found)}: give a forward mapping that converts every value (e.g. CASE {{old}} WHEN … THEN … ELSE … END), or fix those rows, plan the change again and run it`;
    }
    return `a value of ${spec.schema}.${spec.table}.${spec.column} cannot be converted by the forward mapping: make the mapping convert every value (a CASE with an ELSE), plan the change again and run it`;
  }
  const table = tableOf(plan);
  if (state === SQL_STATE.insufficientPrivilege && table) {
    const privileges = await readPrivileges(target, table).catch(() => null);
    if (privileges) return privilegeAdvice(privileges);
  }
  return adviceFromError(step, error);
}

/** Who held the lock a step gave up waiting for, and how to free it. */
export function lockAdvice(step: Step, blocked: Pick<LockBlockedError, 'attempts' | 'blockers'>, table: string | null): string {
  const tries = `the step tried ${blocked.attempts === 1 ? 'once' : `${blocked.attempts} times`}${step.timeouts ? `, waiting at most ${step.timeouts.lockTimeout} each` : ''}, so it never held up the table's other users for long`;
  const [first] = blocked.blockers;
  if (!first) return `the session holding the lock ended before it could be named: ${AGAIN} (${tries})`;
  const on = table ? ` on ${table}` : '';
  return `${blocked.blockers.length === 1 ? 'another session holds a lock' : `${blocked.blockers.length} sessions hold locks`}${on} that this step's ${step.lock} lock must wait for: ${blocked.blockers
    .map(describeBlocker)
    .join('; ')}. Let it finish, or end it (SELECT pg_terminate_backend(${first.pid})), ${AGAIN}; ${tries}`;
}

/**
 * A step that never got its lock: still a LockBlockedError (the run records its attempts and who
 * was in the way), with what a form shows: the step, its SQL, Postgres's words and who to ask.
 */
export class StepLockedError extends LockBlockedError {
  readonly detail: StepFailureDetail;
  constructor(phase: RunPhase, step: Step, blocked: LockBlockedError, table: string | null) {
    super(blocked.stepId, blocked.attempts, blocked.blockers, { cause: blocked.cause });
    this.name = 'StepLockedError';
    this.detail = {
      title: `${phase} failed at step ${step.id}`,
      sql: step.sql,
      cause: `Postgres: ${blocked.cause ? databaseSays(blocked.cause) : 'the lock was not granted within lock_timeout'}`,
      advice: lockAdvice(step, blocked, table),
    };
  }
}

/**
 * A failed step as the product's error, with its advice; the product's own errors (a check that
 * found rows) stay as they are, and a lock not granted gains the step's SQL and who held it.
 */
export async function stepFailure(target: ClientBase, plan: Plan, migrationId: number, phase: RunPhase, step: Step, error: unknown): Promise<AppError> {
  if (error instanceof LockBlockedError && !(error instanceof StepLockedError)) return new StepLockedError(phase, step, error, tableOf(plan)?.sql ?? null);
  if (error instanceof AppError) return error;
  return new StepFailedError(migrationId, phase, step.id, step.sql, error, await adviceFor(target, plan, step, error));
}
