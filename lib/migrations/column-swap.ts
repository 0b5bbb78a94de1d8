import { brownoutSpec, type BrownoutSpec } from './brownout';
import { backfillLoopSql, backfillTimeouts, buildBackfill } from './backfill';
import { columnFacts } from './column-facts';
import { indexName, objectNames } from './names';
import type { CatalogFacts, OperationContext, TableColumn } from './operation';
import type { FilePhase } from './render-sql';
import { quoteIdent, quoteLiteral, quoteQualified } from './quote';
import { addConstraintOnce, archiveColumnSql } from './shared-steps';
import { findColumn, type ColumnDependent, type TableInfo } from './schema';
import { applyMapping, columnRef, dollarQuote, isDistinct } from './sql-text';
import { phaseSteps, type StepDraft } from './steps';
import { dropSyncSql, outOfSyncSql, syncFunctionSql, syncTriggerNames, syncTriggerSql, type SyncSpec } from './sync-trigger';
import type { BackfillSpec, OperationSpec, ParitySpec, PlanOptions, Step } from './types';
import { isCopyableIndex } from './validate';
import {
  moveDependentsSql,
  movedDependents,
  movedDependentsNote,
  restoreDependentsSql,
  unchangedSinceTheContractSql,
  type MoveTarget,
} from './move-dependents';

/**
 * What rename and type change have in common: a new column beside the old one, kept in
 * sync by a trigger, filled by a keyset backfill; the contract archives and drops the old.
 */
export interface ColumnSwap {
  schema: string;
  table: TableInfo;
  oldColumn: string;
  newColumn: string;
  newType: string;
  /** Expression over {{old}}. */
  forward: string;
  /** Expression over {{new}}. */
  reverse: string;
  /** The new column's collation where it must not be its type's default: a rename keeps the old column's. */
  newCollation?: string;
}

const IDENTITY_FORWARD = '{{old}}';
const IDENTITY_REVERSE = '{{new}}';
export const identityMapping = { forward: IDENTITY_FORWARD, reverse: IDENTITY_REVERSE };

function syncSpec(swap: ColumnSwap): SyncSpec {
  const names = objectNames(swap.table.name, swap.oldColumn, swap.newColumn);
  return {
    schema: swap.schema,
    table: swap.table.name,
    oldColumn: swap.oldColumn,
    newColumn: swap.newColumn,
    forward: swap.forward,
    reverse: swap.reverse,
    oldType: findColumn(swap.table, swap.oldColumn)!.type,
    oldTypeSchema: findColumn(swap.table, swap.oldColumn)!.typeSchema,
    newType: swap.newType,
    functionName: names.syncFunction,
    triggerName: names.syncTrigger,
    insertTriggerName: names.syncInsertTrigger,
    newTriggerName: names.syncNewTrigger,
    oldWriteFunctionName: names.syncOldWriteFunction,
  };
}

const oldInfo = (swap: ColumnSwap) => findColumn(swap.table, swap.oldColumn)!;
const isRename = (swap: ColumnSwap) => swap.forward === IDENTITY_FORWARD && swap.reverse === IDENTITY_REVERSE;

/**
 * Where a policy or view read the old column, it reads the new one through the reverse mapping,
 * cast back to the old type: the value it saw is unchanged, and so is a view's column type
 * (CREATE OR REPLACE VIEW requires it). A rename simply names the new column.
 */
function moveTarget(swap: ColumnSwap): MoveTarget {
  const n = quoteIdent(swap.newColumn);
  return {
    schema: swap.schema,
    table: swap.table.name,
    oldColumn: swap.oldColumn,
    replacement: isRename(swap)
      ? (qualifier) => `${qualifier}${n}`
      : (qualifier) => `CAST(${applyMapping(swap.reverse, 'new', `${qualifier}${n}`)} AS ${oldInfo(swap).type})`,
  };
}
const tableSql = (swap: ColumnSwap) => quoteQualified(swap.schema, swap.table.name);
const keyColumns = (table: TableInfo) => table.primaryKey.map((name) => ({ name, type: findColumn(table, name)!.type }));

