'use client';
import type { FormAction } from '@/lib/actions/action-state';
import type { PeopleState } from '@/lib/actions/people-state';
import { FIELD, INPUT, SubmitAndAnswer, useAdminForm } from './use-admin-form';

/** The rotation, in order, with its first handover (UTC) and shift length. */
export function RotationForm({ action, defaults }: { action: FormAction<PeopleState>; defaults: { emails: string; startsAt: string; shiftDays: number } }) {
  const { ref, state, pending, onSubmit } = useAdminForm(action, { resetOnOk: false });
  return (
    <form ref={ref} onSubmit={onSubmit} className="min-w-0 space-y-3 rounded border border-slate-200 p-4" data-testid="rotation-form">
      <label className={FIELD}>
        Rotation (emails in order, separated by commas)
        <textarea name="emails" rows={2} defaultValue={defaults.emails} required className={`${INPUT} font-mono text-xs`} />
      </label>
      <div className="grid min-w-0 gap-3 sm:grid-cols-2">
        <label className={FIELD}>
          First handover (UTC)
          <input name="startsAt" type="datetime-local" defaultValue={defaults.startsAt} required className={INPUT} />
        </label>
        <label className={FIELD}>
          Shift (days)
          <input name="shiftDays" type="number" min={1} max={366} step={1} defaultValue={defaults.shiftDays} required className={INPUT} />
        </label>
      </div>
      <SubmitAndAnswer label="Save rotation" pending={pending} state={state} />
    </form>
  );
}
