import { quoteIdent, quoteQualified } from './quote';
import { applyMapping, columnRef, dollarQuote } from './sql-text';

export interface SyncSpec {
  schema: string;
  table: string;
  oldColumn: string;
  newColumn: string;
  /** Expression over {{old}}; identity for a rename. */
  forward: string;
  /** Expression over {{new}}; identity for a rename. */
  reverse: string;
  functionName: string;
  triggerName: string;
}

/**
 * The trigger that keeps the old column (read by old code) and the new one (new code) in
 * step, for INSERT and UPDATE, in both directions.
 *
 * "In sync" means new = forward(old). The rules, in order:
 * - INSERT with only the old column set (old code): new := forward(old).
 * - INSERT that sets the new column (new code) to something the old does not map to: old := reverse(new).
 * - UPDATE that changes the new column: unless it already agrees with the old, old := reverse(new).
 *   So when one statement sets both to disagreeing values, the new column wins.
 * - UPDATE that changes only the old column (old code): new := forward(old).
 * - Any other UPDATE of a row whose new column is still NULL (written before the change and not
 *   backfilled yet): new := forward(old), so a NOT NULL check on the new column never fails old code.
 * Nothing is written when the pair already agrees, which keeps lossy reverse mappings from
 * rewriting values old code wrote (the backfill relies on this).
 */
export function syncFunctionSql(spec: SyncSpec): string {
  const o = columnRef('NEW', spec.oldColumn);
  const n = columnRef('NEW', spec.newColumn);
  const oldN = columnRef('OLD', spec.newColumn);
  const oldO = columnRef('OLD', spec.oldColumn);
  const forward = applyMapping(spec.forward, 'old', o);
  const reverse = applyMapping(spec.reverse, 'new', n);
  const body = `
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF ${n} IS NULL AND ${o} IS NOT NULL THEN
      ${n} := ${forward};
    ELSIF ${n} IS NOT NULL AND ${n} IS DISTINCT FROM ${forward} THEN
      ${o} := ${reverse};
    END IF;
  ELSIF ${n} IS DISTINCT FROM ${oldN} THEN
    IF ${n} IS DISTINCT FROM ${forward} THEN
      ${o} := ${reverse};
    END IF;
  ELSIF ${o} IS DISTINCT FROM ${oldO} OR (${n} IS NULL AND ${o} IS NOT NULL) THEN
    IF ${n} IS DISTINCT FROM ${forward} THEN
      ${n} := ${forward};
    END IF;
  END IF;
  RETURN NEW;
END
`;
  // A fixed search_path: the function runs in every writer's session, whatever theirs is.
  return `CREATE OR REPLACE FUNCTION ${quoteQualified(spec.schema, spec.functionName)}() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS ${dollarQuote(body)}`;
}

export function syncTriggerSql(spec: SyncSpec): string {
  return `CREATE OR REPLACE TRIGGER ${quoteIdent(spec.triggerName)} BEFORE INSERT OR UPDATE ON ${quoteQualified(spec.schema, spec.table)}
FOR EACH ROW EXECUTE FUNCTION ${quoteQualified(spec.schema, spec.functionName)}()`;
}

export function dropSyncSql(spec: SyncSpec): string {
  return `DROP TRIGGER IF EXISTS ${quoteIdent(spec.triggerName)} ON ${quoteQualified(spec.schema, spec.table)};
DROP FUNCTION IF EXISTS ${quoteQualified(spec.schema, spec.functionName)}()`;
}