/** Rows where the two columns disagree (see outOfSyncSql): the backfill's and the parity check's predicate. */
export function outOfSync(swap: ColumnSwap, alias = 't'): string {
  return outOfSyncSql(syncSpec(swap), columnRef(alias, swap.newColumn), columnRef(alias, swap.oldColumn));
}

export function swapExpand<S extends OperationSpec>(ctx: OperationContext<S>, swap: ColumnSwap): Step[] {
  const names = objectNames(swap.table.name, swap.oldColumn, swap.newColumn);
  const sync = syncSpec(swap);
  const t = tableSql(swap);
  const { ddlTimeouts } = ctx.options;
  return phaseSteps(ctx.planId, 'expand', [
    {
      slug: 'add-column',
      description: `Add ${swap.newColumn} ${swap.newType}${swap.newCollation ? ` (collation ${swap.newCollation}, as ${swap.oldColumn}'s)` : ''} beside ${swap.oldColumn}: nullable and without a default, so no table rewrite`,
      sql: `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${quoteIdent(swap.newColumn)} ${swap.newType}${swap.newCollation ? ` COLLATE ${swap.newCollation}` : ''}`,
      lock: 'ACCESS EXCLUSIVE',
      timeouts: ddlTimeouts,
    },
    {
      slug: 'sync-function',
      description: `Function that keeps ${swap.oldColumn} and ${swap.newColumn} in sync on INSERT and UPDATE, both directions`,
      sql: syncFunctionSql(sync),
      lock: 'NONE',
      timeouts: ddlTimeouts,
    },
    {
      slug: 'sync-trigger',
      description: 'BEFORE INSERT and BEFORE UPDATE triggers running it (the UPDATE one only when either column changes)',
      sql: syncTriggerSql(sync),
      lock: 'SHARE ROW EXCLUSIVE',
      timeouts: ddlTimeouts,
    },
    ...(oldInfo(swap).nullable
      ? []
      : [
          {
            slug: 'not-null-check',
            description: `${swap.oldColumn} is NOT NULL: require ${swap.newColumn} too (NOT VALID: no scan; validated at contract). Only now, with the trigger filling it for old code`,
            sql: addConstraintOnce(t, names.notNullCheck, `CHECK (${quoteIdent(swap.newColumn)} IS NOT NULL) NOT VALID`),
            lock: 'ACCESS EXCLUSIVE' as const,
            timeouts: ddlTimeouts,
          },
        ]),
  ]);
}

export function swapBackfill<S extends OperationSpec>(ctx: OperationContext<S>, swap: ColumnSwap): { spec: BackfillSpec; steps: Step[] } {
  const spec = buildBackfill({
    schema: swap.schema,
    table: swap.table.name,
    key: keyColumns(swap.table),
    assignments: [{ column: swap.newColumn, expression: applyMapping(swap.forward, 'old', columnRef('t', swap.oldColumn)) }],
    needsChange: outOfSync(swap),
  });
  const steps = phaseSteps(ctx.planId, 'backfill', [
    {
      slug: 'copy-rows',
      description: `Copy ${swap.oldColumn} into ${swap.newColumn} for existing rows, ${ctx.options.batchSize} rows per batch in primary-key order, committing each batch`,
      sql: backfillLoopSql(spec, ctx.options.batchSize),
      lock: 'ROW EXCLUSIVE',
      timeouts: backfillTimeouts(ctx.options),
      transactional: false,
      kind: 'backfill',
    },
    // Built after the copy: maintaining the index during the backfill would cost more than building it once.
    ...copiedIndexes(swap).flatMap((i) => copyIndexDrafts(swap, i.original, ctx.options)),
  ]);
  return { spec, steps };
}

function copiedIndexes(swap: ColumnSwap) {
  return swap.table.dependents
    .filter((d) => d.column === swap.oldColumn && isCopyableIndex(d))
    .map((d) => ({ original: d, name: indexName(swap.table.name, swap.newColumn, d.name) }));
}

function copyIndexDrafts(swap: ColumnSwap, d: ColumnDependent, options: PlanOptions): StepDraft[] {
  const name = indexName(swap.table.name, swap.newColumn, d.name);
  const qualifiedIndex = quoteQualified(swap.schema, name);
  return [
    {
      slug: `clear-invalid-${d.name}`,
      description: `Drop ${name} if an earlier interrupted build left it INVALID (IF NOT EXISTS would keep it otherwise)`,
      sql: `DO ${dollarQuote(`
BEGIN
  IF EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(${quoteLiteral(qualifiedIndex)}) AND NOT indisvalid) THEN
    DROP INDEX ${qualifiedIndex};
  END IF;
END
`)}`,
      lock: 'ACCESS EXCLUSIVE',
      timeouts: options.ddlTimeouts,
    },
    {
      slug: `index-${d.name}`,
      description: `Build ${d.index!.unique ? 'unique ' : ''}index like ${d.name} on ${swap.newColumn} without blocking reads or writes`,
      sql: `CREATE ${d.index!.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(name)} ON ${tableSql(swap)} USING ${quoteIdent(d.index!.method)} (${quoteIdent(swap.newColumn)})`,
      lock: 'SHARE UPDATE EXCLUSIVE',
      // It waits for every older transaction in the database, but its lock blocks no reads or writes: let it wait.
      timeouts: { lockTimeout: options.longTimeouts.statementTimeout, statementTimeout: options.longTimeouts.statementTimeout },
      transactional: false,
    },
  ];
}

