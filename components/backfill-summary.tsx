import type { MigrationSummary } from '@/lib/data/get-migrations';
import { describeBackfillProgress } from '@/lib/metrics/describe-backfill-progress';
import { ProgressBar } from './progress-bar';

export function BackfillSummary({ backfill }: { backfill: MigrationSummary['backfill'] }) {
  if (!backfill) return <span className="text-xs text-slate-400">not started</span>;
  const p = backfill.progress;
  const d = describeBackfillProgress(p, backfill);
  return (
    <div className="space-y-1" data-testid="backfill">
      <ProgressBar percent={p.percent} label="backfill progress" />
      <p className="text-xs text-slate-600">
        {[d.percent, d.rows, d.rate, d.eta, d.table ? `${backfill.status} (${d.table})` : backfill.status].filter(Boolean).join(' · ')}
      </p>
    </div>
  );
}
