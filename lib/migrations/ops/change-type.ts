import { ownColumn } from '../column-facts';
import { swapCatalog, swapNotes, swapPhases, type ColumnSwap } from '../column-swap';
import { InvalidMappingError, type PlanError } from '../errors';
import { slugify } from '../names';
import type { Operation, OperationContext } from '../operation';
import { NO_PLACEHOLDERS } from '../placeholders';
import { quoteQualified } from '../quote';
import { findColumn } from '../schema';
import { applyMapping, columnRef } from '../sql-text';
import { phaseSteps } from '../steps';
import type { OperationSpec } from '../types';
import { blockingDependents, validateExistingColumn, validateNewColumn } from '../validate';

type Spec = Extract<OperationSpec, { kind: 'change-type' }>;

function swap(ctx: OperationContext<Spec>): ColumnSwap {
  const { spec, table } = ctx;
  return { schema: spec.schema, table, oldColumn: spec.column, newColumn: spec.newColumn, newType: spec.newType, forward: spec.forward, reverse: spec.reverse };
}

function validateMappings(spec: Spec): PlanError[] {
  const errors: PlanError[] = [];
  if (!spec.forward.includes('{{old}}')) errors.push(new InvalidMappingError('forward', spec.forward, 'does not use {{old}}'));
  if (!spec.reverse.includes('{{new}}')) errors.push(new InvalidMappingError('reverse', spec.reverse, 'does not use {{new}}'));
  if (!/^[A-Za-z_"][A-Za-z0-9_ ."(),[\]]*$/.test(spec.newType)) {
    errors.push(new InvalidMappingError('type', spec.newType, 'is not a type name', 'give a type such as integer, numeric(10,2) or "MyEnum"'));
  }
  return errors;
}

/**
 * A column gets a new type under a new name (orders.status text → status_code integer).
 * The new name is kept after the contract: renaming it back would be a second breaking
 * rename while code reads the new name; plan that as its own rename if wanted.
 */
export const changeType: Operation<Spec> = {
  kind: 'change-type',
  describe: (s) => ({
    id: `change-type.${s.schema}.${s.table}.${s.column}.${s.newColumn}`,
    slug: slugify('retype', s.table, s.column, 'to', s.newColumn),
    title: `Change ${s.schema}.${s.table}.${s.column} to ${s.newType} as ${s.newColumn}`,
  }),
  target: (s) => ({ schema: s.schema, table: s.table }),
  validate(spec, table) {
    const errors = [...validateMappings(spec), ...validateExistingColumn(table, spec, { requirePrimaryKey: true })];
    if (!table || errors.length) return errors;
    return [...validateNewColumn(table, spec.newColumn), ...blockingDependents(table, spec.column, { movable: true })];
  },
  preflight: (ctx) => {
    const t = quoteQualified(ctx.spec.schema, ctx.spec.table);
    const o = columnRef('t', ctx.spec.column);
    const forward = applyMapping(ctx.spec.forward, 'old', o);
    return phaseSteps(ctx.planId, 'preflight', [
      {
        slug: 'unconvertible-values',
        description: `Rows whose ${ctx.spec.column} the forward mapping cannot convert (it gives NULL): must be 0 before expand, or those values would be lost`,
        sql: `SELECT count(*)::bigint AS count FROM ${t} AS t WHERE ${o} IS NOT NULL AND ${forward} IS NULL`,
        lock: 'ACCESS SHARE',
        timeouts: ctx.options.longTimeouts,
        kind: 'check',
      },
      {
        slug: 'round-trip',
        description: `Rows that would not survive forward then reverse mapping: old code would read back a different ${ctx.spec.column}`,
        sql: `SELECT count(*)::bigint AS count FROM ${t} AS t WHERE ${o} IS NOT NULL AND ${applyMapping(ctx.spec.reverse, 'new', forward)} IS DISTINCT FROM ${o}`,
        lock: 'ACCESS SHARE',
        timeouts: ctx.options.longTimeouts,
        kind: 'check',
      },
    ]);
  },
  ...swapPhases(swap),
  notes: (ctx) => [
    `Old code keeps using ${ctx.spec.column}; new code uses ${ctx.spec.newColumn} (${ctx.spec.newType}). The column keeps its new name after the contract.`,
    'The forward mapping must accept every value old code may still write (give CASE an ELSE): a value it cannot convert makes that write fail.',
    ...swapNotes(swap(ctx)),
  ],
  legacyColumn: ownColumn,
  sqlFields: (s) => [
    { field: 'type', text: s.newType, kind: 'type', ...NO_PLACEHOLDERS },
    { field: 'forward', text: s.forward, kind: 'expression', placeholders: ['old'], required: 'old' },
    { field: 'reverse', text: s.reverse, kind: 'expression', placeholders: ['new'], required: 'new' },
  ],
  typeProbes(s, table) {
    const column = findColumn(table, s.column);
    if (!column) return [];
    // Each way gives the other column's type; the reverse reads a typed NULL, as no new value exists yet.
    return [
      { field: 'forward', expression: s.forward, select: `(${applyMapping(s.forward, 'old', columnRef('t', s.column))})::${s.newType}` },
      { field: 'reverse', expression: s.reverse, select: `(${applyMapping(s.reverse, 'new', `(NULL::${s.newType})`)})::${column.type}` },
    ];
  },
  catalogAfter: (s, phase) => swapCatalog(s, s.newColumn, phase),
  form: {
    label: 'Change a column type',
    column: 'existing',
    fields: [
      { name: 'newColumn', label: 'New column (old code keeps the old one)', value: 'name' },
      { name: 'newType', label: 'New type', value: 'name', placeholder: 'integer' },
      { name: 'forward', label: 'Old → new ({{old}})', value: 'expression', placeholder: '{{old}}::integer', wide: true },
      { name: 'reverse', label: 'New → old ({{new}})', value: 'expression', placeholder: '{{new}}::text', wide: true },
    ],
  },
  cli: {
    command: 'change-type',
    usage: '<type> --new-column NAME --forward EXPR --reverse EXPR',
    options: { 'new-column': { type: 'string' }, forward: { type: 'string' }, reverse: { type: 'string' } },
    parse(a) {
      a.need(2);
      const [newColumn, forward, reverse] = [a.option('new-column'), a.option('forward'), a.option('reverse')];
      if (!newColumn || !forward || !reverse) return a.fail('plan change-type needs --new-column, --forward and --reverse');
      return { kind: 'change-type', ...a.target(), newType: a.positional(1), newColumn: a.columnName(newColumn), forward, reverse };
    },
    words: (s) => [s.newType, '--new-column', s.newColumn, '--forward', s.forward, '--reverse', s.reverse],
  },
};