/**
 * Rows out of sync, and for a mapping that claims a way back (a type change's reverse), the
 * rows whose old value would not survive the contract: after it only the new column is left,
 * so an old value survives when reverse(new) gives it back. For a row in sync through the
 * forward mapping that is the round trip old = reverse(forward(old)); a row whose old value new
 * code set through the reverse mapping survives by construction. A rename's identity is exact.
 */
export function swapParity(swap: ColumnSwap): ParitySpec {
  const parity: ParitySpec = { countSql: `SELECT count(*)::bigint AS count FROM ${tableSql(swap)} AS t WHERE ${outOfSync(swap)}`, predicate: outOfSync(swap) };
  if (isRename(swap)) return parity;
  const o = columnRef('t', swap.oldColumn);
  const readBack = applyMapping(swap.reverse, 'new', columnRef('t', swap.newColumn));
  return {
    ...parity,
    roundTrip: { predicate: isDistinct(o, readBack, oldInfo(swap).type), oldText: `${o}::text`, becomesText: `${readBack}::text` },
  };
}

export function swapContract<S extends OperationSpec>(ctx: OperationContext<S>, swap: ColumnSwap): Step[] {
  const names = objectNames(swap.table.name, swap.oldColumn, swap.newColumn);
  const t = tableSql(swap);
  const old = oldInfo(swap);
  const o = quoteIdent(swap.oldColumn);
  const n = quoteIdent(swap.newColumn);
  const indexes = copiedIndexes(swap);
  const sync = syncSpec(swap);
  const moved = movedDependents(swap.table, swap.oldColumn);
  const finalSteps = [
    // Writes that bypassed a missing or disabled trigger since the parity check would be lost with the old column.
    `DO ${dollarQuote(`
BEGIN
  IF (SELECT count(*) FROM pg_trigger WHERE tgrelid = ${quoteLiteral(t)}::regclass AND tgenabled IN ('O', 'A')
        AND tgname IN (${syncTriggerNames(sync).map(quoteLiteral).join(', ')})) < ${syncTriggerNames(sync).length} THEN
    RAISE EXCEPTION 'the sync triggers on % are missing or disabled: writes may have bypassed them; run backfill and verify again', ${quoteLiteral(t)};
  END IF;
END
`)}`,
    dropSyncSql(sync),
    // Policies and views first: the drop (without CASCADE) refuses while anything still uses the column.
    ...moveDependentsSql(moveTarget(swap), moved),
    `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${o}`,
    // Dropping the column dropped its UNIQUE constraints: the same names come back on the new column's index.
    ...indexes
      .filter((i) => i.original.index!.constraint)
      .map((i) => `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(i.original.name)} UNIQUE USING INDEX ${quoteIdent(i.name)}`),
    ...(old.nullable
      ? []
      : [`ALTER TABLE ${t} ALTER COLUMN ${n} SET NOT NULL`, `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${quoteIdent(names.notNullCheck)}`]),
    // Only now: with both columns live, a default on the new one would override what old code inserts.
    ...(old.defaultExpression ? [`ALTER TABLE ${t} ALTER COLUMN ${n} SET DEFAULT ${applyMapping(swap.forward, 'old', `(${old.defaultExpression})`)}`] : []),
  ];
  const triggers = syncTriggerNames(sync);
  const parity = swapParity(swap);
  const disagree = parity.roundTrip ? `(${parity.predicate}) OR (${parity.roundTrip.predicate})` : parity.predicate;
  return phaseSteps(ctx.planId, 'contract', [
    {
      // First, so that a contract file applied without its triggers changes nothing (the drop checks again, under its lock).
      slug: 'sync-live',
      description: `Sync triggers on ${swap.table.name} missing or disabled: must be 0, or writes since the last verify may have bypassed them (run backfill and verify again)`,
      sql: `SELECT (${triggers.length} - count(*))::bigint AS count FROM pg_trigger
WHERE tgrelid = ${quoteLiteral(t)}::regclass AND tgenabled IN ('O', 'A') AND tgname IN (${triggers.map(quoteLiteral).join(', ')})`,
      lock: 'NONE' as const,
      timeouts: ctx.options.ddlTimeouts,
      kind: 'check' as const,
      fileOnly: true as const,
    },
    {
      // The gate saw a parity check, but a contract applied as a file (supabase db push) checks for itself: a row whose
      // columns disagree would lose its old value with the drop. Scanned before the drop's lock, which is held briefly.
      slug: 'columns-agree',
      description: `Rows whose ${swap.oldColumn} and ${swap.newColumn} disagree, or whose old value does not read back from the new one: must be 0, or those old values would go with the drop (run backfill and verify again)`,
      // A lossy mapping also needs every old value to read back from the new column (the gate's round trip).
      sql: `SELECT count(*)::bigint AS count FROM (SELECT 1 FROM ${t} AS t WHERE ${disagree} LIMIT 1000) AS differing`,
      lock: 'ACCESS SHARE' as const,
      timeouts: ctx.options.longTimeouts,
      kind: 'check' as const,
      fileOnly: true as const,
    },
    ...(indexes.length
      ? [
          {
            slug: 'indexes-valid',
            description: `Indexes rebuilt on ${swap.newColumn} that are missing or INVALID: must be 0, or the old column's indexes would go with nothing to replace them`,
            sql: `SELECT count(*)::bigint AS count FROM unnest(ARRAY[${indexes.map((i) => quoteLiteral(quoteQualified(swap.schema, i.name))).join(', ')}]) AS n(name)
WHERE NOT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(n.name) AND indisvalid)`,
            lock: 'NONE' as const,
            timeouts: ctx.options.ddlTimeouts,
            kind: 'check' as const,
          },
        ]
      : []),
    {
      slug: 'archive-old-values',
      description: `Copy every row's ${swap.oldColumn} (with its primary key) into ${names.archiveTable}, kept ${ctx.options.archiveRetentionDays} days for a restore`,
      sql: archiveColumnSql(swap.table, swap.oldColumn, names.archiveTable),
      lock: 'ACCESS SHARE',
      timeouts: ctx.options.longTimeouts,
    },
    ...(old.nullable
      ? []
      : [
          {
            slug: 'validate-not-null',
            description: `Validate the NOT NULL check on ${swap.newColumn}: scans the table but lets reads and writes go on`,
            // After a restore, the first contract left the new column NOT NULL and the check gone: nothing to validate.
            sql: `DO ${dollarQuote(`
BEGIN
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = ${quoteLiteral(t)}::regclass AND conname = ${quoteLiteral(names.notNullCheck)}) THEN
    ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(names.notNullCheck)};
  END IF;
END
`)}`,
            lock: 'SHARE UPDATE EXCLUSIVE' as const,
            timeouts: ctx.options.longTimeouts,
          },
        ]),
    {
      slug: 'drop-old-column',
      description: `Drop the sync trigger, its function and ${swap.oldColumn} in one short transaction${moved.length ? `, moving ${moved.map((d) => `${d.kind} ${d.name}`).join(', ')} to ${swap.newColumn} first (each checked unchanged since the plan)` : ''}${old.nullable ? '' : `; ${swap.newColumn} becomes NOT NULL using the validated check (no scan)`}${old.defaultExpression ? `; ${swap.newColumn} takes over the default` : ''}`,
      sql: finalSteps.join(';\n'),
      lock: 'ACCESS EXCLUSIVE',
      timeouts: ctx.options.ddlTimeouts,
    },
  ]);
}

