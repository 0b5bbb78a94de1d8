/** Who may do what: the server's check, before the database checks the same again. */
import type { RunPhase } from './migration-states';
import { planApproved } from './plan-review';

export const ROLES = ['viewer', 'author', 'reviewer', 'oncall', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in person, however they signed in (local account or Supabase Auth). */
export interface Actor {
  id: string;
  email: string;
  name: string;
  roles: Role[];
}

/** A row of expand_contract.users (its columns id, email, name, roles) as the person. */
export const toActor = (r: { id: string; email: string; name: string; roles: Role[] }): Actor => ({ id: r.id, email: r.email, name: r.name, roles: r.roles });

/** A phase a person may ask to run. */
export type PhaseName = RunPhase;

export type Action =
  | { kind: 'migration.create' }
  | { kind: 'migration.preview' }
  | { kind: 'replay.run' }
  | { kind: 'plan.approve'; authorId: string | null }
  | { kind: 'plan.comment' }
  | {
      kind: 'phase.run';
      phase: PhaseName;
      authorId: string | null;
      onCallId: string | null;
      planApprovals: number;
      planApprovalsRequired: number;
      deployedAt: Date | null;
    }
  | { kind: 'backfill.pause'; authorId: string | null; onCallId: string | null }
  | { kind: 'brownout.start'; authorId: string | null; onCallId: string | null }
  | { kind: 'brownout.require'; authorId: string | null }
  | { kind: 'contract.approve'; authorId: string | null; onCallId: string | null }
  | { kind: 'deploy.mark'; authorId: string | null }
  | { kind: 'services.set'; authorId: string | null }
  | { kind: 'migration.cancel'; authorId: string | null }
  | { kind: 'schedule.update'; authorId: string | null }
  | { kind: 'admin' };

export type Permission = { ok: true } | { ok: false; reason: string };

const has = (actor: Actor, role: Role) => actor.roles.includes(role);
const deny = (reason: string): Permission => ({ ok: false, reason });
const OK: Permission = { ok: true };

/** The rules of the README's *People and permissions* table, one place, pure. */
export function permission(actor: Actor, action: Action): Permission {
  switch (action.kind) {
    case 'migration.create':
      return has(actor, 'author') ? OK : deny('only authors create migrations');
    case 'migration.preview':
      // A preview plans against the live target: its expressions reach the database (in a probe).
      return has(actor, 'author') || has(actor, 'admin') ? OK : deny('only authors and admins preview migrations');
    case 'replay.run':
      // The replay creates, runs and contracts a migration of its own on the target.
      return has(actor, 'author') || has(actor, 'admin') ? OK : deny('only authors and admins run the replay');
    case 'plan.approve':
      if (!has(actor, 'reviewer')) return deny('only reviewers approve plans');
      return action.authorId === actor.id ? deny('the author cannot approve their own plan: a second person must') : OK;
    case 'plan.comment':
      return actor.roles.some((r) => r !== 'viewer') ? OK : deny('viewers cannot comment');
    case 'deploy.mark':
      return has(actor, 'author') && action.authorId === actor.id ? OK : has(actor, 'oncall') ? OK : deny('only the author or on-call engineers mark a deploy');
    case 'services.set':
      return action.authorId === actor.id || has(actor, 'admin') ? OK : deny('only the author or an admin names the services whose error rates count');
    case 'migration.cancel':
      return (has(actor, 'author') && action.authorId === actor.id) || has(actor, 'admin') ? OK : deny("only the migration's author or an admin cancels it");
    case 'schedule.update':
      return action.authorId === actor.id || has(actor, 'admin') ? OK : deny('only the author or an admin changes the schedule');
    case 'backfill.pause':
      return (has(actor, 'author') && action.authorId === actor.id) || action.onCallId === actor.id
        ? OK
        : deny('only the author or the person on call pauses a backfill');
    case 'brownout.start':
      // The old column goes out of reach for minutes: the author, who knows the code, or the person on call, who answers for production.
      return (has(actor, 'author') && action.authorId === actor.id) || (has(actor, 'oncall') && action.onCallId === actor.id)
        ? OK
        : deny('only the author or the person on call starts or stops a brownout');
    case 'brownout.require':
      return (has(actor, 'author') && action.authorId === actor.id) || has(actor, 'admin')
        ? OK
        : deny('only the author or an admin decides whether this migration needs a brownout');
    case 'contract.approve':
      if (!has(actor, 'oncall')) return deny('only on-call engineers approve a contract');
      if (action.onCallId !== actor.id) return deny('only the person on call right now may approve a contract');
      return action.authorId === actor.id ? deny('the author cannot approve their own contract: a second person must') : OK;
    case 'phase.run': {
      if (action.phase === 'contract' || action.phase === 'restore') {
        if (!has(actor, 'oncall') || action.onCallId !== actor.id) return deny(`only the person on call right now may run ${action.phase}`);
        return action.authorId === actor.id ? deny(`the author cannot run ${action.phase} on their own migration`) : OK;
      }
      if (action.phase === 'rollback' && action.deployedAt) {
        // Deployed code reads the new column the rollback drops: that is the on-call engineer's call
        // (with the deploy typed out, see rollbackConfirmation), never the author's alone.
        return has(actor, 'oncall') && action.onCallId === actor.id
          ? OK
          : deny('the deploy is marked: only the person on call right now may roll back, since deployed code reads the new column');
      }
      if (!has(actor, 'author') || action.authorId !== actor.id) return deny(`only the migration's author runs ${action.phase}`);
      if (action.phase === 'expand' && !planApproved(action)) {
        return deny(`the plan needs ${action.planApprovalsRequired} approval(s) by a reviewer other than the author (has ${action.planApprovals})`);
      }
      return OK;
    }
    case 'admin':
      return has(actor, 'admin') ? OK : deny('only admins manage people, tokens and the rotation');
  }
}

/**
 * What the person on call types to roll back after the deploy was marked: it names that deploy
 * (its mark, in UTC to the minute), so nobody drops a column deployed code reads by reflex.
 * The database computes the same text in its policy on phase_requests.
 */
export function rollbackConfirmation(deployedAt: Date): string {
  return `deploy ${deployedAt.toISOString().slice(0, 16).replace('T', ' ')}`;
}
