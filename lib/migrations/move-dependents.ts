import { quoteIdent, quoteLiteral, quoteQualified } from './quote';
import type { ColumnDependent, ColumnUses, DependentRewrite, TableInfo } from './schema';
import { dollarQuote } from './sql-text';

/** The policies and views on a column that the contract moves to the new column. */
export function movedDependents(table: TableInfo, column: string): DependentRewrite[] {
  return table.dependents.flatMap((d) => (d.column === column && d.rewrite && !('refused' in d.rewrite) ? [d.rewrite] : []));
}

/** A policy or view the planner can move: it is not in the way of the swap. */
export const isMovable = (d: ColumnDependent): boolean => (d.kind === 'policy' || d.kind === 'view') && !!d.rewrite && !('refused' in d.rewrite);

/**
 * The text with each use of the old column replaced by `replacement(qualifier)`, and each
 * select-list item that was the column alone named as before (`… AS old`), so a view keeps
 * its output columns and a subquery the names its outer query reads.
 */
export function rewriteUses(uses: ColumnUses, replacement: (qualifier: string) => string, oldColumn: string): string {
  const edits = [
    ...uses.uses.map((u) => ({ at: u.start, end: u.end, text: replacement(u.qualifier) })),
    ...uses.aliases.map((a) => ({ at: a, end: a, text: ` AS ${quoteIdent(oldColumn)}` })),
  ];
  // From the end, so earlier offsets still hold; an alias sits at the end of its use, so it goes first.
  edits.sort((a, b) => b.at - a.at || b.end - a.end);
  let text = uses.text;
  for (const e of edits) text = text.slice(0, e.at) + e.text + text.slice(e.end);
  return text;
}

/** A view's query as CREATE VIEW takes it: pg_get_viewdef ends it with a semicolon. */
const viewQuery = (text: string) => text.trim().replace(/;$/, '');

/** The view's options (security_invoker, check_option…), which CREATE OR REPLACE VIEW would otherwise reset. */
function viewOptions(options: string[]): string {
  if (!options.length) return '';
  const pairs = options.map((o) => {
    const eq = o.indexOf('=');
    return `${quoteIdent(o.slice(0, eq))} = ${quoteLiteral(o.slice(eq + 1))}`;
  });
  return ` WITH (${pairs.join(', ')})`;
}

export interface MoveTarget {
  schema: string;
  table: string;
  oldColumn: string;
  /** What a use becomes, given the text that qualified it (`l.` or nothing). */
  replacement: (qualifier: string) => string;
}

/** The statement that gives a policy or view the text `pick` chooses: the rewritten one, or the original. */
function defineSql(target: MoveTarget, d: DependentRewrite, pick: (uses: ColumnUses) => string): string {
  if (d.kind === 'policy') {
    const clauses = [
      d.using && d.using.uses.length ? `USING (${pick(d.using)})` : '',
      d.withCheck && d.withCheck.uses.length ? `WITH CHECK (${pick(d.withCheck)})` : '',
    ]
      .filter(Boolean)
      .join(' ');
    return `ALTER POLICY ${quoteIdent(d.name)} ON ${quoteQualified(d.schema, d.table)} ${clauses}`;
  }
  return `CREATE OR REPLACE VIEW ${quoteQualified(d.schema, d.name)}${viewOptions(d.options)} AS\n${viewQuery(pick(d.query))}`;
}

const tableOf = (d: { schema: string; table: string }) => quoteQualified(d.schema, d.table);

/**
 * A DO block whose checks read definitions as the planner read them: deparsed with only pg_catalog
 * on the search path, which is put back afterwards for the statements that follow in the transaction.
 */
function catalogBlock(declarations: string[], checks: string[]): string {
  return `DO ${dollarQuote(`
DECLARE
  saved text := current_setting('search_path');
${declarations.map((d) => `  ${d}\n`).join('')}BEGIN
  PERFORM set_config('search_path', 'pg_catalog', true);
${checks.join('\n')}
  PERFORM set_config('search_path', saved, true);
END
`)}`;
}

/**
 * Refuses, inside the contract's transaction, when a policy or view is no longer what was
 * planned: rewriting it would silently undo someone's later change. Compared as the planner
 * read it, deparsed with only pg_catalog on the search path (then put back as it was).
 */
