import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Env } from '../lib/config/env';
import { ALL_EVENTS } from '../lib/lifecycle/webhook-events';
import { ensureEnvWebhook } from '../lib/state/webhook-records';

/** Where webhook messages link to: EC_PUBLIC_URL, or the address the dashboard listens on. */
export const publicUrl = (env: Env) => env.EC_PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`;

/**
 * EC_WEBHOOK_URL becomes the team's first webhook at start. Its signing key is EC_WEBHOOK_SECRET, or
 * one made now and printed once here, on the operator's console (never on a page).
 */
export async function addEnvWebhook(stateUrl: string, env: Env, say: (line: string) => void): Promise<void> {
  if (!env.EC_WEBHOOK_URL) return;
  const parsed = new URL(env.EC_WEBHOOK_URL);
  if (parsed.username || parsed.password) {
    // It would be shown with the host, and logged: a receiver's credential belongs in its path or in EC_WEBHOOK_SECRET.
    say(`EC_WEBHOOK_URL is not added: it holds a user name or password (${parsed.host}); put the receiver's credential in its path`);
    return;
  }
  const client = new pg.Client({ connectionString: stateUrl, application_name: 'expand-contract' });
  await client.connect();
  try {
    const generated = randomBytes(32).toString('base64url');
    const { id, added, replaced } = await ensureEnvWebhook(client, env.EC_WEBHOOK_URL, env.EC_WEBHOOK_SECRET ?? null, generated, ALL_EVENTS);
    const { host } = parsed;
    for (const old of replaced) say(`webhook ${old} (an earlier EC_WEBHOOK_URL) removed: EC_WEBHOOK_URL changed`);
    if (!added) say(`webhook ${id} (EC_WEBHOOK_URL, ${host}): every event`);
    else if (env.EC_WEBHOOK_SECRET) say(`webhook ${id} added from EC_WEBHOOK_URL (${host}), signed with EC_WEBHOOK_SECRET`);
    else say(`webhook ${id} added from EC_WEBHOOK_URL (${host}); its signing key, shown once (or set EC_WEBHOOK_SECRET): ${generated}`);
  } finally {
    await client.end();
  }
}
