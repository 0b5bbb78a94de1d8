import { backfillLoopSql, backfillTimeouts, buildBackfill } from '../backfill';
import { addConstraintOnce } from '../column-swap';
import { InvalidMappingError, TableDoesNotExistError, type PlanError } from '../errors';
import { generatedName, slugify } from '../names';
import type { Operation, OperationContext } from '../operation';
import { quoteIdent, quoteQualified } from '../quote';
import { findColumn } from '../schema';
import { columnRef, dollarQuote } from '../sql-text';
import { phaseSteps } from '../steps';
import type { OperationSpec } from '../types';
import { NoPrimaryKeyError } from '../errors';
import { qualified, validateNewColumn } from '../validate';

type Spec = Extract<OperationSpec, { kind: 'add-column' }>;

const names = (s: Spec) => ({ check: generatedName('ec_nn', s.table, s.column), fn: generatedName('ec_fill', s.table, s.column) });
const expr = (s: Spec, alias: string) => `(${s.backfill!.split('{{row}}').join(alias)})`;
const usesBackfill = (s: Spec) => s.notNull && s.default === undefined;

/**
 * A new column, NOT NULL when asked. With a constant default, one ADD COLUMN … NOT NULL
 * DEFAULT does it without a rewrite. With a backfill expression instead, the column is
 * added nullable, filled for old rows in batches and for old code's writes by a trigger,
 * and becomes NOT NULL at the contract through a validated check.
 */
