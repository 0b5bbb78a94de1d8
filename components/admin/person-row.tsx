'use client';
import type { FormAction } from '@/lib/actions/action-state';
import type { PeopleState } from '@/lib/actions/people-state';
import type { Role } from '@/lib/lifecycle/permissions';
import { ActionForm } from '../action-form';
import { RoleBoxes } from './role-boxes';
import { FormAnswer, useAdminForm } from './use-admin-form';

export interface PersonRowData {
  email: string;
  name: string;
  roles: Role[];
  disabled: boolean;
}

/**
 * One person: who, their roles (ticked and saved in place), and disabling, which asks first (a
 * second, deliberate click inside a disclosure). A name is whatever an admin typed: 80
 * characters, quotes and emoji wrap inside the row instead of widening the page.
 */
export function PersonRow({
  person,
  self,
  setRoles,
  setDisabled,
}: {
  person: PersonRowData;
  self: boolean;
  setRoles: FormAction<PeopleState>;
  setDisabled: FormAction<PeopleState>;
}) {
  const { state, pending, onSubmit } = useAdminForm(setRoles, { resetOnOk: false });
  return (
    <li className="grid min-w-0 grid-cols-1 gap-2 px-3 py-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)_9rem] sm:gap-4" data-testid="person-row">
      <div className="min-w-0">
        <p className="font-medium wrap-anywhere">{person.name || person.email}</p>
        <p className="text-xs text-slate-600 wrap-anywhere">
          {person.email}
          {self && ' (you)'}
        </p>
        {person.disabled && <p className="text-xs font-medium text-red-800">disabled</p>}
      </div>
      <form onSubmit={onSubmit} className="min-w-0 space-y-1" aria-label={`Roles of ${person.email}`}>
        <input type="hidden" name="email" value={person.email} />
        <div className="flex min-w-0 flex-wrap items-center gap-2">
          <RoleBoxes checked={person.roles} legend={`Roles of ${person.email}`} />
          <button type="submit" disabled={pending} className="rounded border border-slate-300 px-2 py-0.5 text-xs font-medium hover:bg-slate-50">
            {pending ? 'Saving…' : 'Save roles'}
          </button>
        </div>
        <FormAnswer state={state} />
      </form>
      <div className="min-w-0 sm:text-right">
        {person.disabled ? (
          <ActionForm action={setDisabled} hidden={{ email: person.email, disabled: 'false' }} label="Enable" />
        ) : self ? (
          <p className="text-xs text-slate-500">an admin cannot disable their own account</p>
        ) : (
          <details className="group min-w-0" data-testid="disable-person">
            <summary className="inline-block cursor-pointer list-none rounded border border-red-300 px-2 py-1 text-xs font-medium text-red-800 hover:bg-red-50 group-open:bg-red-50">
              Disable…
            </summary>
            <div className="mt-2 space-y-2 rounded border border-red-200 bg-red-50 p-2 text-left text-xs text-red-900">
              <p className="wrap-anywhere">{person.email} is signed out everywhere and cannot sign in until an admin enables the account again.</p>
              <ActionForm action={setDisabled} hidden={{ email: person.email, disabled: 'true' }} label="Yes, disable" danger />
            </div>
          </details>
        )}
      </div>
    </li>
  );
}
