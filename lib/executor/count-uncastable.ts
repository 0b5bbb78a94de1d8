import type { ClientBase } from 'pg';
import type { UnconvertibleRows } from '../migrations/errors';
import { quoteIdent, quoteQualified } from '../migrations/quote';
import { markProduct } from '../migrations/sql-text';
import type { QualifiedName } from '../migrations/types';

/** Distinct values tried, the commonest first: enough for any status-like column, bounded for the rest. */
const MAX_DISTINCT = 1000;

/** Whether this server has pg_input_is_valid (PostgreSQL 16 and later). */
async function hasInputIsValid(target: ClientBase): Promise<boolean> {
  const { rows } = await target.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  return Number(rows[0]!.v) >= 160000;
}

async function uncastable(target: ClientBase, values: string[], type: string): Promise<Set<string>> {
  if (await hasInputIsValid(target)) {
    const { rows } = await target.query<{ v: string }>(markProduct('SELECT v FROM unnest($1::text[]) AS v WHERE NOT pg_input_is_valid(v, $2)'), [values, type]);
    return new Set(rows.map((r) => r.v));
  }
  // PostgreSQL 15 has no pg_input_is_valid: each value is cast in a savepoint of its own.
  const failing = new Set<string>();
  for (const v of values) {
    await target.query('SAVEPOINT expand_contract_cast');
    try {
      await target.query(markProduct(`SELECT $1::text::${type}`), [v]);
      await target.query('RELEASE SAVEPOINT expand_contract_cast');
    } catch {
      failing.add(v);
      await target.query('ROLLBACK TO SAVEPOINT expand_contract_cast');
    }
  }
  return failing;
}

/**
 * The rows of a column whose value, as text, the new type does not accept, counted after a cast
 * failed so that the advice can say how many and which. Read-only, in a transaction of its own with
 * a statement_timeout. The type name is the plan's: type-checked when it was planned and already
 * in the failed step's SQL; no author expression runs here.
 */
export async function countUncastable(target: ClientBase, table: QualifiedName, column: string, type: string): Promise<UnconvertibleRows> {
  const c = quoteIdent(column);
  await target.query("BEGIN READ ONLY; SET LOCAL statement_timeout = '5s'; SET LOCAL lock_timeout = '1s'");
  try {
    const { rows } = await target.query<{ v: string; n: string }>(
      markProduct(
        `SELECT ${c}::text AS v, count(*) AS n FROM ${quoteQualified(table.schema, table.name)} WHERE ${c} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${MAX_DISTINCT + 1}`,
      ),
    );
    const values = rows.slice(0, MAX_DISTINCT);
    const failing = await uncastable(
      target,
      values.map((r) => r.v),
      type,
    );
    const bad = values.filter((r) => failing.has(r.v));
    return {
      rows: bad.reduce((sum, r) => sum + Number(r.n), 0),
      examples: bad.slice(0, 3).map((r) => r.v),
      values: bad.length,
      complete: rows.length <= MAX_DISTINCT,
    };
  } finally {
    await target.query('ROLLBACK').catch(() => {});
  }
}
