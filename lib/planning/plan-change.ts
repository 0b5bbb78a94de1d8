import { introspectSchema } from '../db/introspect-schema';
import type { ClientBase } from 'pg';
import { IncompatibleTypeError, InvalidMappingError, PlanValidationError, type PlanError } from '../migrations/errors';
import { planOperation } from '../migrations/plan-operation';
import { quoteQualified } from '../migrations/quote';
import { findColumn, findTable, type SchemaSnapshot } from '../migrations/schema';
import { applyMapping, columnRef } from '../migrations/sql-text';
import { lintSql } from '../lint/lint-sql';
import { DEFAULT_PLAN_OPTIONS, type OperationSpec, type Plan, type PlanOptions } from '../migrations/types';
import { parseSql, SqlSyntaxError } from '../sql/parse-sql';

/** Each SQL fragment an author may give, with how to make it a complete SELECT for the parser. */
function fragments(spec: OperationSpec): { field: string; text: string; probe: string }[] {
  // Placeholders become something the grammar accepts where a value goes.
  const fill = (text: string) => text.replace(/\{\{(old|new)\}\}/g, 'NULL').replace(/\{\{row\}\}/g, 'r');
  switch (spec.kind) {
    case 'change-type':
      return [
        { field: 'type', text: spec.newType, probe: `SELECT NULL::${spec.newType}` },
        { field: 'forward', text: spec.forward, probe: `SELECT ${fill(spec.forward)}` },
        { field: 'reverse', text: spec.reverse, probe: `SELECT ${fill(spec.reverse)}` },
      ];
    case 'set-not-null':
      return spec.fill ? [{ field: 'fill', text: spec.fill, probe: `SELECT ${fill(spec.fill)}` }] : [];
    case 'add-column':
      return [
        { field: 'type', text: spec.type, probe: `SELECT NULL::${spec.type}` },
        ...(spec.default !== undefined ? [{ field: 'default', text: spec.default, probe: `SELECT ${spec.default}` }] : []),
        ...(spec.backfill !== undefined ? [{ field: 'backfill', text: spec.backfill, probe: `SELECT ${fill(spec.backfill)}` }] : []),
      ];
    default:
      return [];
  }
}

/**
 * Author-supplied expressions end up inside DDL and trigger bodies, so each must be exactly
 * one expression: parsed with the real Postgres grammar, never trusted as text.
 */
export async function checkExpressions(spec: OperationSpec): Promise<PlanError[]> {
  const errors: PlanError[] = [];
  for (const f of fragments(spec)) {
    try {
      const parsed = await parseSql(f.probe);
      const [only] = parsed.statements;
      const targets = (only?.stmt as { SelectStmt?: { targetList?: unknown[]; fromClause?: unknown[] } } | undefined)?.SelectStmt;
      if (parsed.statements.length !== 1 || !targets || targets.targetList?.length !== 1 || targets.fromClause) {
        errors.push(new InvalidMappingError(f.field, f.text, 'is not a single SQL expression'));
      }
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      errors.push(new InvalidMappingError(f.field, f.text, `does not parse: ${error.message}`));
    }
  }
  return errors;
}

/**
 * Lets Postgres type-check each mapping against the real column types, reading no rows
 * (LIMIT 0), so "cannot cast boolean to integer" is a planning error, not a failed expand.
 */
