import { backfillLoopSql, backfillTimeouts, buildBackfill } from '../backfill';
import { columnFacts } from '../column-facts';
import { InvalidMappingError, NoPrimaryKeyError, TableDoesNotExistError, type PlanError } from '../errors';
import { generatedName, slugify } from '../names';
import type { Operation, OperationContext, TypeProbe } from '../operation';
import { NO_PLACEHOLDERS, ROW_PLACEHOLDERS } from '../placeholders';
import { quoteIdent, quoteQualified } from '../quote';
import { findColumn } from '../schema';
import { dropFillTriggerSql, fillTriggerDrafts, safeSetNotNullDrafts } from '../shared-steps';
import { columnRef, rowExpression } from '../sql-text';
import { phaseSteps } from '../steps';
import type { OperationSpec } from '../types';
import { qualified, validateNewColumn } from '../validate';

type Spec = Extract<OperationSpec, { kind: 'add-column' }>;

const names = (s: Spec) => ({ check: generatedName('ec_nn', s.table, s.column), fn: generatedName('ec_fill', s.table, s.column) });
const expr = (s: Spec, alias: string) => rowExpression(s.backfill!, alias);
const usesBackfill = (s: Spec) => s.notNull && s.default === undefined;
const fillOf = (s: Spec) => ({ schema: s.schema, table: s.table, column: s.column, name: names(s).fn, value: (alias: string) => expr(s, alias) });

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
    if (!/^[A-Za-z_"][A-Za-z0-9_ ."(),[\]]*$/.test(spec.type))
      errors.push(new InvalidMappingError('type', spec.type, 'is not a type name', 'give a type such as boolean or text'));
    if (usesBackfill(spec)) {
      if (!spec.backfill?.trim()) {
        errors.push(
          new InvalidMappingError(
            'backfill',
            spec.backfill ?? '',
            'is required for a NOT NULL column without a default',
            'give a constant default, or an expression for existing rows',
          ),
        );
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
    return phaseSteps(ctx.planId, 'expand', [
      {
        slug: 'add-column',
        description: 'Add the column, nullable for now',
        sql: `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${c} ${s.type}`,
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
      ...fillTriggerDrafts(fillOf(s), ctx.options),
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
      ? {
          countSql: `SELECT count(*)::bigint AS count FROM ${quoteQualified(ctx.spec.schema, ctx.spec.table)} AS t WHERE ${columnRef('t', ctx.spec.column)} IS NULL`,
          predicate: `${columnRef('t', ctx.spec.column)} IS NULL`,
        }
      : null,
  contract: (ctx) =>
    usesBackfill(ctx.spec)
      ? phaseSteps(
          ctx.planId,
          'contract',
          safeSetNotNullDrafts({ ...ctx.spec, check: names(ctx.spec).check }, ctx.options, dropFillTriggerSql(fillOf(ctx.spec))),
        )
      : [],
  rollback(ctx) {
    const s = ctx.spec;
    const t = quoteQualified(s.schema, s.table);
    return phaseSteps(ctx.planId, 'rollback', [
      {
        slug: 'drop-column',
        description: `Undo the expand: drop ${s.column}${usesBackfill(s) ? ' with its fill trigger' : ''} (values written to it are lost; nothing else is)`,
        sql: [...(usesBackfill(s) ? dropFillTriggerSql(fillOf(s)) : []), `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${quoteIdent(s.column)}`].join(';\n'),
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
    ]);
  },
  restore: () => [],
  notes: (ctx) => (usesBackfill(ctx.spec) ? ['The column becomes NOT NULL at the contract, once old code no longer inserts rows without it.'] : []),
  // Old code never knew the column: nothing it reads goes away.
  legacyColumn: () => null,
  sqlFields: (s) => [
    { field: 'type', text: s.type, kind: 'type', ...NO_PLACEHOLDERS },
    ...(s.default !== undefined
      ? [
          {
            field: 'default',
            text: s.default,
            kind: 'expression' as const,
            ...NO_PLACEHOLDERS,
            volatileRewrites: {
              reason: 'is computed per row (volatile): adding the column would rewrite the whole table under an ACCESS EXCLUSIVE lock',
              advice: 'give it as --backfill instead: existing rows are then filled in batches, and a trigger fills rows old code inserts',
            },
          },
        ]
      : []),
    ...(s.backfill !== undefined ? [{ field: 'backfill', text: s.backfill, kind: 'expression' as const, ...ROW_PLACEHOLDERS }] : []),
  ],
  typeProbes: (s) => [
    { field: 'type', expression: s.type, select: `NULL::${s.type}` },
    ...(['default', 'backfill'] as const).flatMap((field): TypeProbe[] => {
      const value = s[field];
      return value === undefined ? [] : [{ field, expression: value, select: `${rowExpression(value, 't')}::${s.type}` }];
    }),
  ],
  catalogAfter: (s, phase) =>
    columnFacts(s, phase === 'contract' ? { notNull: [s.column] } : phase === 'rollback' ? { absent: [s.column] } : { present: [s.column] }),
  form: {
    label: 'Add a column',
    column: 'new',
    fields: [
      { name: 'type', label: 'Type', value: 'name', placeholder: 'text' },
      { name: 'notNull', label: 'NOT NULL', value: 'flag' },
      { name: 'default', label: 'Default (constant)', value: 'optional', placeholder: "'free'" },
      { name: 'backfill', label: 'Backfill expression', value: 'optional' },
    ],
  },
  cli: {
    command: 'add-column',
    usage: '<type> [--not-null] [--default EXPR] [--backfill EXPR]',
    options: { 'not-null': { type: 'boolean' }, default: { type: 'string' }, backfill: { type: 'string' } },
    parse(a) {
      a.need(2);
      const [given, backfill] = [a.option('default'), a.option('backfill')];
      return {
        kind: 'add-column',
        ...a.target(),
        type: a.positional(1),
        notNull: a.flag('not-null'),
        ...(given !== undefined ? { default: given } : {}),
        ...(backfill !== undefined ? { backfill } : {}),
      };
    },
    words: (s) => [
      s.type,
      ...(s.notNull ? ['--not-null'] : []),
      ...(s.default ? ['--default', s.default] : []),
      ...(s.backfill ? ['--backfill', s.backfill] : []),
    ],
  },
};