function unchangedSinceThePlanSql(moved: DependentRewrite[]): string {
  const textOrNull = (u: ColumnUses | null) => (u ? quoteLiteral(u.text) : 'NULL');
  const checks = moved.map((d) =>
    d.kind === 'policy'
      ? `  IF NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = to_regclass(${quoteLiteral(tableOf(d))}) AND polname = ${quoteLiteral(d.name)}
                   AND pg_get_expr(polqual, polrelid) IS NOT DISTINCT FROM ${textOrNull(d.using)}
                   AND pg_get_expr(polwithcheck, polrelid) IS NOT DISTINCT FROM ${textOrNull(d.withCheck)}) THEN
    RAISE EXCEPTION 'policy % on % is gone or has changed since the plan: plan the change again', ${quoteLiteral(d.name)}, ${quoteLiteral(tableOf(d))};
  END IF;`
      : `  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass(${quoteLiteral(quoteQualified(d.schema, d.name))})
                   AND pg_get_viewdef(oid) = ${quoteLiteral(d.query.text)} AND coalesce(reloptions, '{}') = ${quoteLiteral(`{${d.options.map((o) => JSON.stringify(o)).join(',')}}`)}::text[]) THEN
    RAISE EXCEPTION 'view % is gone or has changed since the plan: plan the change again', ${quoteLiteral(quoteQualified(d.schema, d.name))};
  END IF;`,
  );
  return catalogBlock([], checks);
}

/** For the contract's transaction, before the drop: check each policy and view, then move it to the new column. */
export function moveDependentsSql(target: MoveTarget, moved: DependentRewrite[]): string[] {
  if (!moved.length) return [];
  return [unchangedSinceThePlanSql(moved), ...moved.map((d) => defineSql(target, d, (uses) => rewriteUses(uses, target.replacement, target.oldColumn)))];
}

/**
 * Refuses, in a restore, when a policy or view is no longer what the contract made of it: putting
 * the planned original back would silently undo a change made since (a policy tightened after the
 * contract would be loosened again). What the contract made is not known as text until PostgreSQL
 * deparses it, so each rewrite is applied once more in a subtransaction, read, and rolled back.
 */
export function unchangedSinceTheContractSql(target: MoveTarget, moved: DependentRewrite[]): string[] {
  if (!moved.length) return [];
  const checks = moved.map((d) => {
    const [what, read] =
      d.kind === 'policy'
        ? [
            `policy ${d.name} on ${tableOf(d)}`,
            `SELECT format('%s / %s', pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid)) FROM pg_policy
      WHERE polrelid = to_regclass(${quoteLiteral(tableOf(d))}) AND polname = ${quoteLiteral(d.name)}`,
          ]
        : [
            `view ${quoteQualified(d.schema, d.name)}`,
            `SELECT format('%s / %s', pg_get_viewdef(oid), reloptions) FROM pg_class WHERE oid = to_regclass(${quoteLiteral(quoteQualified(d.schema, d.name))})`,
          ];
    return `  found_def := (${read});
  BEGIN
    EXECUTE ${quoteLiteral(defineSql(target, d, (uses) => rewriteUses(uses, target.replacement, target.oldColumn)))};
    contracted_def := (${read});
    RAISE EXCEPTION 'ec: probe done';
  EXCEPTION WHEN raise_exception THEN
    IF SQLERRM <> 'ec: probe done' THEN RAISE; END IF;
  END;
  IF found_def IS DISTINCT FROM contracted_def THEN
    RAISE EXCEPTION '% is gone or has changed since the contract: a restore would put back the planned original over that change; put it back by hand', ${quoteLiteral(what)};
  END IF;`;
  });
  return [catalogBlock(['found_def text;', 'contracted_def text;'], checks)];
}

/** For a restore, once the old column is filled again: each policy and view as it was planned, if still as the contract left it. */
export function restoreDependentsSql(target: MoveTarget, moved: DependentRewrite[]): string[] {
  return [...unchangedSinceTheContractSql(target, moved), ...moved.map((d) => defineSql(target, d, (uses) => uses.text))];
}

/** For the review: what the contract does to each, in words (Supabase's policy names are sentences: quoted). */
export function movedDependentsNote(target: Pick<MoveTarget, 'schema' | 'table'>, moved: DependentRewrite[], oldColumn: string, newColumn: string): string[] {
  return moved.map((d) =>
    d.kind === 'policy'
      ? `policy ${quoteIdent(d.name)}${d.table === target.table && d.schema === target.schema ? '' : ` on ${d.schema}.${d.table}`} uses ${oldColumn}: the contract rewrites it to use ${newColumn} in the transaction that drops ${oldColumn} (see the contract's SQL); a restore puts it back`
      : `view ${d.schema}.${d.name} uses ${oldColumn}: the contract redefines it on ${newColumn}, keeping its column names and options, in the transaction that drops ${oldColumn}; a restore puts it back`,
  );
}
