import type { ColumnDependent } from './schema';
import { AppError } from '../errors/app-error';

/**
 * Why a plan cannot be made as asked. Each carries the fields a UI needs to point at the
 * problem, and `advice`: what to do instead.
 */
export abstract class PlanError extends AppError {
  readonly kind = 'invalid';
  abstract readonly advice: string;
}

export class TableDoesNotExistError extends PlanError {
  readonly code = 'table-does-not-exist';
  readonly advice = 'check the schema and table name (names are case-sensitive)';
  constructor(
    readonly schema: string,
    readonly table: string,
  ) {
    super(`table ${schema}.${table} does not exist`);
  }
}

export class ColumnDoesNotExistError extends PlanError {
  readonly code = 'column-does-not-exist';
  readonly advice = 'check the column name (names are case-sensitive)';
  constructor(
    readonly table: string,
    readonly column: string,
  ) {
    super(`column ${column} does not exist on ${table}`);
  }
}

export class ColumnAlreadyExistsError extends PlanError {
  readonly code = 'column-already-exists';
  readonly advice = 'choose another name, or drop the existing column first with its own expand-contract change';
  constructor(
    readonly table: string,
    readonly column: string,
  ) {
    super(`column ${column} already exists on ${table}`);
  }
}

export class NoPrimaryKeyError extends PlanError {
  readonly code = 'no-primary-key';
  readonly advice = 'add a primary key first: the backfill walks the table in primary-key order so it can resume and never rescans';
  constructor(readonly table: string) {
    super(`table ${table} has no primary key`);
  }
}

export class PrimaryKeyColumnError extends PlanError {
  readonly code = 'primary-key-column';
  readonly advice = 'primary key columns are referenced by foreign keys and replication; change them with a new table instead';
  constructor(
    readonly table: string,
    readonly column: string,
  ) {
    super(`column ${column} is part of the primary key of ${table}`);
  }
}

export class UnsupportedColumnError extends PlanError {
  readonly code = 'unsupported-column';
  constructor(
    readonly table: string,
    readonly column: string,
    readonly reason: string,
    readonly advice: string,
  ) {
    super(`column ${column} of ${table} ${reason}`);
  }
}

const DEPENDENT_ADVICE: Record<ColumnDependent['kind'], string> = {
  view: 'change the view so it no longer uses the column (CREATE OR REPLACE VIEW), or drop it, in a change of its own; then plan again',
  index: 'create the same index on the new column (CREATE INDEX CONCURRENTLY) before the contract',
  constraint: 'add the same constraint on the new column (NOT VALID, then VALIDATE) before the contract',
  policy: 'change the policy so it no longer uses the column (ALTER POLICY), or drop it, in a change of its own; then plan again',
  trigger: 'recreate the trigger on the new column before the contract',
  'generated-column': 'redefine the generated column on the new column before the contract',
  sequence: 'the column owns a sequence (serial or identity); move its ownership (ALTER SEQUENCE … OWNED BY) before the contract',
  other: 'move the dependent object to the new column before the contract',
};

export class ColumnReferencedError extends PlanError {
  readonly code = 'column-referenced';
  readonly advice: string;
  constructor(
    readonly table: string,
    readonly column: string,
    readonly dependent: ColumnDependent,
  ) {
    // A policy or view a swap could not move says why; its own advice is then the one to follow.
    const unclear = dependent.rewrite && 'refused' in dependent.rewrite ? dependent.rewrite : null;
    super(`column ${column} of ${table} is used by ${dependent.kind} ${dependent.name}${unclear ? `, which ${unclear.refused}` : ''}: ${dependent.definition}`);
    this.advice = unclear?.advice ?? DEPENDENT_ADVICE[dependent.kind];
  }
}

export class InvalidMappingError extends PlanError {
  readonly code = 'invalid-mapping';
  constructor(
    readonly field: string,
    readonly expression: string,
    readonly reason: string,
    readonly advice = 'write one SQL expression, using {{old}} (forward) or {{new}} (reverse) for the value it converts',
  ) {
    super(`${field} mapping ${JSON.stringify(expression)}: ${reason}`);
  }
}

export class IncompatibleTypeError extends PlanError {
  readonly code = 'incompatible-type';
  constructor(
    readonly table: string,
    readonly column: string,
    readonly reason: string,
    readonly advice: string,
  ) {
    super(`${table}.${column}: ${reason}`);
  }
}

export class UnsafeRawSqlError extends PlanError {
  readonly code = 'unsafe-raw-sql';
  readonly advice = 'use the expand-contract operation the linter suggests, or fix the statements it flags';
  constructor(readonly findings: { rule: string; message: string; line?: number }[]) {
    super(`raw SQL has ${findings.length} blocking lint finding(s): ${findings.map((f) => f.rule).join(', ')}`);
  }
}

/** How many rows hold values that cannot be converted, and a few of them. */
export interface UnconvertibleRows {
  /** Rows of the table whose value cannot be converted. */
  rows: number;
  /** Up to three of those values, the commonest first. */
  examples: string[];
  /** How many distinct values cannot be converted (more than `examples` shows when above three). */
  values: number;
  /** false when only the commonest distinct values were tried: `rows` is then a lower bound. */
  complete: boolean;
}

const EXAMPLE_CHARS = 40;
const shown = (v: string) => `'${(v.length > EXAMPLE_CHARS ? `${v.slice(0, EXAMPLE_CHARS)}…` : v).replaceAll("'", "''")}'`;

/** "1,234 rows of public.orders.status cannot be converted to integer ('pending', 'processing', …)". */
export function describeUnconvertible(table: string, column: string, verb: string, u: UnconvertibleRows): string {
  const n = u.rows.toLocaleString('en-US');
  const examples = u.examples.length ? ` (${u.examples.map(shown).join(', ')}${u.values > u.examples.length ? ', …' : ''})` : '';
  return `${u.complete ? '' : 'at least '}${n} row${u.rows === 1 ? '' : 's'} of ${table}.${column} ${verb}${examples}`;
}

/** The forward mapping fails on (or loses) values the column holds now: the expand's pre-flight check would stop. */
export class UnconvertibleValuesError extends PlanError {
  readonly code = 'unconvertible-values';
  constructor(
    readonly table: string,
    readonly column: string,
    readonly newType: string,
    readonly found: UnconvertibleRows,
    /** What Postgres said of the first value that failed, or that the mapping gives NULL. */
    readonly reason: string,
    readonly advice: string,
  ) {
    super(`${describeUnconvertible(table, column, `cannot be converted to ${newType} by the forward mapping`, found)}: ${reason}`);
  }
}

/** All the reasons at once, so an author fixes everything in one round. */
export class PlanValidationError extends AppError {
  readonly code = 'plan-invalid';
  readonly kind = 'invalid';
  constructor(readonly errors: PlanError[]) {
    super(errors.map((e) => `${e.message} (${e.advice})`).join('; '));
    this.name = 'PlanValidationError';
  }
}

/** The sandbox the planner type-checks expressions in is missing or not a sandbox. */
export class ProbeRoleError extends PlanError {
  readonly code = 'probe-role';
  constructor(
    readonly role: string,
    readonly reason: string,
    readonly advice: string,
  ) {
    super(`the expression probe role ${role} ${reason}`);
  }
}
