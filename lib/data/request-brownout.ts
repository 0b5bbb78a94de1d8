import 'server-only';
import type { Pool } from 'pg';
import { brownoutSeconds } from '../lifecycle/brownout-rules';
import { mayAct } from '../lifecycle/may-act';
import type { Actor } from '../lifecycle/permissions';
import { SQL_STATE, sqlState } from '../db/sql-state';
import { permissionContext } from './permission-context';
import { audit, ForbiddenError, withActor } from './with-actor';

export interface BrownoutRequestDeps {
  pool: Pool;
  /** Hands the brownout to the job queue: it runs for minutes, never inside a request. Returns the job id. */
  enqueue: (brownoutId: number) => Promise<string>;
}

/**
 * A person starts a brownout: the server asks the lifecycle (who, then the state), the database
 * asks both again when the request is recorded as the person, and the worker runs it.
 */
export async function requestBrownout(
  deps: BrownoutRequestDeps,
  actor: Actor,
  migrationId: number,
  minutes: number,
): Promise<{ brownoutId: number; jobId: string; seconds: number }> {
  const allowed = mayAct(actor, 'brownout.start', await permissionContext(deps.pool, migrationId));
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  const length = brownoutSeconds(minutes);
  if (!length.ok) throw new ForbiddenError(length.reason);
  let brownoutId: number;
  try {
    brownoutId = await withActor(deps.pool, actor, async (c) => {
      const { rows } = await c.query<{ id: string }>(
        'INSERT INTO expand_contract.brownouts (migration_id, requested_by, requested_by_name, seconds) VALUES ($1, $2, $3, $4) RETURNING id',
        [migrationId, actor.id, actor.email, length.seconds],
      );
      await audit(c, actor, 'brownout.requested', migrationId, { seconds: length.seconds });
      return Number(rows[0]!.id);
    });
  } catch (error) {
    if (sqlState(error) === SQL_STATE.uniqueViolation) throw new ForbiddenError('a brownout of this migration is already under way');
    throw error;
  }
  return { brownoutId, jobId: await deps.enqueue(brownoutId), seconds: length.seconds };
}

/** Asks the running brownout to end now: its watcher puts the column back at its next look (within a second). */
export async function stopBrownout(pool: Pool, actor: Actor, migrationId: number): Promise<boolean> {
  const allowed = mayAct(actor, 'brownout.stop', await permissionContext(pool, migrationId));
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  return withActor(pool, actor, async (c) => {
    const { rowCount } = await c.query(
      "UPDATE expand_contract.brownouts SET stop_requested = true WHERE migration_id = $1 AND status IN ('queued', 'running') AND NOT stop_requested",
      [migrationId],
    );
    if (rowCount) await audit(c, actor, 'brownout.stop-requested', migrationId);
    return (rowCount ?? 0) > 0;
  });
}

/** Whether this migration's contract waits for one clean brownout after the deploy. */
export async function setRequireBrownout(pool: Pool, actor: Actor, migrationId: number, required: boolean): Promise<void> {
  const allowed = mayAct(actor, 'brownout.require', await permissionContext(pool, migrationId));
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  await withActor(pool, actor, async (c) => {
    await c.query('SELECT expand_contract.set_require_brownout($1, $2)', [migrationId, required]);
    await audit(c, actor, required ? 'brownout.required' : 'brownout.not-required', migrationId);
  });
}
