import { backfillLoopSql, backfillTimeouts, buildBackfill } from '../backfill';
import { addConstraintOnce } from '../column-swap';
import { InvalidMappingError } from '../errors';
import { generatedName, slugify } from '../names';
import type { Operation } from '../operation';
import { quoteIdent, quoteQualified } from '../quote';
import { findColumn } from '../schema';
import { columnRef, dollarQuote } from '../sql-text';
import { phaseSteps } from '../steps';
import type { OperationSpec } from '../types';
import { validateExistingColumn } from '../validate';

type Spec = Extract<OperationSpec, { kind: 'set-not-null' }>;

const names = (s: Spec) => ({
  check: generatedName('ec_nn', s.table, s.column),
  fn: generatedName('ec_fill', s.table, s.column),
});
const fillExpr = (s: Spec, alias: string) => s.fill!.split('{{row}}').join(alias);

/**
 * An existing column becomes NOT NULL without a long ACCESS EXCLUSIVE scan: CHECK (col IS
 * NOT NULL) NOT VALID (instant), VALIDATE CONSTRAINT (scans, but reads and writes go on),
 * then SET NOT NULL (uses the validated check, no scan), then drop the check.
 * With `fill`, existing NULLs are backfilled and a trigger fills NULLs that old code still
 * writes, so nothing breaks before the contract.
 */
