import 'server-only';
import { currentActor } from './current-actor';
import { type Actor, type Permission } from '../lifecycle/permissions';

/**
 * Who may call a server action at all, decided before it does anything: `anyone` (signing in),
 * or a rule over the signed-in person. Finer rules that depend on a migration (the author, the
 * person on call) are checked again by lib/data and by the database, inside the transaction.
 */
export type PersonRule = (actor: Actor) => Permission;
export type EntryRule = 'anyone' | PersonRule;

/** Any signed-in person. */
export const signedIn: PersonRule = () => ({ ok: true });

/** A signed-in person holding one of these roles. */
export const anyRole =
  (roles: Actor['roles'], reason: string): PersonRule =>
  (actor) =>
    roles.some((r) => actor.roles.includes(r)) ? { ok: true } : { ok: false, reason };

/** Set on every function the wrappers return, so a test can prove no entry point was left unguarded. */
export const GUARDED = Symbol.for('expand-contract.guarded');

export function markGuarded<F extends (...args: never[]) => unknown>(fn: F, access: string): F {
  return Object.defineProperty(fn, GUARDED, { value: access });
}

export const SESSION_ENDED = 'your session has ended: sign in again';

/**
 * The only way the app defines a server action: the rule runs first, on every call, so an
 * action replayed with another person's cookie (server actions are plain POSTs) is refused
 * before it parses anything. A refusal is the action's own `{ error }` answer.
 */
export function guardedAction<Args extends unknown[], S extends { error?: string }>(rule: PersonRule, fn: (actor: Actor, ...args: Args) => Promise<S>): (...args: Args) => Promise<S>;
export function guardedAction<Args extends unknown[], R>(rule: 'anyone', fn: (actor: Actor | null, ...args: Args) => Promise<R>): (...args: Args) => Promise<R>;
export function guardedAction(rule: EntryRule, fn: (actor: Actor, ...args: unknown[]) => Promise<unknown>) {
  const guarded = async (...args: unknown[]) => {
    const actor = await currentActor();
    if (rule === 'anyone') return fn(actor as Actor, ...args);
    if (!actor) return { error: SESSION_ENDED };
    const allowed = rule(actor);
    if (!allowed.ok) return { error: allowed.reason };
    return fn(actor, ...args);
  };
  return markGuarded(guarded, rule === 'anyone' ? 'anyone' : 'person');
}
