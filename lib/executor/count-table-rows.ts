import type { ClientBase } from 'pg';
import { quoteQualified } from '../migrations/quote';
import { markProduct } from '../migrations/sql-text';
import type { QualifiedName } from '../migrations/types';

/**
 * The table's exact row count, to put beside the rows a backfill or parity check processed:
 * planner statistics are estimates, and a check that saw fewer rows than the table holds has
 * said nothing about the others.
 */
export async function countTableRows(client: ClientBase, table: QualifiedName): Promise<number> {
  const { rows } = await client.query<{ n: string }>(markProduct(`SELECT count(*)::bigint AS n FROM ${quoteQualified(table.schema, table.name)}`));
  return Number(rows[0]!.n);
}
