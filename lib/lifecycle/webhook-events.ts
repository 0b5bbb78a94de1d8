/**
 * What a webhook tells, and how: the events people are told of, and the message of each as JSON
 * and as a Slack-compatible `text`. Pure: an event in, a body out (signing is the sender's).
 */
export const WEBHOOK_EVENTS = [
  'plan.approved',
  'phase.succeeded',
  'phase.failed',
  'gate.opened',
  'contract.awaiting-approval',
  'brownout.reverted',
  'errors.regressed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The events in words, for the admin page's choices. */
export const WEBHOOK_EVENT_WORDS: Record<WebhookEvent, string> = {
  'plan.approved': 'plan approved',
  'phase.succeeded': 'expand, backfill or contract done',
  'phase.failed': 'expand, backfill or contract failed',
  'gate.opened': 'the contract gate opened',
  'contract.awaiting-approval': 'a contract waits for the on-call approval',
  'brownout.reverted': 'a brownout was put back',
  'errors.regressed': 'an error rate above its baseline',
};

export type WebhookFormat = 'json' | 'slack';

/** One event as recorded: the payload every webhook of it is sent. */
export interface WebhookPayload {
  event: WebhookEvent;
  /** ISO time it happened. */
  at: string;
  migration: { id: number; title: string; state: string } | null;
  /** The migration's page. */
  link: string | null;
  /** One line a person reads: what happened and what is asked of whom. */
  summary: string;
  /** The evidence behind it: the gate's conditions, what broke, the error. */
  evidence: Record<string, unknown>;
}

/** The body sent: the payload itself, or Slack's `{ text }` (an incoming webhook shows it as a message). */
export function webhookBody(payload: WebhookPayload, format: WebhookFormat): string {
  if (format === 'json') return JSON.stringify(payload);
  const title = payload.migration ? `#${payload.migration.id} ${payload.migration.title}` : 'Expand/Contract';
  const link = payload.link ? ` <${payload.link}|open>` : '';
  return JSON.stringify({ text: `*${escapeSlack(title)}*: ${escapeSlack(payload.summary)}${link}` });
}

/** Slack's three control characters in message text. */
const escapeSlack = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The first webhook's scope and events when EC_WEBHOOK_URL adds it: the whole team, every event. */
export const ALL_EVENTS: readonly WebhookEvent[] = WEBHOOK_EVENTS;
