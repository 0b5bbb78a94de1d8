'use client';
import type { FormAction } from '@/lib/actions/action-state';
import type { PeopleState } from '@/lib/actions/people-state';
import { RoleBoxes } from './role-boxes';
import { FIELD, INPUT, SubmitAndAnswer, useAdminForm } from './use-admin-form';

/** Creates an account; its generated password is shown once, here (none with Supabase Auth). */
export function CreatePersonForm({ action, supabaseAuth }: { action: FormAction<PeopleState>; supabaseAuth: boolean }) {
  const { ref, state, pending, onSubmit } = useAdminForm(action);
  return (
    <form ref={ref} onSubmit={onSubmit} className="min-w-0 space-y-3 rounded border border-slate-200 p-4" data-testid="create-person">
      <div className="grid min-w-0 gap-3 sm:grid-cols-2">
        <label className={FIELD}>
          Email
          <input name="email" type="email" required autoComplete="off" className={INPUT} />
        </label>
        <label className={FIELD}>
          Name
          <input name="name" maxLength={200} autoComplete="off" className={INPUT} />
        </label>
      </div>
      <RoleBoxes checked={['viewer']} legend="Roles of the new account" />
      <p className="text-xs text-slate-600">
        {supabaseAuth
          ? 'No password: they sign in through Supabase Auth with this email, once Supabase has confirmed it.'
          : 'A password is generated and shown once, here.'}
      </p>
      <SubmitAndAnswer label="Create person" pending={pending} state={state} />
      {state.password && (
        <code data-testid="new-password" className="block rounded bg-amber-50 p-2 font-mono text-sm break-all">
          {state.password}
        </code>
      )}
    </form>
  );
}
