import { stateAllows, type MigrationFacts, type RunPhase, type StateAction } from './migration-states';
import { permission, type Action, type Actor, type Permission } from './permissions';

/** Everything a person may do to one migration, by name. */
export type LifecycleAction =
  | 'plan.approve'
  | 'plan.comment'
  | 'contract.approve'
  | 'deploy.mark'
  | 'deploy.unmark'
  | 'services.set'
  | 'backfill.pause'
  | 'migration.cancel'
  | 'schedule.update'
  | 'brownout.start'
  | 'brownout.stop'
  | 'brownout.require'
  | `phase.${RunPhase}`;

export const LIFECYCLE_ACTIONS: readonly LifecycleAction[] = [
  'plan.approve',
  'plan.comment',
  'contract.approve',
  'deploy.mark',
  'deploy.unmark',
  'services.set',
  'backfill.pause',
  'migration.cancel',
  'schedule.update',
  'brownout.start',
  'brownout.stop',
  'brownout.require',
  'phase.expand',
  'phase.backfill',
  'phase.verify',
  'phase.contract',
  'phase.rollback',
  'phase.restore',
];

/** A migration as the rules see it: its state, and the people and approvals around it. */
export interface MigrationContext extends MigrationFacts {
  id: number;
  authorId: string | null;
  onCallId: string | null;
  planApprovals: number;
  planApprovalsRequired: number;
}

function peopleAction(action: LifecycleAction, m: MigrationContext): Action {
  if (action.startsWith('phase.')) return { kind: 'phase.run', phase: action.slice(6) as RunPhase, ...m };
  switch (action) {
    case 'plan.approve':
      return { kind: 'plan.approve', authorId: m.authorId };
    case 'plan.comment':
      return { kind: 'plan.comment' };
    case 'contract.approve':
    case 'backfill.pause':
      return { kind: action, authorId: m.authorId, onCallId: m.onCallId };
    case 'brownout.start':
    case 'brownout.stop':
      return { kind: 'brownout.start', authorId: m.authorId, onCallId: m.onCallId };
    case 'brownout.require':
      return { kind: 'brownout.require', authorId: m.authorId };
    case 'deploy.mark':
    case 'deploy.unmark':
      return { kind: 'deploy.mark', authorId: m.authorId };
    case 'migration.cancel':
    case 'schedule.update':
      return { kind: action, authorId: m.authorId };
    default:
      return { kind: 'services.set', authorId: m.authorId };
  }
}

function stateAction(action: LifecycleAction): StateAction | null {
  if (action.startsWith('phase.')) return { kind: 'phase.run', phase: action.slice(6) as RunPhase };
  if (
    action === 'deploy.mark' ||
    action === 'deploy.unmark' ||
    action === 'services.set' ||
    action === 'plan.approve' ||
    action === 'contract.approve' ||
    action === 'migration.cancel' ||
    action === 'brownout.start' ||
    action === 'brownout.require'
  )
    return { kind: action };
  return null;
}

/**
 * What may this person do to this migration now, and if not, why: who they are first (the same
 * answer the server gives), then what the migration's state allows. The page's buttons, the
 * server actions and the executor ask the same two questions.
 */
export function mayAct(actor: Actor, action: LifecycleAction, m: MigrationContext): Permission {
  const people = permission(actor, peopleAction(action, m));
  if (!people.ok) return people;
  const state = stateAction(action);
  return state ? stateAllows(m.id, m, state) : { ok: true };
}
