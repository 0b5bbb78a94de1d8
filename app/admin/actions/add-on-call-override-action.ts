'use server';
import { z } from 'zod';
import type { PeopleState } from '@/lib/actions/people-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { parseUtcDateTime } from '@/lib/auth/on-call';
import { addOnCallOverrideAs } from '@/lib/data/add-on-call-override-as';
import { statePool } from '@/lib/db/pools';
import { ADMINS } from './admins';
import { text } from './people-fields';

const input = z.object({ email: text, from: text, to: text, reason: text });

export const addOnCallOverrideAction = guardedAction({ who: ADMINS, input, revalidate: () => '/admin' }, async (actor, f): Promise<PeopleState> => {
  await addOnCallOverrideAs(statePool(), actor, { email: f.email, from: parseUtcDateTime(f.from), to: parseUtcDateTime(f.to), reason: f.reason });
  return { email: f.email, ok: `override added for ${f.email.trim().toLowerCase()}` };
});
