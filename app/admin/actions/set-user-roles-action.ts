'use server';
import type { PeopleState } from '@/lib/actions/people-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { setUserRolesAs } from '@/lib/data/set-user-roles-as';
import { statePool } from '@/lib/db/pools';
import { ADMINS } from './admins';
import { rolesTicked, text, withRoles } from './people-fields';

const input = withRoles({ email: text });

export const setUserRolesAction = guardedAction({ who: ADMINS, input, revalidate: () => '/admin' }, async (actor, fields): Promise<PeopleState> => {
  const roles = rolesTicked(fields);
  await setUserRolesAs(statePool(), actor, fields.email, roles);
  return { email: fields.email, ok: `roles saved: ${roles.join(', ')}` };
});
