import type { Pool, PoolClient } from 'pg';
import type { WebhookEvent } from '../lifecycle/webhook-events';
import { recordEvent } from './webhook-records';

/**
 * Records an event of a migration for the webhooks that want it, with the migration as it is now
 * and a link to its page. Never throws: telling people must never stop or fail what it tells of
 * (the phase, the approval); a failure is reported to `log` and the event is not sent.
 */
export async function recordMigrationEvent(
  db: Pool | PoolClient,
  e: {
    key: string;
    event: WebhookEvent;
    migrationId: number;
    summary: string;
    evidence?: Record<string, unknown>;
    /** The state the event leaves it in, where the caller records it before the state is written. */
    state?: string;
  },
  log?: (line: string) => void,
): Promise<void> {
  try {
    const { rows } = await db.query<{ title: string; status: string }>('SELECT title, status FROM expand_contract.migrations WHERE id = $1', [e.migrationId]);
    const m = rows[0];
    await recordEvent(db, {
      key: e.key,
      event: e.event,
      migrationId: e.migrationId,
      payload: {
        event: e.event,
        at: new Date().toISOString(),
        migration: m ? { id: e.migrationId, title: m.title, state: e.state ?? m.status } : null,
        // Made absolute by the sender, which knows the dashboard's address.
        link: `/migrations/${e.migrationId}`,
        summary: e.summary,
        evidence: e.evidence ?? {},
      },
    });
  } catch (error) {
    log?.(`webhooks: could not record ${e.event} of migration ${e.migrationId}: ${(error as Error).message.split('\n')[0]}`);
  }
}