export function swapRollback<S extends OperationSpec>(ctx: OperationContext<S>, swap: ColumnSwap): Step[] {
  return phaseSteps(ctx.planId, 'rollback', [
    {
      slug: 'drop-new-column',
      description: `Undo the expand: drop the sync trigger, its function and ${swap.newColumn} (its indexes and check go with it). Writes made through ${swap.newColumn} are already in ${swap.oldColumn}.`,
      sql: `DO ${dollarQuote(`
BEGIN
  -- After a contract the new column holds the only copy of the data: dropping it is never a rollback.
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = ${quoteLiteral(tableSql(swap))}::regclass AND attname = ${quoteLiteral(swap.oldColumn)} AND NOT attisdropped) THEN
    RAISE EXCEPTION 'column % is gone (the contract ran): use restore, not rollback', ${quoteLiteral(swap.oldColumn)};
  END IF;
END
`)};
${dropSyncSql(syncSpec(swap))};
ALTER TABLE ${tableSql(swap)} DROP COLUMN IF EXISTS ${quoteIdent(swap.newColumn)}`,
      lock: 'ACCESS EXCLUSIVE',
      timeouts: ctx.options.ddlTimeouts,
    },
  ]);
}

/** After a contract: brings the old column back from the archive, and syncs it again. */
export function swapRestore<S extends OperationSpec>(ctx: OperationContext<S>, swap: ColumnSwap): Step[] {
  const names = objectNames(swap.table.name, swap.oldColumn, swap.newColumn);
  const sync = syncSpec(swap);
  const t = tableSql(swap);
  const archive = quoteQualified(swap.schema, names.archiveTable);
  const o = quoteIdent(swap.oldColumn);
  const join = swap.table.primaryKey.map((k) => `t.${quoteIdent(k)} = a.${quoteIdent(k)}`).join(' AND ');
  const old = oldInfo(swap);
  const moved = movedDependents(swap.table, swap.oldColumn);
  return phaseSteps(ctx.planId, 'restore', [
    {
      slug: 're-add-old-column',
      description: `Add ${swap.oldColumn} back (nullable) and sync it with ${swap.newColumn} again${old.defaultExpression ? `; the default goes back from ${swap.newColumn} to ${swap.oldColumn}` : ''}`,
      sql: [
        // Before anything changes: a policy or view changed since the contract stops the restore here.
        ...unchangedSinceTheContractSql(moveTarget(swap), moved),
        `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${o} ${old.type}${old.collation ? ` COLLATE ${old.collation}` : ''}`,
        // As after the expand: the default on the old column, none on the new. A default left on the new
        // column would fill it on every insert by old code, and the sync trigger would take that for a
        // write by new code and copy it over the value old code wrote. SET DEFAULT fills no existing row,
        // so the archive fill below still finds them empty.
        ...(old.defaultExpression
          ? [
              `ALTER TABLE ${t} ALTER COLUMN ${o} SET DEFAULT ${old.defaultExpression}`,
              `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(swap.newColumn)} DROP DEFAULT`,
            ]
          : []),
        syncFunctionSql(sync),
        syncTriggerSql(sync),
      ].join(';\n'),
      lock: 'ACCESS EXCLUSIVE',
      timeouts: ctx.options.ddlTimeouts,
    },
    {
      slug: 'fill-from-archive',
      description: `Fill ${swap.oldColumn} in batches: from ${names.archiveTable} where the new column still holds what the archived value maps to, else from ${swap.newColumn}`,
      sql: backfillLoopSql(
        buildBackfill({
          schema: swap.schema,
          table: swap.table.name,
          key: keyColumns(swap.table),
          // Archived values only where the new column still agrees with them: later writes win.
          assignments: [
            {
              column: swap.oldColumn,
              expression: `coalesce((SELECT a.${o} FROM ${archive} AS a WHERE ${join} AND ${columnRef('t', swap.newColumn)} IS NOT DISTINCT FROM ${applyMapping(swap.forward, 'old', `a.${o}`)}), ${applyMapping(swap.reverse, 'new', columnRef('t', swap.newColumn))})`,
            },
          ],
          needsChange: `t.${o} IS NULL AND ${columnRef('t', swap.newColumn)} IS NOT NULL`,
        }),
        ctx.options.batchSize,
      ),
      lock: 'ROW EXCLUSIVE',
      timeouts: backfillTimeouts(ctx.options),
      transactional: false,
    },
    // Only once every row has its old value back: a policy on an empty old column would hide the rows.
    ...(moved.length
      ? [
          {
            slug: 'restore-dependents',
            description: `Put ${moved.map((d) => `${d.kind} ${d.name}`).join(', ')} back on ${swap.oldColumn}, as they were when planned`,
            sql: restoreDependentsSql(moveTarget(swap), moved).join(';\n'),
            lock: 'ACCESS EXCLUSIVE' as const,
            timeouts: ctx.options.ddlTimeouts,
          },
        ]
      : []),
  ]);
}

