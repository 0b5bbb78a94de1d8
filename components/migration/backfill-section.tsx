import { ActionForm } from '@/components/action-form';
import { BackfillSummary } from '@/components/backfill-summary';
import type { FormAction } from '@/lib/actions/action-state';
import type { MigrationDetail } from '@/lib/data/get-migrations';

/** The backfill's progress; while it runs, the button that pauses it (or why this person may not). */
export function BackfillSection({ m, pause, pauseDenied }: { m: MigrationDetail; pause: FormAction; pauseDenied?: string }) {
  return (
    <section className="space-y-2">
      <h2 className="text-lg font-semibold">Backfill</h2>
      <div className="max-w-xl">
        <BackfillSummary backfill={m.backfill} />
      </div>
      {m.backfill?.status === 'running' && <ActionForm action={pause} hidden={{ migrationId: m.id }} label="Pause backfill" denied={pauseDenied} />}
    </section>
  );
}
