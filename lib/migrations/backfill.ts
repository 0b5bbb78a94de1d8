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
  const params = input.key.map((k, i) => `$${i + 1}::${k.type}`);
  const limit = `$${input.key.length + 1}`;
  const set = input.assignments.map((a) => `${quoteIdent(a.column)} = ${a.expression}`).join(', ');

  // The batch's last key comes from the primary key index alone, skipping `lim - 1` keys (an
  // index-only walk, with nothing kept or sorted); the UPDATE then takes the key range (after the
  // previous batch, up to that key), which Postgres reads as one index range scan instead of a
  // lookup per row. Only the table's last batch, shorter than `lim`, looks its last key up from the end.
  const after = (a: string | null) => (a ? `WHERE (${list(keys)}) > (${a})` : '');
  const batch = (a: string | null, lim: string) => `WITH edge AS (
  SELECT ${list(keys)} FROM ${table}
  ${a ? `${after(a)} ` : ''}ORDER BY ${list(keys)}
  LIMIT 1 OFFSET ${lim}::int - 1
), tail AS (
  SELECT ${list(keys)} FROM ${table}
  ${a ? `${after(a)} AND` : 'WHERE'} NOT EXISTS (SELECT FROM edge) ORDER BY ${list(keys.map((k) => `${k} DESC`))}
  LIMIT 1
), last AS (
  SELECT * FROM edge UNION ALL SELECT * FROM tail
), changed AS (
  UPDATE ${table} AS t SET ${set}
  WHERE ${a ? `(${tKeys}) > (${a}) AND ` : ''}(${tKeys}) <= (SELECT ${list(keys)} FROM last) AND (${input.needsChange})
  RETURNING 1
)
SELECT CASE WHEN EXISTS (SELECT FROM edge) THEN ${lim}::int ELSE (SELECT count(*) FROM ${table}${a ? ` ${after(a)}` : ''})::int END AS scanned,
       (SELECT count(*) FROM changed)::int AS changed,
       (SELECT ARRAY[${list(keys.map((k) => `${k}::text`))}] FROM last) AS last_key`;

  return {
    table: { schema: input.schema, name: input.table },
    key: input.key.map((k) => k.name),
    keyTypes: input.key.map((k) => k.type),
    firstBatchSql: batch(null, '$1'),
    batchSql: batch(list(params), limit),
    remainingSql: `SELECT count(*)::bigint AS count FROM ${table} AS t WHERE ${input.needsChange}`,
  };
}

/**
 * The same batches as one server-side loop that commits after each batch, for a
 * migration file applied outside the dashboard (e.g. `supabase db push`). Re-running it
 * after an interruption is safe: finished rows no longer match and are not written.
 */
export function backfillLoopSql(spec: BackfillSpec, batchSize: number): string {
  const args = spec.key.map((_, i) => `last_key[${i + 1}]`).join(', ');
  const body = `
DECLARE
  last_key text[];
  batch record;
BEGIN
  LOOP
    IF last_key IS NULL THEN
      EXECUTE ${quoteLiteral(spec.firstBatchSql)} INTO batch USING ${batchSize};
    ELSE
      EXECUTE ${quoteLiteral(spec.batchSql)} INTO batch USING ${args}, ${batchSize};
    END IF;
    EXIT WHEN batch.last_key IS NULL;
    last_key := batch.last_key;
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
