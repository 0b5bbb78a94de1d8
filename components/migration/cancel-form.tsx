import { ActionForm } from '@/components/action-form';
import type { FormAction } from '@/lib/actions/action-state';

/**
 * Withdrawing a plan nothing ran of. Folded behind its own summary, so it is one deliberate step
 * away from the review buttons it sits beside; the reason is kept on the migration's summary.
 */
export function CancelForm({ migrationId, cancel }: { migrationId: number; cancel: FormAction }) {
  return (
    <details className="max-w-xl rounded border border-slate-300 bg-white p-3 text-sm" data-testid="cancel-form">
      <summary className="cursor-pointer font-medium text-slate-700">Cancel this migration…</summary>
      <div className="mt-2 space-y-2">
        <p className="text-slate-600">
          Nothing has run on the target. Cancelled, it leaves the timeline and the open work; its page keeps who cancelled it and why.
        </p>
        <ActionForm action={cancel} hidden={{ migrationId }} label={`Cancel migration #${migrationId}`} danger>
          <label className="block">
            Why (optional)
            <input name="body" maxLength={500} autoComplete="off" className="mt-1 block w-full rounded border border-slate-300 px-2 py-1" />
          </label>
        </ActionForm>
      </div>
    </details>
  );
}
