import type { BackfillProgressView } from './backfill-progress';
import { describeSeconds } from './describe-seconds';

export interface BackfillDescription {
  /** "42.0%", or "?" while the table's size is unknown. */
  percent: string;
  /** "4,200 / 10,000 rows", or "4,200 rows" without a size. */
  rows: string;
  rate: string | null;
  /** Only while it runs: a paused or finished backfill has no arrival time. */
  eta: string | null;
  /** "table holds 10,000", from the table's statistics, when known. */
  table: string | null;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The words for a backfill's progress, shared by the command line and the page so that both say
 * the same thing about the same backfill; each joins them in its own way.
 */
export function describeBackfillProgress(p: BackfillProgressView, b: { status: string; tableRows: number | null }): BackfillDescription {
  return {
    percent: p.percent === null ? '?' : `${p.percent.toFixed(1)}%`,
    rows: `${count(p.done)}${p.total !== null ? ` / ${count(p.total)}` : ''} rows`,
    rate: p.rowsPerSecond ? `${count(Math.round(p.rowsPerSecond))} rows/s` : null,
    eta: p.etaSeconds !== null && b.status === 'running' ? `ETA ${describeSeconds(p.etaSeconds)}` : null,
    table: b.tableRows !== null ? `table holds ${count(b.tableRows)}` : null,
  };
}
