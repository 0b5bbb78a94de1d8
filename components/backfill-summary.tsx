import type { MigrationSummary } from '@/lib/data/get-migrations';
import { backfillStage, describeBackfillProgress, type BackfillStageWord } from '@/lib/metrics/describe-backfill-progress';
import { ProgressBar } from './progress-bar';
import { StatusBadge, type Status } from './status-badge';

const TONE: Record<BackfillStageWord, Status> = {
  queued: 'info',
  running: 'progress',
  retrying: 'warn',
  paused: 'warn',
  cancelled: 'neutral',
  done: 'ok',
  failed: 'error',
};

/**
 * A backfill where it stands: queued (the moment it is asked for), running with its progress,
 * retrying or failed with the error, or its outcome. `job`: its latest job in the queue, when known.
 */
export function BackfillSummary({ backfill, job = null }: { backfill: MigrationSummary['backfill']; job?: MigrationSummary['backfillJob'] }) {
  const stage = backfillStage(backfill, job);
  if (!stage) return <span className="text-xs text-slate-400">not started</span>;
  const p = backfill?.progress;
  const d = p && backfill ? describeBackfillProgress(p, { status: stage.word, tableRows: backfill.tableRows }) : null;
  return (
    <div className="space-y-1" data-testid="backfill" data-stage={stage.word}>
      {p && <ProgressBar percent={p.percent} label="backfill progress" />}
      <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-600">
        <StatusBadge status={TONE[stage.word]}>{stage.word}</StatusBadge>
        {d && <span>{[d.percent, d.rows, d.rate, d.eta, d.table].filter(Boolean).join(' · ')}</span>}
      </p>
      {stage.note && (
        <p
          data-testid="backfill-note"
          className={`break-words text-xs ${stage.word === 'failed' || stage.word === 'retrying' ? 'text-rose-700' : 'text-slate-500'}`}
        >
          {stage.note}
        </p>
      )}
    </div>
  );
}
