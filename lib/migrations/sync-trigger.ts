import { quoteIdent, quoteQualified } from './quote';
import { applyMapping, columnRef, dollarQuote, isDistinct } from './sql-text';

export interface SyncSpec {
  schema: string;
  table: string;
  oldColumn: string;
  newColumn: string;
  /** Expression over {{old}}; identity for a rename. */
  forward: string;
  /** Expression over {{new}}; identity for a rename. */
  reverse: string;
  oldType: string;
  newType: string;
  /** The old column type's schema, where a rename's comparison finds the type's operators. */
  oldTypeSchema?: string;
  functionName: string;
  /** The old-write trigger's own function: old code's bulk updates pay for nothing but the copy. */
  oldWriteFunctionName: string;
  /** The UPDATE trigger for writes of the old column (old code) or rows whose new column is still NULL. */
  triggerName: string;
  /**
   * The UPDATE trigger for writes of the new column (new code). Its name sorts before
   * triggerName's whatever the table is called: Postgres fires BEFORE triggers in name order
   * and evaluates each WHEN clause just before its trigger, so this one must see the row first
   * (the other's WHEN then skips a row whose new column changed, instead of a second call).
   */
  newTriggerName: string;
  /** The INSERT trigger (a WHEN clause on INSERT cannot look at OLD, hence two triggers). */
  insertTriggerName: string;
}

const isIdentity = (spec: Pick<SyncSpec, 'forward' | 'reverse'>) => spec.forward === '{{old}}' && spec.reverse === '{{new}}';

/**
 * SQL that is true when a row's two columns disagree. They agree when new = forward(old),
 * or, for a lossy reverse mapping, when old = reverse(new) (what the trigger wrote for new
 * code's value). `n` and `o` are column references (NEW."x", t."x").
 * An empty new column beside a value never agrees, even where reverse(NULL) gives that value
 * (`CASE … ELSE 'shown' END`): the row was not copied yet, and taking it for copied would
 * leave it empty, and its old value lost at the drop.
 */
export function outOfSyncSql(spec: Pick<SyncSpec, 'forward' | 'reverse' | 'oldType' | 'newType'>, n: string, o: string): string {
  const forwardDiffers = isDistinct(n, applyMapping(spec.forward, 'old', o), spec.newType);
  if (isIdentity(spec)) return forwardDiffers;
  return `(${forwardDiffers} AND (${n} IS NULL AND ${o} IS NOT NULL OR ${isDistinct(o, applyMapping(spec.reverse, 'new', n), spec.oldType)}))`;
}

/**
 * The trigger that keeps the old column (read by old code) and the new one (new code) in
 * step, for INSERT and UPDATE, in both directions. "Out of sync" is outOfSyncSql. The rules:
 * - INSERT with only the old column set (old code): new := forward(old).
 * - INSERT that sets the new column (new code) to something out of sync: old := reverse(new).
 * - UPDATE that changes the new column: unless the pair is in sync, old := reverse(new).
 *   So when one statement sets both to disagreeing values, the new column wins.
 * - UPDATE that changes only the old column (old code): unless in sync, new := forward(old).
 * - Any other UPDATE of a row whose new column is still NULL (written before the change and not
 *   backfilled yet): new := forward(old), so a NOT NULL check on the new column never fails old code.
 *   (A write of NULL through the new column to such a row looks the same: deploy new code after the backfill.)
 * Nothing is written when the pair is in sync, which keeps lossy mappings from rewriting
 * values either side wrote (the backfill relies on this).
 */
