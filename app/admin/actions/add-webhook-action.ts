'use server';
import { z } from 'zod';
import type { WebhookState } from '@/lib/actions/webhook-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { addWebhookAs } from '@/lib/data/manage-webhooks';
import { statePool } from '@/lib/db/pools';
import { SQL_STATE, sqlState } from '@/lib/db/sql-state';
import { WEBHOOK_EVENTS } from '@/lib/lifecycle/webhook-events';
import { ADMINS } from './admins';

const input = z.object({
  url: z.string().max(2000),
  format: z.enum(['json', 'slack']),
  migrationId: z.string().max(20).optional(),
});
// Checkboxes: one field per ticked event (the parsed fields keep only the last of them, so they are read from the form).
const events = z.array(z.enum(WEBHOOK_EVENTS));

export const addWebhookAction = guardedAction(
  { who: ADMINS, input, invalid: 'give the URL and the format', revalidate: () => '/admin' },
  async (actor, fields, data): Promise<WebhookState> => {
    const ticked = events.safeParse(data.getAll('events'));
    if (!ticked.success) return { error: 'unknown event' };
    const scope = fields.migrationId?.trim() ?? '';
    if (scope !== '' && !/^[1-9][0-9]{0,15}$/.test(scope)) return { error: 'the migration is its number, e.g. 12 (empty: every migration)' };
    try {
      const { id, secret, shownAs } = await addWebhookAs(statePool(), actor, {
        url: fields.url,
        format: fields.format,
        migrationId: scope === '' ? null : Number(scope),
        events: ticked.data,
      });
      return { ok: `webhook ${id} to ${shownAs} added: copy its signing key now, it is shown only once`, secret };
    } catch (error) {
      if (sqlState(error) === SQL_STATE.foreignKeyViolation) return { error: 'that migration does not exist' };
      throw error;
    }
  },
);
