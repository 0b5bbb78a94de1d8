import { brownoutSpec } from '../brownout';
import { columnFacts, ownColumn } from '../column-facts';
import { generatedName, slugify } from '../names';
import type { Operation } from '../operation';
import { quoteIdent, quoteQualified } from '../quote';
import { findColumn } from '../schema';
import { backfillLoopSql, backfillTimeouts, buildBackfill } from '../backfill';
import { archiveColumnSql } from '../shared-steps';
import { phaseSteps } from '../steps';
import type { OperationSpec } from '../types';
import { blockingDependents, validateExistingColumn } from '../validate';

type Spec = Extract<OperationSpec, { kind: 'drop-column' }>;

const archiveName = (s: Spec) => generatedName('ec_archive', s.table, s.column);

/**
 * Code stops using the column first. The expand only makes that possible (a NOT NULL
 * column without a default would reject new code's inserts); the drop is the contract,
 * gated like any other, and archives the values first.
 */
export const dropColumn: Operation<Spec> = {
  kind: 'drop-column',
  describe: (s) => ({
    id: `drop-column.${s.schema}.${s.table}.${s.column}`,
    slug: slugify('drop', s.table, s.column),
    title: `Drop ${s.schema}.${s.table}.${s.column}`,
  }),
  target: (s) => ({ schema: s.schema, table: s.table }),
  validate(spec, table) {
    const errors = validateExistingColumn(table, spec, { requirePrimaryKey: true });
    if (!table || errors.length) return errors;
    return blockingDependents(table, spec.column);
  },
  preflight: () => [],
  expand(ctx) {
    const col = findColumn(ctx.table, ctx.spec.column)!;
    if (col.nullable || col.defaultExpression) return [];
    return phaseSteps(ctx.planId, 'expand', [
      {
        slug: 'drop-not-null',
        description: `Allow NULL in ${ctx.spec.column} so code that no longer writes it can still insert`,
        sql: `ALTER TABLE ${quoteQualified(ctx.spec.schema, ctx.spec.table)} ALTER COLUMN ${quoteIdent(ctx.spec.column)} DROP NOT NULL`,
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
    ]);
  },
  backfill: () => ({ spec: null, steps: [] }),
  brownout: (ctx) => brownoutSpec({ schema: ctx.spec.schema, name: ctx.spec.table }, ctx.spec.column, null),
  verify: () => null,
  contract(ctx) {
    const s = ctx.spec;
    return phaseSteps(ctx.planId, 'contract', [
      {
        slug: 'archive-values',
        description: `Copy every row's ${s.column} (with its primary key) into ${archiveName(s)}, kept ${ctx.options.archiveRetentionDays} days for a restore`,
        sql: archiveColumnSql(ctx.table, s.column, archiveName(s)),
        lock: 'ACCESS SHARE',
        timeouts: ctx.options.longTimeouts,
      },
      {
        slug: 'drop-column',
        description: `Drop ${s.column}`,
        sql: `ALTER TABLE ${quoteQualified(s.schema, s.table)} DROP COLUMN IF EXISTS ${quoteIdent(s.column)}`,
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
    ]);
  },
  rollback(ctx) {
    const col = findColumn(ctx.table, ctx.spec.column)!;
    if (col.nullable || col.defaultExpression) return [];
    return phaseSteps(ctx.planId, 'rollback', [
      {
        slug: 'set-not-null',
        description: `Make ${ctx.spec.column} NOT NULL again (fails, changing nothing, if rows without it were written meanwhile)`,
        sql: `ALTER TABLE ${quoteQualified(ctx.spec.schema, ctx.spec.table)} ALTER COLUMN ${quoteIdent(ctx.spec.column)} SET NOT NULL`,
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.longTimeouts,
      },
    ]);
  },
  restore(ctx) {
    const s = ctx.spec;
    const t = quoteQualified(s.schema, s.table);
    const c = quoteIdent(s.column);
    const join = ctx.table.primaryKey.map((k) => `t.${quoteIdent(k)} = a.${quoteIdent(k)}`).join(' AND ');
    return phaseSteps(ctx.planId, 'restore', [
      {
        slug: 're-add-column',
        description: `Add ${s.column} back, nullable`,
        sql: `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${c} ${findColumn(ctx.table, s.column)!.type}`,
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
      },
      {
        slug: 'fill-from-archive',
        description: `Fill ${s.column} from ${archiveName(s)} in batches`,
        sql: backfillLoopSql(
          buildBackfill({
            schema: s.schema,
            table: s.table,
            key: ctx.table.primaryKey.map((k) => ({ name: k, type: findColumn(ctx.table, k)!.type })),
            assignments: [{ column: s.column, expression: `(SELECT a.${c} FROM ${quoteQualified(s.schema, archiveName(s))} AS a WHERE ${join})` }],
            needsChange: `t.${c} IS NULL AND EXISTS (SELECT 1 FROM ${quoteQualified(s.schema, archiveName(s))} AS a WHERE ${join} AND a.${c} IS NOT NULL)`,
          }),
          ctx.options.batchSize,
        ),
        lock: 'ROW EXCLUSIVE',
        timeouts: backfillTimeouts(ctx.options),
        transactional: false,
      },
    ]);
  },
  notes: (ctx) => [`Deploy code that neither reads nor writes ${ctx.spec.column} before the contract; the gate waits for zero reads of it.`],
  legacyColumn: ownColumn,
  sqlFields: () => [],
  typeProbes: () => [],
  // Only the contract removes anything: until then the column is there.
  catalogAfter: (s, phase) => columnFacts(s, phase === 'contract' ? { absent: [s.column] } : { present: [s.column] }),
  form: { label: 'Drop a column', column: 'existing', fields: [] },
  cli: {
    command: 'drop-column',
    usage: '',
    options: {},
    parse(a) {
      a.need(1);
      return { kind: 'drop-column', ...a.target() };
    },
    words: () => [],
  },
};
