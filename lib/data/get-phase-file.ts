import 'server-only';
import type { Pool } from 'pg';
import { AppError } from '../errors/app-error';
import { redactSecrets } from '../db/connection-url';
import { contractFileRefusal } from '../gate/contract-file-refusal';
import type { GateCondition } from '../gate/evaluate-gate';
import type { Actor } from '../lifecycle/permissions';
import { supabaseMigration, type FilePhase, type MigrationFileOut } from '../migrations/render-sql';
import { contractGate } from '../signals/gate-evidence';
import { StateStore } from '../state/state-store';
import type { GatePolicy } from './approve-contract';
import { permissionContext } from './permission-context';
import { ForbiddenError } from './with-actor';

/** The gate could not be judged (the target is unreachable): no contract file, and a 503, not a 500. */
export class GateUnreadableError extends AppError {
  readonly code = 'gate-unreadable';
  readonly kind = 'unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'GateUnreadableError';
  }
}

/**
 * A phase as a Supabase migration file. A phase the executor already ran keeps the version it
 * recorded in the target's history (so `supabase db push` skips it); any other gets the time of
 * download. The contract's file follows contractFileRefusal, with the gate judged now as the
 * contract run would judge it (its SQL stays on the page for review).
 */
export async function getPhaseFile(
  state: Pool,
  target: Pool,
  policy: GatePolicy,
  actor: Actor,
  migrationId: number,
  phase: FilePhase,
  now = new Date(),
): Promise<MigrationFileOut> {
  const store = new StateStore(state);
  const migration = await store.getMigration(migrationId);
  const runs = await store.phaseRuns(migrationId);
  const recorded = runs.filter((r) => r.phase === phase && r.status === 'succeeded' && r.historyVersion).at(-1)?.historyVersion;
  if (phase === 'contract' && !recorded) {
    const ctx = await permissionContext(state, migrationId);
    const isAuthor = actor.id === ctx.authorId && actor.roles.includes('author');
    const isOnCall = actor.id === ctx.onCallId && actor.roles.includes('oncall');
    // Who first: a person who may not have the file learns nothing from the target.
    const who = contractFileRefusal({ recorded: false, isAuthor, isOnCall, conditions: [] });
    if (who) throw new ForbiddenError(who);
    let conditions: GateCondition[] | null = null;
    let unreadable = '';
    try {
      const client = await target.connect();
      try {
        const known = { backfill: await store.getBackfill(migrationId), parity: await store.latestParity(migrationId), runs };
        conditions = (await contractGate({ store, target: client, ...policy }, migration, now, undefined, known)).decision.conditions;
      } finally {
        client.release();
      }
    } catch (error) {
      unreadable = redactSecrets((error as Error).message.split('\n')[0]!);
    }
    const refusal = contractFileRefusal({ recorded: false, isAuthor, isOnCall, conditions });
    if (refusal && conditions === null) throw new GateUnreadableError(`${refusal}: ${unreadable}`);
    if (refusal) throw new ForbiddenError(refusal);
  }
  return supabaseMigration(migration.plan, phase, recorded ?? now);
}
