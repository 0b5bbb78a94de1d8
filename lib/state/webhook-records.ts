import type { Client, Pool, PoolClient } from 'pg';
import type { WebhookEvent, WebhookFormat, WebhookPayload } from '../lifecycle/webhook-events';

type Db = Pool | PoolClient | Client;

export interface RecordedEvent {
  /** Makes it one event however many processes notice it, e.g. `phase.succeeded:<run id>`. */
  key: string;
  event: WebhookEvent;
  migrationId: number | null;
  payload: WebhookPayload;
}

/**
 * Records an event once (a second record of the same key does nothing) and one pending delivery
 * per webhook that wants it: the team's, and this migration's own. Returns how many deliveries it
 * made (0 for an event already recorded). The job worker sends them.
 */
export async function recordEvent(db: Db, e: RecordedEvent): Promise<number> {
  const { rowCount } = await db.query(
    `WITH event AS (
       INSERT INTO expand_contract.webhook_events (key, event, migration_id, payload) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO NOTHING RETURNING id)
     INSERT INTO expand_contract.webhook_deliveries (event_id, webhook_id)
     SELECT event.id, w.id FROM event JOIN expand_contract.webhooks w
         ON w.removed_at IS NULL AND $2 = ANY (w.events) AND (w.migration_id IS NULL OR w.migration_id = $3)`,
    [e.key, e.event, e.migrationId, JSON.stringify(e.payload)],
  );
  return rowCount ?? 0;
}

/** Deliveries nobody has queued yet, marked queued by this caller alone (two workers never queue one twice). */
export async function claimDeliveriesToQueue(db: Db, limit = 50): Promise<number[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE expand_contract.webhook_deliveries SET queued_at = now()
      WHERE id IN (SELECT id FROM expand_contract.webhook_deliveries WHERE status = 'pending' AND queued_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id`,
    [limit],
  );
  return rows.map((r) => Number(r.id));
}

export interface ClaimedDelivery {
  id: number;
  attempt: number;
  url: string;
  secret: string;
  format: WebhookFormat;
  payload: WebhookPayload;
}

/**
 * Takes one pending delivery for an attempt: only one worker gets it; a delivered or given-up one is
 * nobody's, and one whose webhook was removed meanwhile is given up, not sent.
 */
export async function claimDelivery(db: Db, id: number): Promise<ClaimedDelivery | null> {
  await db.query(
    `UPDATE expand_contract.webhook_deliveries d SET status = 'failed', last_error = 'its webhook was removed'
      FROM expand_contract.webhooks w WHERE d.id = $1 AND d.status = 'pending' AND w.id = d.webhook_id AND w.removed_at IS NOT NULL`,
    [id],
  );
  const { rows } = await db.query(
    `WITH d AS (
       UPDATE expand_contract.webhook_deliveries SET status = 'sending', attempts = attempts + 1, sending_since = now()
        WHERE id = $1 AND status = 'pending' RETURNING id, attempts, event_id, webhook_id)
     SELECT d.id, d.attempts, w.url, w.secret, w.format, e.payload
       FROM d JOIN expand_contract.webhooks w ON w.id = d.webhook_id JOIN expand_contract.webhook_events e ON e.id = d.event_id`,
    [id],
  );
  const r = rows[0];
  return r ? { id: Number(r.id), attempt: Number(r.attempts), url: r.url, secret: r.secret, format: r.format, payload: r.payload } : null;
}

/** An attempt's outcome: delivered, pending again (the queue retries it), or failed for good. */
export async function finishDelivery(
  db: Db,
  id: number,
  outcome: { status: 'delivered' | 'pending' | 'failed'; httpStatus: number | null; error: string | null },
): Promise<void> {
  await db.query(
    `UPDATE expand_contract.webhook_deliveries
        SET status = $2, last_status = $3, last_error = $4, sending_since = NULL, delivered_at = CASE WHEN $2 = 'delivered' THEN now() END
      WHERE id = $1 AND status = 'sending'`,
    [id, outcome.status, outcome.httpStatus, outcome.error?.slice(0, 500) ?? null],
  );
}

/**
 * Attempts whose worker died mid-send, and deliveries queued long ago whose job is gone (every retry
 * is over within about two minutes): pending again, to be queued anew. The receiver may then see
 * the same delivery id twice.
 */
export async function releaseStuckDeliveries(db: Db, olderThanSeconds = 120): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE expand_contract.webhook_deliveries SET status = 'pending', queued_at = NULL, sending_since = NULL
      WHERE (status = 'sending' AND sending_since < now() - make_interval(secs => $1))
         OR (status = 'pending' AND queued_at < now() - make_interval(secs => $1 * 5))`,
    [olderThanSeconds],
  );
  return rowCount ?? 0;
}

