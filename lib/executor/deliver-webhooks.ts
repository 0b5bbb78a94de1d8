import { createHmac } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import type { Pool } from 'pg';
import { webhookBody } from '../lifecycle/webhook-events';
import { claimDeliveriesToQueue, claimDelivery, finishDelivery, releaseStuckDeliveries } from '../state/webhook-records';
import { DELIVER_WEBHOOK_QUEUE } from '../state/job-queue-names';

/**
 * How often a delivery is tried: the first attempt and up to 6 retries, 2 s apart and doubling
 * (2, 4, 8, 16, 32, 64 s: about two minutes in all), through the job queue, so a receiver that is
 * down for a minute still gets it and a restart loses nothing.
 */
export const DELIVERY_QUEUE_OPTIONS = { retryLimit: 6, retryDelay: 2, retryBackoff: true, expireInSeconds: 60 };
const MAX_ATTEMPTS = DELIVERY_QUEUE_OPTIONS.retryLimit + 1;

/**
 * The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the webhook's key>`.
 * The time inside what is signed lets a receiver refuse an old delivery replayed.
 */
export function signWebhook(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export interface DeliveryOptions {
  /** Where the migration pages are (EC_PUBLIC_URL, or the dashboard's own address): payload links are made absolute with it. */
  publicUrl: string;
  timeoutMs?: number;
  now?: () => Date;
}

/**
 * One attempt at one delivery: claimed first (a second worker, or a retry of one already delivered,
 * finds nothing to send), posted with its signature, then recorded. A failed attempt throws, so
 * the job queue tries again later; the last one records the delivery as failed and does not.
 */
export async function deliverWebhook(state: Pool, deliveryId: number, options: DeliveryOptions): Promise<'delivered' | 'retry' | 'failed' | 'nothing'> {
  const d = await claimDelivery(state, deliveryId);
  if (!d) return 'nothing';
  let httpStatus: number | null = null;
  let error: string | null = null;
  try {
    // Inside the try: a link that cannot be made (a bad EC_PUBLIC_URL) is this attempt's failure, recorded, not a delivery left sending.
    const payload = { ...d.payload, link: d.payload.link ? new URL(d.payload.link, options.publicUrl).toString() : null };
    const body = webhookBody(payload, d.format);
    const response = await fetch(d.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Expand-Contract-Webhook',
        'x-expand-contract-event': payload.event,
        // The same on every attempt of this delivery: a receiver that saw it already can drop a repeat.
        'x-expand-contract-delivery': String(d.id),
        'x-expand-contract-signature': signWebhook(d.secret, body, (options.now ?? (() => new Date()))()),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    httpStatus = response.status;
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) {
      await finishDelivery(state, d.id, { status: 'delivered', httpStatus, error: null });
      return 'delivered';
    }
    error = `the receiver answered ${response.status}`;
  } catch (e) {
    // Never the URL in what is recorded or shown: it may be the credential (a Slack incoming webhook).
    error = (e as Error).name === 'TimeoutError' ? 'no answer in time' : `could not reach the receiver (${(e as Error).message.replace(d.url, '<url>')})`;
  }
  const last = d.attempt >= MAX_ATTEMPTS;
  await finishDelivery(state, d.id, { status: last ? 'failed' : 'pending', httpStatus, error });
  if (last) return 'failed';
  throw new Error(`delivery ${d.id}, attempt ${d.attempt} of ${MAX_ATTEMPTS}: ${error}`);
}

/**
 * Sends what the events recorded: every second, deliveries nobody queued yet go to the job queue
 * (claimed first, so two workers never queue one twice), and each job is one attempt. Never part
 * of a phase: a receiver that is slow or down delays nothing but its own delivery.
 */
export async function startWebhookDelivery(
  boss: PgBoss,
  state: Pool,
  options: DeliveryOptions & { log?: (line: string) => void; everyMs?: number },
): Promise<{ stop: () => void }> {
  await boss.createQueue(DELIVER_WEBHOOK_QUEUE, { policy: 'standard', ...DELIVERY_QUEUE_OPTIONS });
  await boss.updateQueue(DELIVER_WEBHOOK_QUEUE, DELIVERY_QUEUE_OPTIONS);
  await boss.work<{ deliveryId: number }>(DELIVER_WEBHOOK_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    const outcome = await deliverWebhook(state, job!.data.deliveryId, options);
    if (outcome === 'failed') options.log?.(`webhook delivery ${job!.data.deliveryId}: gave up after ${MAX_ATTEMPTS} attempts`);
    return { outcome };
  });
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await releaseStuckDeliveries(state);
      for (const id of await claimDeliveriesToQueue(state)) await boss.send(DELIVER_WEBHOOK_QUEUE, { deliveryId: id }, DELIVERY_QUEUE_OPTIONS);
    } catch (error) {
      options.log?.(`webhooks: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), options.everyMs ?? 1000);
  return { stop: () => clearInterval(timer) };
}
