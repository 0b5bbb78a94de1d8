'use server';
import type { PeopleState } from '@/lib/actions/people-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { supabaseAuth } from '@/lib/auth/current-actor';
import { createUserAs } from '@/lib/data/create-user-as';
import { statePool } from '@/lib/db/pools';
import { ADMINS } from './admins';
import { rolesTicked, text, withRoles } from './people-fields';

const input = withRoles({ email: text, name: text });

export const createUserAction = guardedAction({ who: ADMINS, input, revalidate: () => '/admin' }, async (actor, fields): Promise<PeopleState> => {
  const supabase = supabaseAuth() !== null;
  const { email, password } = await createUserAs(
    statePool(),
    actor,
    { email: fields.email, name: fields.name, roles: rolesTicked(fields) },
    { supabaseAuth: supabase },
  );
  return password
    ? { email, password, ok: `created ${email}: give them this password now, it is shown only once` }
    : { email, password: null, ok: `created ${email}: they sign in through Supabase Auth with this email once Supabase has confirmed it` };
});
