import type { FormAction } from '@/lib/actions/action-state';
import type { PeopleState } from '@/lib/actions/people-state';
import type { PersonListed } from '@/lib/data/get-people';
import { CreatePersonForm } from './create-person-form';
import { PersonRow } from './person-row';

/** The Admin page's people: create an account, then each person with their roles and access. */
export function PeopleSection({
  people,
  me,
  supabaseAuth,
  actions,
}: {
  people: PersonListed[];
  me: string;
  supabaseAuth: boolean;
  actions: { create: FormAction<PeopleState>; setRoles: FormAction<PeopleState>; setDisabled: FormAction<PeopleState> };
}) {
  return (
    <section className="min-w-0 space-y-3">
      <h2 className="text-lg font-semibold">People</h2>
      <p className="text-sm text-slate-600">
        Admins create accounts, change roles and disable them. The last active admin stays one, and no admin disables or demotes themself.
      </p>
      <CreatePersonForm action={actions.create} supabaseAuth={supabaseAuth} />
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm shadow-sm" data-testid="people">
        {people.map((p) => (
          <PersonRow
            key={p.email}
            person={{ email: p.email, name: p.name, roles: p.roles, disabled: p.disabledAt !== null }}
            self={p.email === me}
            setRoles={actions.setRoles}
            setDisabled={actions.setDisabled}
          />
        ))}
      </ul>
    </section>
  );
}
