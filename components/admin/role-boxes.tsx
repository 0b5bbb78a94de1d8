import { ROLES, type Role } from '@/lib/lifecycle/permissions';

const MEANS: Record<Role, string> = {
  viewer: 'reads everything',
  author: 'plans and runs their migrations',
  reviewer: 'approves plans',
  oncall: 'approves and runs contracts when on call',
  admin: 'people, tokens, the rotation',
};

/** One checkbox per role, named `role:<role>` (the actions read every ticked one). */
export function RoleBoxes({ checked, legend }: { checked: readonly Role[]; legend: string }) {
  return (
    <fieldset className="flex min-w-0 flex-wrap gap-x-3 gap-y-1 text-sm">
      <legend className="sr-only">{legend}</legend>
      {ROLES.map((r) => (
        <label key={r} className="inline-flex items-center gap-1" title={MEANS[r]}>
          <input type="checkbox" name={`role:${r}`} defaultChecked={checked.includes(r)} />
          {r}
        </label>
      ))}
    </fieldset>
  );
}
