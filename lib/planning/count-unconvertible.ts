import type { ClientBase } from 'pg';
import { UnconvertibleValuesError, type UnconvertibleRows } from '../migrations/errors';
import { quoteIdent, quoteQualified } from '../migrations/quote';
import { findColumn, type TableInfo } from '../migrations/schema';
import { applyMapping, markProduct } from '../migrations/sql-text';
import type { OperationSpec } from '../migrations/types';
import { oneStatement, PROBE_ROLE } from './probe-expressions';

type ChangeType = Extract<OperationSpec, { kind: 'change-type' }>;

/** Distinct values tried, the commonest first. */
const MAX_DISTINCT = 1000;
/** Tries of the mapping, and time, the search may take before it answers with what it found. */
const MAX_TRIES = 400;
const MAX_MS = 3000;

const SAVEPOINT = 'expand_contract_try';

/** What the search found: the values the mapping fails on (with Postgres's message) or turns into NULL (null). */
type Failing = Map<string, string | null>;

/**
 * Finds the values the mapping fails on by halving: one statement for all of them when none
 * fails (the common case), then each half that fails, down to single values. Every try runs in a
 * savepoint of the probe's transaction, so a failure leaves the transaction, and its role, as it was.
 */
async function search(target: ClientBase, sql: string, values: string[], budget: { tries: number; until: number }, failing: Failing): Promise<boolean> {
  if (!values.length) return true;
  if (budget.tries <= 0 || Date.now() > budget.until) return false;
  budget.tries -= 1;
  await target.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    const { rows } = await target.query<{ v: string }>({ ...oneStatement(sql), values: [values] });
    for (const { v } of rows) failing.set(v, null);
    await target.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return true;
  } catch (error) {
    await target.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    if (values.length === 1) {
      failing.set(values[0]!, (error as Error).message);
      return true;
    }
    const half = Math.ceil(values.length / 2);
    const first = await search(target, sql, values.slice(0, half), budget, failing);
    return (await search(target, sql, values.slice(half), budget, failing)) && first;
  }
}

/**
 * Counts, on the live data, the rows whose value the forward mapping of a type change cannot
 * convert: the expand's pre-flight check would stop on them, or the backfill fail. The distinct
 * values are read by this login (no author text in that query); the mapping then runs on them as
 * the probe role, which reads no table, in the READ ONLY transaction with the probe's 2 s
 * statement_timeout, rolled back. Returns the plan error, or null when every value converts (or
 * the table is too large to read its values in time: the pre-flight check still guards the expand).
 */
export async function countUnconvertible(target: ClientBase, spec: ChangeType, table: TableInfo): Promise<UnconvertibleValuesError | null> {
  const column = findColumn(table, spec.column);
  if (!column) return null;
  const c = quoteIdent(column.name);
  const forward = applyMapping(spec.forward, 'old', `(x.v::${column.type})`);
  const sql = `SELECT x.v FROM unnest($1::text[]) AS x(v) WHERE (${forward})::${spec.newType} IS NULL`;
  await target.query("BEGIN READ ONLY; SET LOCAL statement_timeout = '2s'; SET LOCAL lock_timeout = '1s'");
  try {
    const distinct = await target
      .query<{ v: string; n: string }>(
        markProduct(
          `SELECT ${c}::text AS v, count(*) AS n FROM ${quoteQualified(table.schema, table.name)} WHERE ${c} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${MAX_DISTINCT + 1}`,
        ),
      )
      .then(
        (r) => r.rows,
        () => null,
      );
    if (!distinct) return null;
    const values = distinct.slice(0, MAX_DISTINCT);
    await target.query(`SET LOCAL ROLE ${quoteIdent(PROBE_ROLE)}`);
    const failing: Failing = new Map();
    const searched = await search(
      target,
      sql,
      values.map((r) => r.v),
      { tries: MAX_TRIES, until: Date.now() + MAX_MS },
      failing,
    );
    const bad = values.filter((r) => failing.has(r.v));
    if (!bad.length) return null;
    const found: UnconvertibleRows = {
      rows: bad.reduce((sum, r) => sum + Number(r.n), 0),
      examples: bad.slice(0, 3).map((r) => r.v),
      values: bad.length,
      complete: searched && distinct.length <= MAX_DISTINCT,
    };
    const firstError = bad.map((r) => failing.get(r.v)).find((m) => m);
    const reason = firstError ?? 'the forward mapping gives NULL for them, and the expand refuses to lose a value';
    return new UnconvertibleValuesError(
      `${table.schema}.${table.name}`,
      column.name,
      spec.newType,
      found,
      reason,
      `give a forward mapping that converts every value, e.g. CASE {{old}} WHEN '${bad[0]!.v.replaceAll("'", "''").slice(0, 40)}' THEN … ELSE … END, or fix those rows first`,
    );
  } finally {
    await target.query('ROLLBACK');
  }
}
