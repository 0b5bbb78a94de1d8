import 'server-only';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import { permission, type Actor } from '../lifecycle/permissions';
import { WEBHOOK_EVENTS } from '../lifecycle/webhook-events';
import { listDeliveries, listWebhooks, type DeliveryListing, type WebhookListing } from '../state/webhook-records';
import { AppError } from '../errors/app-error';
import { audit, ForbiddenError, withActor } from './with-actor';

export class InvalidWebhookError extends AppError {
  readonly code = 'invalid-webhook';
  readonly kind = 'invalid';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidWebhookError';
  }
}

export const webhookInput = z.object({
  url: z
    .string()
    .trim()
    .max(2000)
    .refine((u) => /^https?:\/\/[^\s/]+/.test(u) && URL.canParse(u), 'the URL must be http(s)://host/…')
    // A user:password part would be shown with the host: the receiver's credential belongs in its path.
    .refine((u) => {
      const parsed = URL.parse(u);
      return !parsed || (!parsed.username && !parsed.password);
    }, 'the URL must not hold a user name or password: put the credential in its path'),
  format: z.enum(['json', 'slack']),
  migrationId: z.number().int().positive().nullable(),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, 'choose at least one event'),
});
export type WebhookInput = z.infer<typeof webhookInput>;

const admin = (actor: Actor) => {
  const allowed = permission(actor, { kind: 'admin' });
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
};

/**
 * An admin adds a webhook: its signing key is made here and returned once, to be shown once; the
 * key and the URL (itself a credential for a Slack incoming webhook) never leave the server again.
 */
export async function addWebhookAs(pool: Pool, actor: Actor, input: WebhookInput): Promise<{ id: number; secret: string; shownAs: string }> {
  admin(actor);
  const parsed = webhookInput.safeParse(input);
  if (!parsed.success) throw new InvalidWebhookError(parsed.error.issues[0]!.message);
  const secret = randomBytes(32).toString('base64url');
  return withActor(pool, actor, async (c) => {
    const { rows } = await c.query<{ id: string; shown_as: string }>(
      'INSERT INTO expand_contract.webhooks (url, secret, format, migration_id, events, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, shown_as',
      [parsed.data.url, secret, parsed.data.format, parsed.data.migrationId, parsed.data.events, actor.email],
    );
    const id = Number(rows[0]!.id);
    await audit(c, actor, 'webhook.added', parsed.data.migrationId, {
      webhook: id,
      to: rows[0]!.shown_as,
      events: parsed.data.events,
      format: parsed.data.format,
    });
    return { id, secret, shownAs: rows[0]!.shown_as };
  });
}

export async function removeWebhookAs(pool: Pool, actor: Actor, id: number): Promise<boolean> {
  admin(actor);
  return withActor(pool, actor, async (c) => {
    const { rowCount } = await c.query('UPDATE expand_contract.webhooks SET removed_at = now() WHERE id = $1 AND removed_at IS NULL', [id]);
    if (rowCount) await audit(c, actor, 'webhook.removed', null, { webhook: id });
    return (rowCount ?? 0) > 0;
  });
}

/** What the admin page shows: the webhooks (host only) and the latest deliveries. */
export async function webhooksView(pool: Pool, actor: Actor): Promise<{ webhooks: WebhookListing[]; deliveries: DeliveryListing[] }> {
  admin(actor);
  return withActor(pool, actor, async (c) => ({ webhooks: await listWebhooks(c), deliveries: await listDeliveries(c, 50) }));
}