export function syncFunctionSql(spec: SyncSpec): string {
  const o = columnRef('NEW', spec.oldColumn);
  const n = columnRef('NEW', spec.newColumn);
  const forward = applyMapping(spec.forward, 'old', o);
  const reverse = applyMapping(spec.reverse, 'new', n);
  const outOfSync = outOfSyncSql(spec, n, o);
  const body = `
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF ${n} IS NULL AND ${o} IS NOT NULL THEN
      ${n} := ${forward};
    ELSIF ${n} IS NOT NULL AND ${outOfSync} THEN
      ${o} := ${reverse};
    END IF;
  ELSIF ${outOfSync} THEN
    -- Reached only through the new-write trigger: the new column changed, and it wins.
    ${o} := ${reverse};
  END IF;
  RETURN NEW;
END
`;
  // Old code's updates are the hot path, so they get a function of their own that does one thing.
  // A rename's pair is in sync exactly when the values are equal: assigning unconditionally writes the same value.
  const fillNew = isIdentity(spec) ? `${n} := ${forward};` : `IF ${outOfSync} THEN\n    ${n} := ${forward};\n  END IF;`;
  const oldWriteBody = `
BEGIN
  -- Reached only through the old-write trigger: the old column changed and the new one did not, or the new one is still NULL.
  ${fillNew}
  RETURN NEW;
END
`;
  // Every function gets a fixed search_path: it runs in every writer's session, whatever theirs is
  // (and Supabase's linter flags a function without one). Author-written mappings resolve in
  // pg_catalog only. A rename compares the column with itself, which must find the column type's own
  // operators: citext's live in its extension's schema, which comes right after pg_catalog.
  const typeSchema = isIdentity(spec) && spec.oldTypeSchema && spec.oldTypeSchema !== 'pg_catalog' ? `${quoteIdent(spec.oldTypeSchema)}, ` : '';
  const setPath = ` SET search_path = pg_catalog, ${typeSchema}pg_temp`;
  return `CREATE OR REPLACE FUNCTION ${quoteQualified(spec.schema, spec.functionName)}() RETURNS trigger
LANGUAGE plpgsql${setPath} AS ${dollarQuote(body)};
CREATE OR REPLACE FUNCTION ${quoteQualified(spec.schema, spec.oldWriteFunctionName)}() RETURNS trigger
LANGUAGE plpgsql${setPath} AS ${dollarQuote(oldWriteBody)}`;
}

/**
 * One BEFORE INSERT and two BEFORE UPDATE triggers, all running the sync function. The UPDATE
 * triggers' WHEN clauses are evaluated without calling the function, so updates of other
 * columns (most of production's) cost nothing, and each changed row costs one call.
 */
export function syncTriggerSql(spec: SyncSpec): string {
  const table = quoteQualified(spec.schema, spec.table);
  const fn = quoteQualified(spec.schema, spec.functionName);
  const oldWriteFn = quoteQualified(spec.schema, spec.oldWriteFunctionName);
  const [o, n] = [columnRef('NEW', spec.oldColumn), columnRef('NEW', spec.newColumn)];
  const newChanged = isDistinct(n, columnRef('OLD', spec.newColumn), spec.newType);
  const oldWrite = `NOT (${newChanged}) AND (${isDistinct(o, columnRef('OLD', spec.oldColumn), spec.oldType)} OR (${n} IS NULL AND ${o} IS NOT NULL))`;
  return `CREATE OR REPLACE TRIGGER ${quoteIdent(spec.insertTriggerName)} BEFORE INSERT ON ${table}
FOR EACH ROW EXECUTE FUNCTION ${fn}();
CREATE OR REPLACE TRIGGER ${quoteIdent(spec.newTriggerName)} BEFORE UPDATE ON ${table}
FOR EACH ROW WHEN (${newChanged}) EXECUTE FUNCTION ${fn}();
CREATE OR REPLACE TRIGGER ${quoteIdent(spec.triggerName)} BEFORE UPDATE ON ${table}
FOR EACH ROW WHEN (${oldWrite}) EXECUTE FUNCTION ${oldWriteFn}()`;
}

/** The trigger names, for checks that they are all in place. */
export const syncTriggerNames = (spec: SyncSpec): string[] => [spec.insertTriggerName, spec.newTriggerName, spec.triggerName];

export function dropSyncSql(spec: SyncSpec): string {
  const table = quoteQualified(spec.schema, spec.table);
  return `${syncTriggerNames(spec)
    .map((name) => `DROP TRIGGER IF EXISTS ${quoteIdent(name)} ON ${table};`)
    .join('\n')}
DROP FUNCTION IF EXISTS ${quoteQualified(spec.schema, spec.functionName)}();
DROP FUNCTION IF EXISTS ${quoteQualified(spec.schema, spec.oldWriteFunctionName)}()`;
}