/** A webhook as the admin page shows it: never its URL beyond the host, never its key. */
export interface WebhookListing {
  id: number;
  shownAs: string;
  format: WebhookFormat;
  migrationId: number | null;
  events: WebhookEvent[];
  createdBy: string;
  createdAt: Date;
}

export async function listWebhooks(db: Db): Promise<WebhookListing[]> {
  const { rows } = await db.query(
    'SELECT id, shown_as, format, migration_id, events, created_by, created_at FROM expand_contract.webhooks WHERE removed_at IS NULL ORDER BY id',
  );
  return rows.map((r) => ({
    id: Number(r.id),
    shownAs: r.shown_as,
    format: r.format,
    migrationId: r.migration_id === null ? null : Number(r.migration_id),
    events: r.events,
    createdBy: r.created_by,
    createdAt: r.created_at,
  }));
}

export interface DeliveryListing {
  id: number;
  event: WebhookEvent;
  migrationId: number | null;
  webhookId: number;
  shownAs: string;
  status: 'pending' | 'sending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** The delivery log, newest first. */
export async function listDeliveries(db: Db, limit = 50): Promise<DeliveryListing[]> {
  const { rows } = await db.query(
    `SELECT d.id, e.event, e.migration_id, d.webhook_id, w.shown_as, d.status, d.attempts, d.last_status, d.last_error, d.created_at, d.delivered_at
       FROM expand_contract.webhook_deliveries d JOIN expand_contract.webhook_events e ON e.id = d.event_id JOIN expand_contract.webhooks w ON w.id = d.webhook_id
      ORDER BY d.created_at DESC, d.id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    event: r.event,
    migrationId: r.migration_id === null ? null : Number(r.migration_id),
    webhookId: Number(r.webhook_id),
    shownAs: r.shown_as,
    status: r.status,
    attempts: r.attempts,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
  }));
}

/**
 * EC_WEBHOOK_URL's webhook: one for the whole team and every event. `secret` (EC_WEBHOOK_SECRET)
 * replaces the stored key when it differs; without one, a new webhook gets `generated`, and an existing
 * one keeps its key. A different URL than before replaces the earlier webhook (removed, so nothing
 * more goes there); two processes starting at once add it once (one unique index allows one).
 */
export async function ensureEnvWebhook(
  db: Db,
  url: string,
  secret: string | null,
  generated: string,
  events: readonly string[],
): Promise<{ id: number; added: boolean; replaced: number[] }> {
  const replaced = await db.query<{ id: string }>(
    "UPDATE expand_contract.webhooks SET removed_at = now() WHERE created_by = 'env' AND removed_at IS NULL AND url <> $1 RETURNING id",
    [url],
  );
  const made = await db.query<{ id: string }>(
    `INSERT INTO expand_contract.webhooks (url, secret, format, events, created_by) VALUES ($1, $2, 'json', $3, 'env')
     ON CONFLICT (created_by) WHERE created_by = 'env' AND removed_at IS NULL DO NOTHING RETURNING id`,
    [url, secret ?? generated, events],
  );
  if (made.rows[0]) return { id: Number(made.rows[0].id), added: true, replaced: replaced.rows.map((r) => Number(r.id)) };
  const { rows } = await db.query<{ id: string; secret: string }>(
    "SELECT id, secret FROM expand_contract.webhooks WHERE created_by = 'env' AND removed_at IS NULL",
  );
  const row = rows[0]!;
  if (secret && row.secret !== secret) await db.query('UPDATE expand_contract.webhooks SET secret = $2 WHERE id = $1', [row.id, secret]);
  return { id: Number(row.id), added: false, replaced: replaced.rows.map((r) => Number(r.id)) };
}
