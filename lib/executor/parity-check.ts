import type { ClientBase } from 'pg';
import { quoteIdent, quoteQualified } from '../migrations/quote';
import { markProduct } from '../migrations/sql-text';
import type { BackfillSpec, ParitySpec } from '../migrations/types';

export interface ParityResult {
  mismatched: number;
  rowsChecked: number;
  durationMs: number;
}

/**
 * Counts rows where the new column is not what the old one maps to, walking the primary
 * key in ranges (one short read each), so a large table is never scanned under one
 * long-running snapshot.
 */
export async function runParityCheck(client: ClientBase, parity: ParitySpec, backfill: BackfillSpec | null, rangeSize = 10_000): Promise<ParityResult> {
  const started = performance.now();
  if (!backfill) {
    const { rows } = await client.query<{ count: string }>(markProduct(parity.countSql));
    return { mismatched: Number(rows[0]!.count), rowsChecked: -1, durationMs: Math.round(performance.now() - started) };
  }
  const table = quoteQualified(backfill.table.schema, backfill.table.name);
  const keys = backfill.key.map(quoteIdent).join(', ');
  const predicate = parity.predicate;
  const params = backfill.key.map((_, i) => `$${i + 1}::${backfill.keyTypes[i]}`).join(', ');
  const range = (where: string, limit: string) => `WITH r AS (SELECT * FROM ${table} AS t ${where} ORDER BY ${keys} LIMIT ${limit})
SELECT count(*)::int AS scanned, count(*) FILTER (WHERE ${predicate})::int AS mismatched,
       (SELECT ARRAY[${backfill.key.map((k) => `${quoteIdent(k)}::text`).join(', ')}] FROM r ORDER BY ${backfill.key.map((k) => `${quoteIdent(k)} DESC`).join(', ')} LIMIT 1) AS last_key
  FROM r AS t`;
  const first = markProduct(range('', '$1'));
  const next = markProduct(range(`WHERE (${keys}) > (${params})`, `$${backfill.key.length + 1}`));
  let mismatched = 0;
  let checked = 0;
  let cursor: string[] | null = null;
  for (;;) {
    const { rows } = cursor ? await client.query(next, [...cursor, rangeSize]) : await client.query(first, [rangeSize]);
    const row = rows[0] as { scanned: number; mismatched: number; last_key: string[] | null };
    if (!row.last_key) break;
    mismatched += row.mismatched;
    checked += row.scanned;
    cursor = row.last_key;
  }
  return { mismatched, rowsChecked: checked, durationMs: Math.round(performance.now() - started) };
}
