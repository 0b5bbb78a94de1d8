import { quoteIdent, quoteLiteral, quoteQualified } from './quote';
import { findColumn, type TableInfo } from './schema';
import { columnRef, dollarQuote, PRODUCT_MARKER } from './sql-text';
import type { StepDraft } from './steps';
import type { PlanOptions } from './types';

/** ADD CONSTRAINT has no IF NOT EXISTS; this makes a re-run of the step a no-op. */
export function addConstraintOnce(table: string, name: string, definition: string): string {
  return `DO ${dollarQuote(`
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = ${quoteLiteral(table)}::regclass AND conname = ${quoteLiteral(name)}) THEN
    ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(name)} ${definition};
  END IF;
END
`)}`;
}

/**
 * Copies a column's values with the primary key into an archive table before it is
 * dropped, so a restore can bring them back. Re-running refreshes the copy.
 */
export function archiveColumnSql(table: TableInfo, column: string, archiveName: string): string {
  const t = quoteQualified(table.schema, table.name);
  const archive = quoteQualified(table.schema, archiveName);
  const keyList = table.primaryKey.map(quoteIdent).join(', ');
  const c = quoteIdent(column);
  return `CREATE TABLE IF NOT EXISTS ${archive} (
  ${table.primaryKey.map((k) => `${quoteIdent(k)} ${findColumn(table, k)!.type} NOT NULL`).join(',\n  ')},
  ${c} ${findColumn(table, column)!.type},
  archived_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (${keyList})
);
-- Not for API clients: with RLS on and no policy, only the owner reads it (Supabase grants new tables in public to anon).
ALTER TABLE ${archive} ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON ${archive} FROM PUBLIC;
INSERT ${PRODUCT_MARKER} INTO ${archive} (${keyList}, ${c})
SELECT ${keyList}, ${c} FROM ${t}
ON CONFLICT (${keyList}) DO UPDATE SET ${c} = EXCLUDED.${c}, archived_at = now()`;
}

export interface FillTrigger {
  schema: string;
  table: string;
  column: string;
  /** Function and trigger name. */
  name: string;
  /** The value for a NULL, over the row alias given. */
  value: (alias: string) => string;
}

/** A trigger that gives a column a value whenever a write leaves it NULL (old code that does not know it). */
export function fillTriggerDrafts(fill: FillTrigger, options: PlanOptions): StepDraft[] {
  const col = columnRef('NEW', fill.column);
  const fn = quoteQualified(fill.schema, fill.name);
  return [
    {
      slug: 'fill-function',
      description: `Function that fills ${fill.column} when a write leaves it NULL (old code)`,
      sql: `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS ${dollarQuote(`
BEGIN
  IF ${col} IS NULL THEN
    ${col} := ${fill.value('NEW')};
  END IF;
  RETURN NEW;
END
`)}`,
      lock: 'NONE',
      timeouts: options.ddlTimeouts,
    },
    {
      slug: 'fill-trigger',
      description: 'BEFORE INSERT OR UPDATE trigger running it',
      sql: `CREATE OR REPLACE TRIGGER ${quoteIdent(fill.name)} BEFORE INSERT OR UPDATE ON ${quoteQualified(fill.schema, fill.table)}
FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
      lock: 'SHARE ROW EXCLUSIVE',
      timeouts: options.ddlTimeouts,
    },
  ];
}

export function dropFillTriggerSql(fill: Pick<FillTrigger, 'schema' | 'table' | 'name'>): string[] {
  return [
    `DROP TRIGGER IF EXISTS ${quoteIdent(fill.name)} ON ${quoteQualified(fill.schema, fill.table)}`,
    `DROP FUNCTION IF EXISTS ${quoteQualified(fill.schema, fill.name)}()`,
  ];
}

/**
 * NOT NULL without a long ACCESS EXCLUSIVE scan: CHECK NOT VALID (instant), VALIDATE
 * (scans while reads and writes go on), SET NOT NULL (proved by the check, no scan), drop
 * the check; `andThen` runs in that last short transaction too.
 */
export function safeSetNotNullDrafts(
  target: { schema: string; table: string; column: string; check: string },
  options: PlanOptions,
  andThen: string[] = [],
): StepDraft[] {
  const t = quoteQualified(target.schema, target.table);
  const c = quoteIdent(target.column);
  return [
    {
      slug: 'add-check',
      description: `CHECK (${target.column} IS NOT NULL) NOT VALID: enforced for new writes at once, no scan`,
      sql: addConstraintOnce(t, target.check, `CHECK (${c} IS NOT NULL) NOT VALID`),
      lock: 'ACCESS EXCLUSIVE',
      timeouts: options.ddlTimeouts,
    },
    {
      slug: 'validate-check',
      description: 'Validate the check: scans the table while reads and writes go on',
      sql: `ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(target.check)}`,
      lock: 'SHARE UPDATE EXCLUSIVE',
      timeouts: options.longTimeouts,
    },
    {
      slug: 'set-not-null',
      description: `SET NOT NULL (proved by the valid check, so no scan), then drop the check${andThen.length ? ' and the fill trigger' : ''}`,
      sql: [`ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL`, `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${quoteIdent(target.check)}`, ...andThen].join(
        ';\n',
      ),
      lock: 'ACCESS EXCLUSIVE',
      timeouts: options.ddlTimeouts,
    },
  ];
}
