import { ActionForm } from '@/components/action-form';
import { BackfillSummary } from '@/components/backfill-summary';
import type { FormAction } from '@/lib/actions/action-state';
import type { MigrationDetail } from '@/lib/data/get-migrations';

/** The backfill's stage (queued, running, retrying…) and progress; while it runs, the button that pauses it, for whom may. */
export function BackfillSection({ m, pause, mayPause }: { m: MigrationDetail; pause: FormAction; mayPause: boolean }) {
  return (
    <section className="space-y-2">
      <h2 className="text-lg font-semibold">Backfill</h2>
      <div className="max-w-xl">
        <BackfillSummary backfill={m.backfill} job={m.backfillJob} />
      </div>
      {m.backfill?.status === 'running' && mayPause && <ActionForm action={pause} hidden={{ migrationId: m.id }} label="Pause backfill" />}
    </section>
  );
}
