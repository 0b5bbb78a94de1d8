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
import { mayAct } from '../lifecycle/may-act';
import { phaseFileRefusal } from '../lifecycle/phase-file-refusal';
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
 * download, and goes only to whoever may run it now (phaseFileRefusal). The contract's file
 * follows contractFileRefusal, with the gate judged now as the contract run would judge it (its
 * SQL stays on the page for review).
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
  // Who first: the rules' facts, then whether the phase is history already; nothing else is read for a refusal.
  const [ctx, runs] = await Promise.all([permissionContext(state, migrationId), store.phaseRuns(migrationId)]);
  const recorded = runs.filter((r) => r.phase === phase && r.status === 'succeeded' && r.historyVersion).at(-1)?.historyVersion;
  if (phase !== 'contract') {
    const ran = runs.some((r) => r.phase === phase && r.status === 'succeeded');
    const refusal = phaseFileRefusal(phase, ran, mayAct(actor, `phase.${phase}`, ctx));
    if (refusal) throw new ForbiddenError(refusal);
    return supabaseMigration((await store.getMigration(migrationId)).plan, phase, recorded ?? now);
  }
  const isAuthor = actor.id === ctx.authorId && actor.roles.includes('author');
  const isOnCall = actor.id === ctx.onCallId && actor.roles.includes('oncall');
  const who = contractFileRefusal({ recorded: !!recorded, isAuthor, isOnCall, conditions: [] });
  if (who) throw new ForbiddenError(who);
  const migration = await store.getMigration(migrationId);
  if (!recorded) {
    let conditions: GateCondition[] | null = null;
    let unreadable = '';
    try {
      // The state's evidence is read before a target connection is taken, so it is held only to judge the gate.
      const [backfill, parity] = await Promise.all([store.getBackfill(migrationId), store.latestParity(migrationId)]);
      const client = await target.connect();
      try {
        conditions = (await contractGate({ store, target: client, ...policy }, migration, now, undefined, { backfill, parity, runs })).decision.conditions;
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
