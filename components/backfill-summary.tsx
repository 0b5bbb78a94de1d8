import type { MigrationSummary } from '@/lib/data/get-migrations';
import { describeSeconds } from '@/lib/metrics/describe-seconds';
import { formatCount } from './format';
import { ProgressBar } from './progress-bar';

export function BackfillSummary({ backfill }: { backfill: MigrationSummary['backfill'] }) {
  if (!backfill) return <span className="text-xs text-slate-400">not started</span>;
  const p = backfill.progress;
  return (
    <div className="space-y-1" data-testid="backfill">
      <ProgressBar percent={p.percent} label="backfill progress" />
      <p className="text-xs text-slate-600">
        {p.percent === null ? '?' : `${p.percent.toFixed(1)}%`} · {formatCount(p.done)}
        {p.total !== null ? ` / ${formatCount(p.total)}` : ''} rows
        {p.rowsPerSecond ? ` · ${formatCount(Math.round(p.rowsPerSecond))} rows/s` : ''}
        {p.etaSeconds !== null && backfill.status === 'running' ? ` · ETA ${describeSeconds(p.etaSeconds)}` : ''} · {backfill.status}
        {backfill.tableRows !== null ? ` (table holds ${formatCount(backfill.tableRows)})` : ''}
      </p>
    </div>
  );
}
