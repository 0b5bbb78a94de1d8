import type { ClientBase } from 'pg';
import { quoteIdent, quoteQualified } from '../migrations/quote';
import { markProduct } from '../migrations/sql-text';
import type { BackfillSpec, ParitySpec, QualifiedName } from '../migrations/types';
import { countTableRows } from './count-table-rows';
import type { LossyRows } from '../state/records';

export interface ParityResult {
  mismatched: number;
  rowsChecked: number;
  /**
   * Rows the table held throughout the check: the smaller of its exact counts at the start and
   * at the end. Every one of them was there for the whole walk, so the check must have seen at
   * least that many; fewer means rows were hidden from it or added behind it.
   */
  tableRows: number;
  /** Rows whose old value would not survive the contract, with samples; null when the change has no way back to check. */
  lossy: LossyRows | null;
  durationMs: number;
}

export interface ParityOptions {
  /** Rows per range read (default 10,000). */
  rangeSize?: number;
  /** After each range, with the rows checked so far. */
  onRange?: (rowsChecked: number) => Promise<void> | void;
}

const MAX_SAMPLES = 10;
// Samples are shown on the page and in status: long values are cut, they only need to be recognisable.
const SAMPLE_CHARS = 200;

/** The counts over `source` (rows aliased `t`), plus the distinct lossy values when the change has a way back. */
function checkColumns(parity: ParitySpec, source: string): string {
  const rt = parity.roundTrip;
  const lossy = rt
    ? `count(*) FILTER (WHERE ${rt.predicate})::bigint AS lossy,
       (SELECT jsonb_agg(jsonb_build_array(s.old, s.becomes)) FROM (
          SELECT DISTINCT left(${rt.oldText}, ${SAMPLE_CHARS}) AS old, left(${rt.becomesText}, ${SAMPLE_CHARS}) AS becomes
            FROM ${source} WHERE ${rt.predicate} ORDER BY 1, 2 LIMIT ${MAX_SAMPLES}) AS s) AS samples`
    : 'NULL::bigint AS lossy, NULL::jsonb AS samples';
  return `count(*)::bigint AS scanned, count(*) FILTER (WHERE ${parity.predicate})::bigint AS mismatched,
       ${lossy}`;
}

interface CheckRow {
  scanned: string;
  mismatched: string;
  lossy: string | null;
  samples: [string | null, string | null][] | null;
  last_key?: string[] | null;
}

/**
 * Counts rows where the new column is not what the old one maps to and, for a change with a
 * way back, rows whose old value the new column cannot give back, walking the primary key in
 * ranges (one short read each), so a large table is never scanned under one long-running
 * snapshot. Counts the table's rows before and after, so the gate can tell a check that saw
 * every row from one that did not.
 */
export async function runParityCheck(
  client: ClientBase,
  check: { table: QualifiedName; parity: ParitySpec; backfill: BackfillSpec | null },
  options: ParityOptions = {},
): Promise<ParityResult> {
  const started = performance.now();
  const { parity, backfill } = check;
  const table = quoteQualified(check.table.schema, check.table.name);
  const totals = { mismatched: 0, checked: 0, lossy: 0 };
  const samples = new Map<string, { old: string | null; becomes: string | null }>();
  const add = (row: CheckRow) => {
    totals.checked += Number(row.scanned);
    totals.mismatched += Number(row.mismatched);
    totals.lossy += Number(row.lossy ?? 0);
    for (const [old, becomes] of row.samples ?? []) {
      if (samples.size < MAX_SAMPLES) samples.set(JSON.stringify([old, becomes]), { old, becomes });
    }
  };
  const before = await countTableRows(client, check.table);
  if (!backfill) {
    const { rows } = await client.query<CheckRow>(markProduct(`SELECT ${checkColumns(parity, `${table} AS t`)}\n  FROM ${table} AS t`));
    add(rows[0]!);
  } else {
    const keys = backfill.key.map(quoteIdent).join(', ');
    const params = backfill.key.map((_, i) => `$${i + 1}::${backfill.keyTypes[i]}`).join(', ');
    const range = (where: string, limit: string) => `WITH r AS (SELECT * FROM ${table} AS t ${where} ORDER BY ${keys} LIMIT ${limit})
SELECT ${checkColumns(parity, 'r AS t')},
       (SELECT ARRAY[${backfill.key.map((k) => `${quoteIdent(k)}::text`).join(', ')}] FROM r ORDER BY ${backfill.key.map((k) => `${quoteIdent(k)} DESC`).join(', ')} LIMIT 1) AS last_key
  FROM r AS t`;
    const first = markProduct(range('', '$1'));
    const next = markProduct(range(`WHERE (${keys}) > (${params})`, `$${backfill.key.length + 1}`));
    const rangeSize = options.rangeSize ?? 10_000;
    let cursor: string[] | null = null;
    for (;;) {
      const result: { rows: CheckRow[] } = cursor
        ? await client.query<CheckRow>(next, [...cursor, rangeSize])
        : await client.query<CheckRow>(first, [rangeSize]);
      const row = result.rows[0]!;
      if (!row.last_key) break;
      add(row);
      cursor = row.last_key;
      await options.onRange?.(totals.checked);
    }
  }
  const after = await countTableRows(client, check.table);
  return {
    mismatched: totals.mismatched,
    rowsChecked: totals.checked,
    tableRows: Math.min(before, after),
    lossy: parity.roundTrip ? { rows: totals.lossy, samples: [...samples.values()] } : null,
    durationMs: Math.round(performance.now() - started),
  };
}