export const addColumn: Operation<Spec> = {
  kind: 'add-column',
  describe: (s) => ({
    id: `add-column.${s.schema}.${s.table}.${s.column}`,
    slug: slugify('add', s.table, s.column),
    title: `Add ${s.schema}.${s.table}.${s.column} ${s.type}${s.notNull ? ' NOT NULL' : ''}`,
  }),
  target: (s) => ({ schema: s.schema, table: s.table }),
  validate(spec, table) {
    if (!table) return [new TableDoesNotExistError(spec.schema, spec.table)];
    const errors: PlanError[] = [...validateNewColumn(table, spec.column)];
    if (!/^[A-Za-z_"][A-Za-z0-9_ ."(),[\]]*$/.test(spec.type)) errors.push(new InvalidMappingError('type', spec.type, 'is not a type name', 'give a type such as boolean or text'));
    if (usesBackfill(spec)) {
      if (!spec.backfill?.trim()) {
        errors.push(new InvalidMappingError('backfill', spec.backfill ?? '', 'is required for a NOT NULL column without a default', 'give a constant default, or an expression for existing rows'));
      }
      if (table.primaryKey.length === 0) errors.push(new NoPrimaryKeyError(qualified(table)));
    }
    return errors;
  },
  preflight: () => [],
  expand(ctx) {
    const s = ctx.spec;
    const t = quoteQualified(s.schema, s.table);
    const c = quoteIdent(s.column);
    if (!usesBackfill(s)) {
      return phaseSteps(ctx.planId, 'expand', [
        {
          slug: 'add-column',
          description: s.default !== undefined ? 'Add the column with a constant default: no table rewrite (PostgreSQL 11+)' : 'Add the nullable column',
          sql: `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${c} ${s.type}${s.default !== undefined ? ` DEFAULT ${s.default}` : ''}${s.notNull ? ' NOT NULL' : ''}`,
          lock: 'ACCESS EXCLUSIVE',
          timeouts: ctx.options.ddlTimeouts,
        },
      ]);
    }
    const n = names(s);
    const col = columnRef('NEW', s.column);
    return phaseSteps(ctx.planId, 'expand', [
      { slug: 'add-column', description: 'Add the column, nullable for now', sql: `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${c} ${s.type}`, lock: 'ACCESS EXCLUSIVE', timeouts: ctx.options.ddlTimeouts },
      {
        slug: 'fill-function',
        description: `Function that computes ${s.column} for writes that leave it NULL (old code does not know it)`,
        sql: `CREATE OR REPLACE FUNCTION ${quoteQualified(s.schema, n.fn)}() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS ${dollarQuote(`
BEGIN
  IF ${col} IS NULL THEN
    ${col} := ${expr(s, 'NEW')};
  END IF;
  RETURN NEW;
END
`)}`,
        lock: 'NONE',
        timeouts: ctx.options.ddlTimeouts,
      },
      {
        slug: 'fill-trigger',
        description: 'BEFORE INSERT OR UPDATE trigger running it',
        sql: `CREATE OR REPLACE TRIGGER ${quoteIdent(n.fn)} BEFORE INSERT OR UPDATE ON ${t}\nFOR EACH ROW EXECUTE FUNCTION ${quoteQualified(s.schema, n.fn)}()`,
        lock: 'SHARE ROW EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
    ]);
  },
  backfill(ctx: OperationContext<Spec>) {
    const s = ctx.spec;
    if (!usesBackfill(s)) return { spec: null, steps: [] };
    const spec = buildBackfill({
      schema: s.schema,
      table: s.table,
      key: ctx.table.primaryKey.map((k) => ({ name: k, type: findColumn(ctx.table, k)!.type })),
      assignments: [{ column: s.column, expression: expr(s, 't') }],
      needsChange: `${columnRef('t', s.column)} IS NULL`,
    });
    return {
      spec,
      steps: phaseSteps(ctx.planId, 'backfill', [
        {
          slug: 'fill-rows',
          description: `Compute ${s.column} for existing rows, ${ctx.options.batchSize} per batch in primary-key order`,
          sql: backfillLoopSql(spec, ctx.options.batchSize),
          lock: 'ROW EXCLUSIVE',
          timeouts: backfillTimeouts(ctx.options),
          transactional: false,
          kind: 'backfill',
        },
      ]),
    };
  },
  verify: (ctx) =>
    usesBackfill(ctx.spec)
      ? { countSql: `SELECT count(*)::bigint AS count FROM ${quoteQualified(ctx.spec.schema, ctx.spec.table)} WHERE ${quoteIdent(ctx.spec.column)} IS NULL` }
      : null,
  contract(ctx) {
    const s = ctx.spec;
    if (!usesBackfill(s)) return [];
    const n = names(s);
    const t = quoteQualified(s.schema, s.table);
    return phaseSteps(ctx.planId, 'contract', [
      { slug: 'add-check', description: 'CHECK NOT VALID: no scan', sql: addConstraintOnce(t, n.check, `CHECK (${quoteIdent(s.column)} IS NOT NULL) NOT VALID`), lock: 'ACCESS EXCLUSIVE', timeouts: ctx.options.ddlTimeouts },
      { slug: 'validate-check', description: 'Validate: scans while reads and writes go on', sql: `ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(n.check)}`, lock: 'SHARE UPDATE EXCLUSIVE', timeouts: ctx.options.longTimeouts },
      {
        slug: 'set-not-null',
        description: 'SET NOT NULL using the check, then drop the check, the trigger and the function',
        sql: [
          `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(s.column)} SET NOT NULL`,
          `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${quoteIdent(n.check)}`,
          `DROP TRIGGER IF EXISTS ${quoteIdent(n.fn)} ON ${t}`,
          `DROP FUNCTION IF EXISTS ${quoteQualified(s.schema, n.fn)}()`,
        ].join(';\n'),
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
    ]);
  },
  rollback(ctx) {
    const s = ctx.spec;
    const t = quoteQualified(s.schema, s.table);
    const n = names(s);
    return phaseSteps(ctx.planId, 'rollback', [
      {
        slug: 'drop-column',
        description: `Undo the expand: drop ${s.column}${usesBackfill(s) ? ' with its fill trigger' : ''} (values written to it are lost; nothing else is)`,
        sql: [
          ...(usesBackfill(s) ? [`DROP TRIGGER IF EXISTS ${quoteIdent(n.fn)} ON ${t}`, `DROP FUNCTION IF EXISTS ${quoteQualified(s.schema, n.fn)}()`] : []),
          `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${quoteIdent(s.column)}`,
        ].join(';\n'),
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
    ]);
  },
  restore: () => [],
  notes: (ctx) => (usesBackfill(ctx.spec) ? ['The column becomes NOT NULL at the contract, once old code no longer inserts rows without it.'] : []),
};
