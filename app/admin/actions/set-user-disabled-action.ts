'use server';
import { z } from 'zod';
import type { PeopleState } from '@/lib/actions/people-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { setUserDisabledAs } from '@/lib/data/set-user-disabled-as';
import { statePool } from '@/lib/db/pools';
import { ADMINS } from './admins';
import { text } from './people-fields';

const input = z.object({ email: text, disabled: z.enum(['true', 'false']) });

export const setUserDisabledAction = guardedAction(
  { who: ADMINS, input, invalid: 'say whether to disable or enable the account', revalidate: () => '/admin' },
  async (actor, { email, disabled }): Promise<PeopleState> => {
    await setUserDisabledAs(statePool(), actor, email, disabled === 'true');
    return { email, ok: disabled === 'true' ? 'disabled; its sessions have ended' : 'enabled again' };
  },
);