async function checkTypes(target: ClientBase, spec: OperationSpec, snapshot: SchemaSnapshot): Promise<PlanError[]> {
  if (!('table' in spec)) return [];
  const table = findTable(snapshot, spec.schema, spec.table);
  const column = table && findColumn(table, spec.column);
  const from = `FROM ${quoteQualified(spec.schema, spec.table)} AS t LIMIT 0`;
  const probes: { field: string; expression: string; sql: string }[] = [];
  if (spec.kind === 'change-type' && column) {
    const forward = applyMapping(spec.forward, 'old', columnRef('t', spec.column));
    const reverse = applyMapping(spec.reverse, 'new', `(NULL::${spec.newType})`);
    probes.push({ field: 'forward', expression: spec.forward, sql: `SELECT (${forward})::${spec.newType} ${from}` });
    probes.push({ field: 'reverse', expression: spec.reverse, sql: `SELECT (${reverse})::${column.type} ${from}` });
  }
  if (spec.kind === 'set-not-null' && spec.fill && column) {
    probes.push({ field: 'fill', expression: spec.fill, sql: `SELECT (${spec.fill.split('{{row}}').join('t')})::${column.type} ${from}` });
  }
  if (spec.kind === 'add-column' && table) {
    for (const [field, value] of [['default', spec.default], ['backfill', spec.backfill]] as const) {
      if (value !== undefined) probes.push({ field, expression: value, sql: `SELECT (${value.split('{{row}}').join('t')})::${spec.type} ${from}` });
    }
  }
  const errors: PlanError[] = [];
  for (const probe of probes) {
    // Read-only and rolled back: an author's expression must not be able to change anything here.
    await target.query("BEGIN READ ONLY; SET LOCAL statement_timeout = '5s'");
    try {
      await target.query(probe.sql);
    } catch (error) {
      const e = error as { message: string };
      errors.push(
        new IncompatibleTypeError(
          `${spec.schema}.${spec.table}`,
          spec.column,
          `${probe.field} mapping ${JSON.stringify(probe.expression)}: ${e.message}`,
          "make the expression produce the column's type, e.g. with an explicit cast or a CASE",
        ),
      );
    } finally {
      await target.query('ROLLBACK');
    }
  }
  return errors;
}

/**
 * A default Postgres must compute per row (volatile, e.g. gen_random_uuid()) makes ADD
 * COLUMN rewrite the whole table under ACCESS EXCLUSIVE. Find out by trying it on a
 * one-row temporary table and watching whether its storage was rewritten.
 */
async function checkDefaultRewrites(target: ClientBase, spec: OperationSpec): Promise<PlanError[]> {
  if (spec.kind !== 'add-column' || spec.default === undefined) return [];
  await target.query("BEGIN; SET LOCAL statement_timeout = '5s'");
  try {
    await target.query('CREATE TEMP TABLE ec_default_probe (i int) ON COMMIT DROP; INSERT INTO ec_default_probe VALUES (1)');
    const file = async () => (await target.query<{ f: string }>("SELECT relfilenode::text AS f FROM pg_class WHERE oid = 'ec_default_probe'::regclass")).rows[0]!.f;
    const before = await file();
    await target.query(`ALTER TABLE ec_default_probe ADD COLUMN x ${spec.type} DEFAULT ${spec.default}`);
    if ((await file()) === before) return [];
    return [
      new InvalidMappingError(
        'default',
        spec.default,
        'is computed per row (volatile): adding the column would rewrite the whole table under an ACCESS EXCLUSIVE lock',
        'give it as --backfill instead: existing rows are then filled in batches, and a trigger fills rows old code inserts',
      ),
    ];
  } catch {
    return []; // type errors are reported by checkTypes
  } finally {
    await target.query('ROLLBACK');
  }
}

/** Raw SQL is linted here, so its plan carries what the linter found and is refused on errors. */
async function withLint(spec: OperationSpec): Promise<OperationSpec> {
  if (spec.kind !== 'raw-sql' || spec.lint) return spec;
  const { findings } = await lintSql(spec.sql);
  return { ...spec, lint: findings.map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, line: f.line })) };
}

/** Intent → plan against the live schema of the target. */
export async function planChange(target: ClientBase, spec: OperationSpec, options: PlanOptions = DEFAULT_PLAN_OPTIONS): Promise<Plan> {
  const expressionErrors = await checkExpressions(spec);
  if (expressionErrors.length) throw new PlanValidationError(expressionErrors);
  const schemas = 'schema' in spec ? [spec.schema] : ['public'];
  const snapshot = await introspectSchema(target, schemas);
  const plan = planOperation(await withLint(spec), snapshot, options);
  const typeErrors = [...(await checkTypes(target, spec, snapshot)), ...(await checkDefaultRewrites(target, spec))];
  if (typeErrors.length) throw new PlanValidationError(typeErrors);
  return plan;
}
