'use client';
import type { FormAction } from '@/lib/actions/action-state';
import type { PeopleState } from '@/lib/actions/people-state';
import { FIELD, INPUT, SubmitAndAnswer, useAdminForm } from './use-admin-form';

/** Someone on call in place of the rotation, from one time to another (UTC). */
export function OverrideForm({ action, defaults }: { action: FormAction<PeopleState>; defaults: { from: string; to: string } }) {
  const { ref, state, pending, onSubmit } = useAdminForm(action);
  return (
    <form ref={ref} onSubmit={onSubmit} className="min-w-0 space-y-3 rounded border border-slate-200 p-4" data-testid="override-form">
      <div className="grid min-w-0 gap-3 sm:grid-cols-2">
        <label className={FIELD}>
          On call instead
          <input name="email" type="email" required placeholder="email" autoComplete="off" className={INPUT} />
        </label>
        <label className={FIELD}>
          Reason
          <input name="reason" maxLength={200} autoComplete="off" className={INPUT} />
        </label>
        <label className={FIELD}>
          From (UTC)
          <input name="from" type="datetime-local" defaultValue={defaults.from} required className={INPUT} />
        </label>
        <label className={FIELD}>
          To (UTC)
          <input name="to" type="datetime-local" defaultValue={defaults.to} required className={INPUT} />
        </label>
      </div>
      <SubmitAndAnswer label="Add override" pending={pending} state={state} />
    </form>
  );
}
