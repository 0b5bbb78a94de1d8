/**
 * A migration's states and the phases that move it between them, in one place: the executor,
 * the CLI, the HTTP API, server actions and the page all ask here what may happen next, so a
 * button, a command and a refusal cannot disagree. Pure: no I/O.
 */
export const MIGRATION_STATES = ['planned', 'expanded', 'backfilled', 'contracting', 'contracted', 'rolled_back', 'restored', 'cancelled'] as const;
export type MigrationState = (typeof MIGRATION_STATES)[number];

export const RUN_PHASES = ['expand', 'backfill', 'verify', 'contract', 'rollback', 'restore'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

/**
 * The states each phase may start from. 'contracting' (the destructive steps began, success not
 * recorded) allows only finishing the contract or restoring.
 */
export const PHASE_ALLOWED_FROM: Record<RunPhase, readonly MigrationState[]> = {
  expand: ['planned', 'rolled_back'],
  backfill: ['expanded', 'backfilled', 'restored'],
  verify: ['expanded', 'backfilled', 'restored'],
  contract: ['backfilled', 'contracting', 'restored'],
  rollback: ['expanded', 'backfilled', 'restored'],
  restore: ['contracted', 'contracting'],
};

/** The state a phase leaves behind when it succeeds (verify changes none). */
export const STATE_AFTER: Partial<Record<RunPhase, MigrationState>> = {
  expand: 'expanded',
  backfill: 'backfilled',
  contract: 'contracted',
  rollback: 'rolled_back',
  restore: 'restored',
};

/** The states in which a deploy may be marked, or a mark taken back: after expand, before contract. */
export const DEPLOY_STATES: readonly MigrationState[] = ['expanded', 'backfilled'];

/**
 * A plan is approved before its changes begin: while planned, or rolled back (before a new
 * expand). An approval recorded once expand began would vouch for a plan already run.
 */
export const PLAN_APPROVAL_STATES: readonly MigrationState[] = ['planned', 'rolled_back'];

/** A contract approval means something only where a contract could follow it. */
export const CONTRACT_APPROVAL_STATES: readonly MigrationState[] = PHASE_ALLOWED_FROM.contract;

/**
 * The states where nothing waits any more: the page shows what happened instead of the next step.
 * A cancelled migration never ran and never will (a new one is planned instead).
 */
export const FINISHED_STATES: readonly MigrationState[] = ['contracted', 'rolled_back', 'cancelled'];

/** A state in words, for a line of text: "rolled back", never the stored "rolled_back". */
export const stateWord = (state: string): string => state.replace(/_/g, ' ');

/** What the state rules need to know about a migration. */
export interface MigrationFacts {
  state: MigrationState;
  /** Any expand has begun, even one that failed: the evidence window starts there. */
  expandBegan: boolean;
  deployedAt: Date | null;
}

/** The actions whose validity depends on the migration's state (the people's side is in permissions.ts). */
export type StateAction =
  | { kind: 'phase.run'; phase: RunPhase }
  | { kind: 'deploy.mark' }
  | { kind: 'deploy.unmark' }
  | { kind: 'services.set' }
  | { kind: 'plan.approve' }
  | { kind: 'contract.approve' }
  | { kind: 'migration.cancel' }
  | { kind: 'brownout.start' }
  | { kind: 'brownout.require' };

export type StateAnswer = { ok: true } | { ok: false; reason: string };

/** May this happen to the migration in its current state, and if not, why. */
export function stateAllows(migrationId: number, facts: MigrationFacts, action: StateAction): StateAnswer {
  const { state } = facts;
  switch (action.kind) {
    case 'phase.run': {
      const from = PHASE_ALLOWED_FROM[action.phase];
      return from.includes(state)
        ? { ok: true }
        : { ok: false, reason: `migration ${migrationId} is ${state}: ${action.phase} runs only when it is ${from.join(' or ')}` };
    }
    case 'deploy.mark':
      if (!DEPLOY_STATES.includes(state))
        return { ok: false, reason: `migration ${migrationId} is ${state}: a deploy is marked, or taken back, only after expand and before contract` };
      return facts.deployedAt ? { ok: false, reason: `migration ${migrationId} was marked deployed already` } : { ok: true };
    case 'deploy.unmark':
      if (!DEPLOY_STATES.includes(state))
        return { ok: false, reason: `migration ${migrationId} is ${state}: a deploy is marked, or taken back, only after expand and before contract` };
      return facts.deployedAt ? { ok: true } : { ok: false, reason: 'no deploy was marked' };
    case 'plan.approve':
      return PLAN_APPROVAL_STATES.includes(state)
        ? { ok: true }
        : { ok: false, reason: `migration ${migrationId} is ${state}: a plan is approved only before its expand (planned, or rolled back)` };
    case 'contract.approve':
      return CONTRACT_APPROVAL_STATES.includes(state)
        ? { ok: true }
        : {
            ok: false,
            reason: `migration ${migrationId} is ${state}: a contract is approved only when one could follow (${CONTRACT_APPROVAL_STATES.join(', ')})`,
          };
    case 'migration.cancel':
      // Only a plan nothing ran of: an expand that began (even one that failed) may have left its
      // column or triggers on the target, which a cancel would forget. That one is run to the end
      // and rolled back instead.
      if (state !== 'planned') return { ok: false, reason: `migration ${migrationId} is ${state}: only a planned migration is cancelled` };
      return facts.expandBegan
        ? {
            ok: false,
            reason: `an expand of migration ${migrationId} began and may have left objects on the target: run the expand to the end, then roll it back`,
          }
        : { ok: true };
    case 'brownout.start':
      // The rehearsal of the drop needs the new code out there (else old code breaking is no news) and the
      // column still there to put back.
      if (!DEPLOY_STATES.includes(state))
        return { ok: false, reason: `migration ${migrationId} is ${stateWord(state)}: a brownout runs only after expand and before contract` };
      return facts.deployedAt
        ? { ok: true }
        : { ok: false, reason: 'the deploy of code using the new column is not marked yet: a brownout rehearses the drop once new code runs' };
    case 'brownout.require':
      return ['planned', 'expanded', 'backfilled', 'rolled_back'].includes(state)
        ? { ok: true }
        : { ok: false, reason: `migration ${migrationId} is ${stateWord(state)}: its gate is settled` };
    case 'services.set':
      return state === 'planned' && !facts.expandBegan
        ? { ok: true }
        : { ok: false, reason: `migration ${migrationId} is ${state}: its services are fixed once its expand has begun` };
  }
}
