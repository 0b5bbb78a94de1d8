import { quoteIdent, quoteLiteral, quoteQualified } from './quote';
import { dollarQuote } from './sql-text';
import type { BackfillSpec, PlanOptions, Timeouts } from './types';

export interface BackfillInput {
  schema: string;
  table: string;
  /** Primary key columns with their types (format_type text), in key order. */
  key: { name: string; type: string }[];
  /** column := expression over the row alias `t`. */
  assignments: { column: string; expression: string }[];
  /** Predicate over alias `t`: the row still needs the assignments. */
  needsChange: string;
}

const list = (items: string[]) => items.join(', ');

/**
 * One batch walks the primary key from the previous batch's last key (keyset pagination),
 * so each batch costs the same however far along it is, and a crash resumes from the
 * saved key. Only rows that need the change are written, so a re-run batch changes nothing
 * twice. Rows are not locked ahead (that would write every tuple twice): the UPDATE locks
 * what it changes, and re-checks the predicate on a row a concurrent writer changed first.
 */
export function buildBackfill(input: BackfillInput): BackfillSpec {
  const table = quoteQualified(input.schema, input.table);
  const keys = input.key.map((k) => quoteIdent(k.name));
  const tKeys = list(keys.map((k) => `t.${k}`));
  const params = (from: number) => list(input.key.map((k, i) => `$${from + i}::${k.type}`));
  const k = input.key.length;
  const set = input.assignments.map((a) => `${quoteIdent(a.column)} = ${a.expression}`).join(', ');
  const after = (a: string | null, prefix = '') => (a ? `(${prefix ? list(keys.map((key) => `${prefix}${key}`)) : list(keys)}) > (${a})` : null);
  const where = (...conditions: (string | null)[]) => conditions.filter(Boolean).join(' AND ');
  const lastKeyArray = `ARRAY[${list(keys.map((key) => `${key}::text`))}]`;

  // The batch's last key comes from the primary key index alone, skipping `lim - 1` keys (an
  // index-only walk, with nothing kept or sorted); only the table's last batch, shorter than
  // `lim`, looks its last key up from the end and counts what it covers. No row: nothing is left.
  const edge = (a: string | null, lim: string) => `WITH edge AS (
  SELECT ${list(keys)} FROM ${table}
  ${a ? `WHERE ${after(a)} ` : ''}ORDER BY ${list(keys)}
  LIMIT 1 OFFSET ${lim}::int - 1
)
SELECT ${lastKeyArray} AS last_key, ${lim}::int AS scanned FROM edge
UNION ALL
SELECT ${lastKeyArray}, (SELECT count(*) FROM ${table}${a ? ` WHERE ${after(a)}` : ''})::int FROM (
  SELECT ${list(keys)} FROM ${table}
  WHERE ${where(after(a), 'NOT EXISTS (SELECT FROM edge)')} ORDER BY ${list(keys.map((key) => `${key} DESC`))}
  LIMIT 1
) tail`;
  // The UPDATE then takes the key range (after the previous batch, up to that key), which Postgres
  // reads as one index range scan; its row count is the rows it changed. A plain UPDATE, not a
  // data-modifying CTE: returning and counting every changed row made each batch 5% slower.
  const update = (a: string | null, last: string) => `UPDATE ${table} AS t SET ${set}
WHERE ${where(after(a, 't.'), `(${tKeys}) <= (${last})`, `(${input.needsChange})`)}`;

  return {
    table: { schema: input.schema, name: input.table },
    key: input.key.map((key) => key.name),
    keyTypes: input.key.map((key) => key.type),
    firstEdgeSql: edge(null, '$1'),
    edgeSql: edge(params(1), `$${k + 1}`),
    firstUpdateSql: update(null, params(1)),
    updateSql: update(params(1), params(k + 1)),
    remainingSql: `SELECT count(*)::bigint AS count FROM ${table} AS t WHERE ${input.needsChange}`,
  };
}

/**
 * The same batches as one server-side loop that commits after each batch, for a
 * migration file applied outside the dashboard (e.g. `supabase db push`). Re-running it
 * after an interruption is safe: finished rows no longer match and are not written.
 */
export function backfillLoopSql(spec: BackfillSpec, batchSize: number): string {
  const keys = (name: string) => spec.key.map((_, i) => `${name}[${i + 1}]`).join(', ');
  const body = `
DECLARE
  last_key text[];
  edge record;
BEGIN
  LOOP
    IF last_key IS NULL THEN
      EXECUTE ${quoteLiteral(spec.firstEdgeSql)} INTO edge USING ${batchSize};
    ELSE
      EXECUTE ${quoteLiteral(spec.edgeSql)} INTO edge USING ${keys('last_key')}, ${batchSize};
    END IF;
    EXIT WHEN edge.last_key IS NULL;
    IF last_key IS NULL THEN
      EXECUTE ${quoteLiteral(spec.firstUpdateSql)} USING ${keys('edge.last_key')};
    ELSE
      EXECUTE ${quoteLiteral(spec.updateSql)} USING ${keys('last_key')}, ${keys('edge.last_key')};
    END IF;
    last_key := edge.last_key;
    COMMIT;
  END LOOP;
END
`;
  return `DO ${dollarQuote(body)}`;
}

/** Row locks wait no longer than DDL locks do; the loop as a whole has no time limit. */
export function backfillTimeouts(options: PlanOptions): Timeouts {
  return { lockTimeout: options.ddlTimeouts.lockTimeout, statementTimeout: '0' };
}