/** The old column renamed out of reach, the sync functions following it (see brownout.ts). */
export function swapBrownout(swap: ColumnSwap): BrownoutSpec {
  return brownoutSpec({ schema: swap.schema, name: swap.table.name }, swap.oldColumn, syncSpec(swap));
}

/** What the review should know about the policies and views the contract moves. */
export function swapNotes(swap: ColumnSwap): string[] {
  return movedDependentsNote({ schema: swap.schema, table: swap.table.name }, movedDependents(swap.table, swap.oldColumn), swap.oldColumn, swap.newColumn);
}

/** The phases every column swap shares, for an operation to spread into itself. */
export function swapPhases<S extends OperationSpec>(toSwap: (ctx: OperationContext<S>) => ColumnSwap) {
  return {
    expand: (ctx: OperationContext<S>) => swapExpand(ctx, toSwap(ctx)),
    backfill: (ctx: OperationContext<S>) => swapBackfill(ctx, toSwap(ctx)),
    verify: (ctx: OperationContext<S>) => swapParity(toSwap(ctx)),
    contract: (ctx: OperationContext<S>) => swapContract(ctx, toSwap(ctx)),
    rollback: (ctx: OperationContext<S>) => swapRollback(ctx, toSwap(ctx)),
    restore: (ctx: OperationContext<S>) => swapRestore(ctx, toSwap(ctx)),
    brownout: (ctx: OperationContext<S>) => swapBrownout(toSwap(ctx)),
  };
}

/** Both columns after expand (and restore), the old one alone after rollback, no old one after contract. */
export function swapCatalog(spec: TableColumn, newColumn: string, phase: FilePhase): CatalogFacts {
  switch (phase) {
    case 'expand':
    case 'restore':
      return columnFacts(spec, { present: [spec.column, newColumn] });
    case 'rollback':
      return columnFacts(spec, { present: [spec.column], absent: [newColumn] });
    case 'contract':
      return columnFacts(spec, { absent: [spec.column] });
  }
}
