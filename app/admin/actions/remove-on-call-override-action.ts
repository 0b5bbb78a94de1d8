'use server';
import { z } from 'zod';
import type { PeopleState } from '@/lib/actions/people-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { removeOnCallOverrideAs } from '@/lib/data/remove-on-call-override-as';
import { statePool } from '@/lib/db/pools';
import { ADMINS } from './admins';

const input = z.object({ id: z.coerce.number().int().positive() });

export const removeOnCallOverrideAction = guardedAction(
  { who: ADMINS, input, invalid: 'no such override', revalidate: () => '/admin' },
  async (actor, { id }): Promise<PeopleState> => {
    await removeOnCallOverrideAs(statePool(), actor, id);
    return { ok: 'override removed' };
  },
);