export const setNotNull: Operation<Spec> = {
  kind: 'set-not-null',
  describe: (s) => ({
    id: `set-not-null.${s.schema}.${s.table}.${s.column}`,
    slug: slugify('require', s.table, s.column),
    title: `Make ${s.schema}.${s.table}.${s.column} NOT NULL`,
  }),
  target: (s) => ({ schema: s.schema, table: s.table }),
  validate(spec, table) {
    const errors = validateExistingColumn(table, spec, { requirePrimaryKey: !!spec.fill });
    if (spec.fill !== undefined && spec.fill.trim() === '') errors.push(new InvalidMappingError('fill', spec.fill, 'is empty'));
    if (table && !errors.length && !findColumn(table, spec.column)!.nullable) {
      errors.push(new InvalidMappingError('column', spec.column, 'is already NOT NULL', 'nothing to do'));
    }
    return errors;
  },
  preflight: (ctx) =>
    ctx.spec.fill
      ? []
      : phaseSteps(ctx.planId, 'preflight', [
          {
            slug: 'existing-nulls',
            description: `Rows where ${ctx.spec.column} is NULL: must be 0, or give a fill expression`,
            sql: `SELECT count(*)::bigint AS count FROM ${quoteQualified(ctx.spec.schema, ctx.spec.table)} WHERE ${quoteIdent(ctx.spec.column)} IS NULL`,
            lock: 'ACCESS SHARE',
            timeouts: ctx.options.longTimeouts,
            kind: 'check',
          },
        ]),
  expand(ctx) {
    if (!ctx.spec.fill) return [];
    const n = names(ctx.spec);
    const col = columnRef('NEW', ctx.spec.column);
    return phaseSteps(ctx.planId, 'expand', [
      {
        slug: 'fill-function',
        description: `Function that fills ${ctx.spec.column} when a write leaves it NULL (old code)`,
        sql: `CREATE OR REPLACE FUNCTION ${quoteQualified(ctx.spec.schema, n.fn)}() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS ${dollarQuote(`
BEGIN
  IF ${col} IS NULL THEN
    ${col} := (${fillExpr(ctx.spec, 'NEW')});
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
        sql: `CREATE OR REPLACE TRIGGER ${quoteIdent(n.fn)} BEFORE INSERT OR UPDATE ON ${quoteQualified(ctx.spec.schema, ctx.spec.table)}
FOR EACH ROW EXECUTE FUNCTION ${quoteQualified(ctx.spec.schema, n.fn)}()`,
        lock: 'SHARE ROW EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
    ]);
  },
  backfill(ctx) {
    if (!ctx.spec.fill) return { spec: null, steps: [] };
    const spec = buildBackfill({
      schema: ctx.spec.schema,
      table: ctx.spec.table,
      key: ctx.table.primaryKey.map((k) => ({ name: k, type: findColumn(ctx.table, k)!.type })),
      assignments: [{ column: ctx.spec.column, expression: `(${fillExpr(ctx.spec, 't')})` }],
      needsChange: `${columnRef('t', ctx.spec.column)} IS NULL`,
    });
    return {
      spec,
      steps: phaseSteps(ctx.planId, 'backfill', [
        {
          slug: 'fill-nulls',
          description: `Fill existing NULLs in ${ctx.spec.column}, ${ctx.options.batchSize} rows per batch in primary-key order`,
          sql: backfillLoopSql(spec, ctx.options.batchSize),
          lock: 'ROW EXCLUSIVE',
          timeouts: backfillTimeouts(ctx.options),
          transactional: false,
          kind: 'backfill',
        },
      ]),
    };
  },
  verify: (ctx) => ({
    countSql: `SELECT count(*)::bigint AS count FROM ${quoteQualified(ctx.spec.schema, ctx.spec.table)} WHERE ${quoteIdent(ctx.spec.column)} IS NULL`,
  }),
  contract(ctx) {
    const n = names(ctx.spec);
    const t = quoteQualified(ctx.spec.schema, ctx.spec.table);
    const c = quoteIdent(ctx.spec.column);
    return phaseSteps(ctx.planId, 'contract', [
      {
        slug: 'add-check',
        description: `CHECK (${ctx.spec.column} IS NOT NULL) NOT VALID: enforced for new writes at once, no scan`,
        sql: addConstraintOnce(t, n.check, `CHECK (${c} IS NOT NULL) NOT VALID`),
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
      {
        slug: 'validate-check',
        description: 'Validate the check: scans the table while reads and writes go on',
        sql: `ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(n.check)}`,
        lock: 'SHARE UPDATE EXCLUSIVE',
        timeouts: ctx.options.longTimeouts,
      },
      {
        slug: 'set-not-null',
        description: 'SET NOT NULL (proved by the valid check, so no scan), then drop the check and the fill trigger',
        sql: [
          `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL`,
          `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${quoteIdent(n.check)}`,
          ...(ctx.spec.fill
            ? [`DROP TRIGGER IF EXISTS ${quoteIdent(n.fn)} ON ${t}`, `DROP FUNCTION IF EXISTS ${quoteQualified(ctx.spec.schema, n.fn)}()`]
            : []),
        ].join(';\n'),
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
    ]);
  },
  rollback(ctx) {
    const n = names(ctx.spec);
    const t = quoteQualified(ctx.spec.schema, ctx.spec.table);
    return phaseSteps(ctx.planId, 'rollback', [
      {
        slug: 'drop-fill',
        description: 'Undo the expand: drop the fill trigger and function (filled values stay)',
        sql: `DROP TRIGGER IF EXISTS ${quoteIdent(n.fn)} ON ${t};\nDROP FUNCTION IF EXISTS ${quoteQualified(ctx.spec.schema, n.fn)}();\nALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${quoteIdent(n.check)}`,
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
    ]);
  },
  restore: (ctx) =>
    phaseSteps(ctx.planId, 'restore', [
      {
        slug: 'drop-not-null',
        description: `Allow NULL in ${ctx.spec.column} again (values filled by the backfill stay)`,
        sql: `ALTER TABLE ${quoteQualified(ctx.spec.schema, ctx.spec.table)} ALTER COLUMN ${quoteIdent(ctx.spec.column)} DROP NOT NULL`,
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
    ]),
  notes: (ctx) =>
    ctx.spec.fill
      ? [`Until the contract, writes that leave ${ctx.spec.column} NULL get ${ctx.spec.fill.split('{{row}}').join('the row')} instead.`]
      : [`Without a fill, writes of NULL to ${ctx.spec.column} fail from the contract on; the preflight proves there are none today.`],
};
