import type { BrownoutSpec } from './brownout';
import type { PlanError } from './errors';
import type { FieldPlaceholders } from './placeholders';
import type { FilePhase } from './render-sql';
import type { SchemaSnapshot, TableInfo } from './schema';
import type { BackfillSpec, LintNote, OperationSpec, ParitySpec, PlanOptions, Step } from './types';

export interface OperationContext<S extends OperationSpec> {
  spec: S;
  /** The table the operation acts on, as introspected (validated to exist). */
  table: TableInfo;
  options: PlanOptions;
  planId: string;
}

export interface TableColumn {
  schema: string;
  table: string;
  column: string;
}

/** A field of the spec that holds SQL an author wrote, and what it may contain. */
export interface SqlField extends FieldPlaceholders {
  field: string;
  text: string;
  kind: 'type' | 'expression';
  /**
   * Set where a volatile call would make the DDL compute the value for every row (a column
   * default): the table would be rewritten. Why, and what to write instead.
   */
  volatileRewrites?: { reason: string; advice: string };
}

/** A select-list item that lets Postgres type-check a field over the row alias `t` (the table's row type). */
export interface TypeProbe {
  field: string;
  /** The author's text, for the error. */
  expression: string;
  select: string;
}

/**
 * What the catalog shows once a phase ran, so a history row alone (a file pushed with the
 * Supabase CLI) is not trusted: these columns exist, these do not, these are NOT NULL.
 */
export interface CatalogFacts {
  schema: string;
  table: string;
  present: string[];
  absent: string[];
  /** Present and NOT NULL. */
  notNull: string[];
}

/** One input of the New migration form besides the table and column; `value` decides its check. */
export interface FormField {
  name: string;
  label: string;
  /** name: required, at most 63 characters; expression: required SQL; optional: SQL or nothing; flag: a checkbox. */
  value: 'name' | 'expression' | 'optional' | 'flag';
  placeholder?: string;
  /** A long expression: a wider input. */
  wide?: boolean;
}

export interface OperationForm {
  label: string;
  /** existing: one of the table's columns is picked; new: the name of a column that does not exist yet is typed. */
  column: 'existing' | 'new';
  fields: FormField[];
}

/** The command line's words after `plan <command>`, read by the CLI; each helper refuses with a usage error. */
export interface CliInput {
  /** Refuses unless exactly n arguments follow the command. */
  need(n: number): void;
  /** The first argument, `[schema.]table.column`, folded as Postgres folds names. */
  target(): TableColumn;
  positional(index: number): string;
  /** An unqualified column name, folded as Postgres folds it. */
  columnName(text: string): string;
  option(name: string): string | undefined;
  flag(name: string): boolean;
  fail(message: string): never;
}

export interface OperationCli<S extends OperationSpec> {
  /** The word after `expand-contract plan`. */
  command: string;
  /** What follows `<[schema.]table.column>` in the usage text. */
  usage: string;
  /** The options it reads, as node:util parseArgs takes them. */
  options: Record<string, { type: 'string' | 'boolean' }>;
  parse(input: CliInput): S;
  /** The words after the `[schema.]table.column` argument that plan this spec, unquoted. */
  words(spec: S): string[];
}

/**
 * One kind of schema change. Every method returns data (steps with SQL text) and
 * never touches a database; `validate` runs first and the others may assume it passed.
 * The facts after `notes` are what the rest of the product asks about an operation, so
 * that adding one is this file, its test and a line in the registry.
 */
export interface Operation<S extends OperationSpec> {
  kind: S['kind'];
  describe(spec: S): { id: string; slug: string; title: string };
  /** The table to look up, or null for raw SQL. */
  target(spec: S): { schema: string; table: string } | null;
  validate(spec: S, table: TableInfo | undefined, snapshot: SchemaSnapshot): PlanError[];
  preflight(ctx: OperationContext<S>): Step[];
  expand(ctx: OperationContext<S>): Step[];
  backfill(ctx: OperationContext<S>): { spec: BackfillSpec | null; steps: Step[] };
  verify(ctx: OperationContext<S>): ParitySpec | null;
  contract(ctx: OperationContext<S>): Step[];
  rollback(ctx: OperationContext<S>): Step[];
  restore(ctx: OperationContext<S>): Step[];
  notes(ctx: OperationContext<S>): string[];
  /** How to rehearse the drop of the legacy column (see brownout.ts); absent when the contract drops none. */
  brownout?(ctx: OperationContext<S>): BrownoutSpec | null;

  /** The column old code uses and the contract removes, whose reads the gate watches; null when nothing is removed. */
  legacyColumn(spec: S): TableColumn | null;
  /** Every field that takes SQL, with the placeholders it may use. */
  sqlFields(spec: S): SqlField[];
  /** Type checks for the SQL fields against the introspected table; none when what they need is missing. */
  typeProbes(spec: S, table: TableInfo): TypeProbe[];
  /** What the catalog shows after the phase; null when it cannot tell (the history row is trusted). */
  catalogAfter(spec: S, phase: FilePhase): CatalogFacts | null;
  /** Its fields in the New migration form; null when the form does not offer it. */
  form: OperationForm | null;
  /** Its `expand-contract plan` command; null when there is none. */
  cli: OperationCli<S> | null;
  /** For SQL written by hand, linted before it is planned: the text still to lint (null once linted), and the spec with the findings. */
  lint?: { unlinted(spec: S): string | null; withFindings(spec: S, findings: LintNote[]): S };
}
