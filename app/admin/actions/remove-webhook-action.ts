'use server';
import { z } from 'zod';
import type { ActionState } from '@/lib/actions/action-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { removeWebhookAs } from '@/lib/data/manage-webhooks';
import { statePool } from '@/lib/db/pools';
import { ADMINS } from './admins';

const input = z.object({ id: z.coerce.number().int().positive() });

export const removeWebhookAction = guardedAction({ who: ADMINS, input, revalidate: () => '/admin' }, async (actor, { id }): Promise<ActionState> => ({
  ok: (await removeWebhookAs(statePool(), actor, id)) ? `webhook ${id} removed: nothing more is sent to it` : `webhook ${id} was already removed`,
}));
