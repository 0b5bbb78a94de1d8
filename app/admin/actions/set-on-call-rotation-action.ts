'use server';
import { z } from 'zod';
import type { PeopleState } from '@/lib/actions/people-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { parseRotationEmails, parseUtcDateTime } from '@/lib/auth/on-call';
import { setOnCallRotationAs } from '@/lib/data/set-on-call-rotation-as';
import { statePool } from '@/lib/db/pools';
import { ADMINS } from './admins';
import { text } from './people-fields';

const input = z.object({ emails: text, startsAt: text, shiftDays: text });

export const setOnCallRotationAction = guardedAction({ who: ADMINS, input, revalidate: () => '/admin' }, async (actor, fields): Promise<PeopleState> => {
  const emails = parseRotationEmails(fields.emails);
  await setOnCallRotationAs(statePool(), actor, { emails, startsAt: parseUtcDateTime(fields.startsAt), shiftDays: Number(fields.shiftDays) });
  return { ok: `rotation saved: ${emails.join(' → ')}` };
});
