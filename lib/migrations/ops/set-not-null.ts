import { backfillLoopSql, backfillTimeouts, buildBackfill } from '../backfill';
import { columnFacts } from '../column-facts';
import { InvalidMappingError } from '../errors';
import { generatedName, slugify } from '../names';
import type { Operation } from '../operation';
import { ROW_PLACEHOLDERS } from '../placeholders';
import { quoteIdent, quoteQualified } from '../quote';
import { findColumn } from '../schema';
import { dropFillTriggerSql, fillTriggerDrafts, safeSetNotNullDrafts } from '../shared-steps';
import { columnRef, rowExpression } from '../sql-text';
import { phaseSteps } from '../steps';
import type { OperationSpec } from '../types';
import { validateExistingColumn } from '../validate';

type Spec = Extract<OperationSpec, { kind: 'set-not-null' }>;

const names = (s: Spec) => ({
  check: generatedName('ec_nn', s.table, s.column),
  fn: generatedName('ec_fill', s.table, s.column),
});
const fillExpr = (s: Spec, alias: string) => rowExpression(s.fill!, alias);
const fillOf = (s: Spec) => ({ schema: s.schema, table: s.table, column: s.column, name: names(s).fn, value: (alias: string) => fillExpr(s, alias) });

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
  expand: (ctx) => (ctx.spec.fill ? phaseSteps(ctx.planId, 'expand', fillTriggerDrafts(fillOf(ctx.spec), ctx.options)) : []),
  backfill(ctx) {
    if (!ctx.spec.fill) return { spec: null, steps: [] };
    const spec = buildBackfill({
      schema: ctx.spec.schema,
      table: ctx.spec.table,
      key: ctx.table.primaryKey.map((k) => ({ name: k, type: findColumn(ctx.table, k)!.type })),
      assignments: [{ column: ctx.spec.column, expression: fillExpr(ctx.spec, 't') }],
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
    countSql: `SELECT count(*)::bigint AS count FROM ${quoteQualified(ctx.spec.schema, ctx.spec.table)} AS t WHERE ${columnRef('t', ctx.spec.column)} IS NULL`,
    predicate: `${columnRef('t', ctx.spec.column)} IS NULL`,
  }),
  contract: (ctx) =>
    phaseSteps(
      ctx.planId,
      'contract',
      safeSetNotNullDrafts({ ...ctx.spec, check: names(ctx.spec).check }, ctx.options, ctx.spec.fill ? dropFillTriggerSql(fillOf(ctx.spec)) : []),
    ),
  rollback(ctx) {
    const n = names(ctx.spec);
    const t = quoteQualified(ctx.spec.schema, ctx.spec.table);
    return phaseSteps(ctx.planId, 'rollback', [
      {
        slug: 'drop-fill',
        description: 'Undo the expand: drop the fill trigger and function (filled values stay)',
        sql: [...dropFillTriggerSql(fillOf(ctx.spec)), `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${quoteIdent(n.check)}`].join(';\n'),
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
  // Nothing is removed: old code may go on reading the column.
  legacyColumn: () => null,
  sqlFields: (s) => (s.fill ? [{ field: 'fill', text: s.fill, kind: 'expression', ...ROW_PLACEHOLDERS }] : []),
  typeProbes(s, table) {
    const column = findColumn(table, s.column);
    return s.fill && column ? [{ field: 'fill', expression: s.fill, select: `${fillExpr(s, 't')}::${column.type}` }] : [];
  },
  catalogAfter: (s, phase) => columnFacts(s, phase === 'contract' ? { notNull: [s.column] } : { present: [s.column] }),
  form: {
    label: 'Make a column NOT NULL',
    column: 'existing',
    fields: [{ name: 'fill', label: 'Value for NULLs (optional)', value: 'optional', placeholder: 'false' }],
  },
  cli: {
    command: 'set-not-null',
    usage: '[--fill EXPR]',
    options: { fill: { type: 'string' } },
    parse(a) {
      a.need(1);
      const fill = a.option('fill');
      return { kind: 'set-not-null', ...a.target(), ...(fill ? { fill } : {}) };
    },
    words: (s) => (s.fill ? ['--fill', s.fill] : []),
  },
};
