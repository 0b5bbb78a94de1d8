'use client';
import { startTransition, useActionState, useRef, type FormEvent } from 'react';
import type { ActionState, FormAction } from '@/lib/actions/action-state';
import type { PeopleState } from '@/lib/actions/people-state';

/**
 * A form for one of the Admin page's actions that keeps what was typed when it is refused:
 * submitted by hand (not `<form action>`, which React resets after every answer), and reset to
 * its defaults only when the action went through, if `resetOnOk`.
 */
export function useAdminForm(action: FormAction<PeopleState>, { resetOnOk = true } = {}) {
  const ref = useRef<HTMLFormElement>(null);
  const [state, run, pending] = useActionState(async (prev: PeopleState, data: FormData): Promise<PeopleState> => {
    const next = await action(prev, data);
    if (next.ok && resetOnOk) ref.current?.reset();
    return next;
  }, {});
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    startTransition(() => run(data));
  };
  return { ref, state, pending, onSubmit };
}

/** The action's answer, in place beside its form; a long email or name in it wraps. */
export function FormAnswer({ state }: { state: ActionState }) {
  if (state.error)
    return (
      <p role="alert" className="min-w-0 text-sm text-red-800 wrap-anywhere">
        {state.error}
      </p>
    );
  if (state.ok)
    return (
      <p role="status" className="min-w-0 text-sm text-emerald-800 wrap-anywhere">
        {state.ok}
      </p>
    );
  return null;
}

export const FIELD = 'flex min-w-0 max-w-full flex-col gap-0.5 text-sm';
export const INPUT = 'w-full min-w-0 max-w-full rounded border border-slate-300 px-2 py-1';
export const BUTTON = 'rounded bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-800 disabled:bg-slate-400';

/** A form's submit button and, under it, the action's answer. */
export function SubmitAndAnswer({ label, pending, state }: { label: string; pending: boolean; state: ActionState }) {
  return (
    <>
      <button type="submit" disabled={pending} className={BUTTON}>
        {pending ? 'Working…' : label}
      </button>
      <FormAnswer state={state} />
    </>
  );
}
