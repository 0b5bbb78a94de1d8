import 'server-only';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import type { ActionState, FailureDetail, FormAction } from '../actions/action-state';
import { AppError } from '../errors/app-error';
import { mayAct, type LifecycleAction, type MigrationContext } from '../lifecycle/may-act';
import { currentActor } from './current-actor';
import { type Actor, type Permission } from '../lifecycle/permissions';

/**
 * Who may call a server action at all, decided before it does anything: `anyone` (signing in),
 * or a rule over the signed-in person. Finer rules that depend on a migration (the author, the
 * person on call) are asked of the lifecycle (`lifecycle` below), and checked again by lib/data
 * and by the database, inside the transaction.
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

/** A form's fields as they came, for actions whose own validator reads them (lib/data, the operation form). */
export const formFields = z.record(z.string(), z.unknown());

export interface ActionSpec<I, S> {
  /** Who may call it at all: checked first, on every call, before anything is parsed. */
  who: EntryRule;
  /** The form's fields (React's own `$…` fields left out), parsed before the action runs. */
  input: z.ZodType<I>;
  /** The answer when they do not parse; by default the first problem zod names. */
  invalid?: string;
  /**
   * For an action on one migration: which lifecycle action, and how to read the migration as the
   * lifecycle sees it; lib/lifecycle (mayAct) is asked before the action runs.
   */
  lifecycle?: (input: I) => { action: LifecycleAction; migration: () => Promise<MigrationContext> } | null;
  /** Fields given back with every refusal, since React resets a form after its action. */
  echo?: (fields: Record<string, unknown>) => Partial<S>;
  /**
   * The page that shows what the action changed, revalidated once it ran, whether it succeeded or
   * failed with the product's error (a failed phase is recorded too, and the page must show it),
   * but not after a plain refusal, which changed nothing.
   */
  revalidate?: (input: I) => string;
}

/**
 * The failure's detail, when the error or one it wraps has one: a lost target connection arrives
 * as ConnectionLostError around the step that failed, and the step's SQL and advice still count.
 */
function detailOf(error: AppError): FailureDetail | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const detail = (e as { detail?: Partial<FailureDetail> }).detail;
    if (!detail || typeof detail.title !== 'string' || typeof detail.cause !== 'string') continue;
    // A plain object of strings: it crosses to the browser as the action's answer.
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { title: detail.title, cause: detail.cause, sql: text(detail.sql), advice: text(detail.advice) };
  }
  return undefined;
}

/**
 * The person is answered with the product's own errors (AppError) and zod's; anything else is a
 * bug and stays thrown (as do Next's redirects).
 */
function refusal(error: unknown): { error: string; failure?: FailureDetail } | null {
  if (error instanceof AppError) {
    const failure = detailOf(error);
    return failure ? { error: error.message, failure } : { error: error.message };
  }
  if (error instanceof z.ZodError) return { error: error.issues[0]?.message ?? 'invalid input' };
  return null;
}

/**
 * The only way the app defines a server action, one shape for all: the rule runs first, on every
 * call, so an action replayed with another person's cookie (server actions are plain POSTs) is
 * refused before it parses anything; then the input is parsed, the lifecycle asked, the action
 * run and its page revalidated. A refusal, at any step, is the action's own `{ error }` answer.
 */
export function guardedAction<I, S extends ActionState>(
  spec: ActionSpec<I, S> & { who: 'anyone' },
  run: (actor: Actor | null, input: I, data: FormData) => Promise<S>,
): FormAction<S>;
export function guardedAction<I, S extends ActionState>(
  spec: ActionSpec<I, S> & { who: PersonRule },
  run: (actor: Actor, input: I, data: FormData) => Promise<S>,
): FormAction<S>;
export function guardedAction<I, S extends ActionState>(spec: ActionSpec<I, S>, run: (actor: Actor, input: I, data: FormData) => Promise<S>): FormAction<S> {
  const action = async (_prev: S, data: FormData): Promise<S> => {
    const fields: Record<string, unknown> = Object.fromEntries([...data].filter(([k]) => !k.startsWith('$')));
    const refuse = (error: string, failure?: FailureDetail) => ({ ...spec.echo?.(fields), error, ...(failure && { failure }) }) as S;
    const actor = await currentActor();
    if (spec.who !== 'anyone') {
      if (!actor) return refuse(SESSION_ENDED);
      const allowed = spec.who(actor);
      if (!allowed.ok) return refuse(allowed.reason);
    }
    const parsed = spec.input.safeParse(fields);
    if (!parsed.success) return refuse(spec.invalid ?? parsed.error.issues[0]?.message ?? 'invalid request');
    let ran = false;
    try {
      const lifecycle = spec.lifecycle?.(parsed.data);
      if (lifecycle) {
        if (!actor) return refuse(SESSION_ENDED);
        const allowed = mayAct(actor, lifecycle.action, await lifecycle.migration());
        if (!allowed.ok) return refuse(allowed.reason);
      }
      ran = true;
      // Null only for `anyone`, whose overload says so.
      const state = await run(actor as Actor, parsed.data, data);
      // An action may answer a refusal itself ({ error }): that changed nothing either.
      if (spec.revalidate && !state.error) revalidatePath(spec.revalidate(parsed.data));
      return state;
    } catch (error) {
      const answer = refusal(error);
      if (answer === null) throw error;
      // A failure may have left a record (a failed phase run) the page must show; a refusal changed
      // nothing, and revalidating would take away the very form whose answer says why (a stale tab's
      // second approval would lose "you have already approved this plan").
      const refusedOnly = !answer.failure && (!(error instanceof AppError) || error.kind === 'forbidden' || error.kind === 'invalid');
      if (ran && !refusedOnly && spec.revalidate) revalidatePath(spec.revalidate(parsed.data));
      return refuse(answer.error, answer.failure);
    }
  };
  return markGuarded(action, spec.who === 'anyone' ? 'anyone' : 'person');
}
