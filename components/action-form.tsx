'use client';
import { useActionState, type ReactNode } from 'react';
import type { FormAction } from '@/lib/actions/action-state';

/**
 * A form for one server action, with its answer shown beside it. When the person may not
 * do it, the button is disabled with the reason: the same rule the server applies, not a
 * substitute for it.
 */
export function ActionForm({
  action,
  hidden,
  label,
  denied,
  danger,
  children,
}: {
  action: FormAction;
  hidden: Record<string, string | number>;
  label: string;
  denied?: string;
  danger?: boolean;
  children?: ReactNode;
}) {
  const [state, run, pending] = useActionState(action, {});
  const whyId = `why-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <form action={run} className="space-y-2">
      {Object.entries(hidden).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {children}
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="submit"
          disabled={pending || !!denied}
          title={denied}
          aria-describedby={denied ? whyId : undefined}
          className={`rounded px-3 py-1.5 text-sm font-medium text-white disabled:cursor-not-allowed disabled:bg-slate-400 ${danger ? 'bg-red-700 hover:bg-red-800' : 'bg-indigo-700 hover:bg-indigo-800'}`}
        >
          {pending ? 'Working…' : label}
        </button>
        {denied && (
          <span id={whyId} className="text-xs text-slate-600">
            {denied}
          </span>
        )}
        {state.ok && (
          <span role="status" className="text-sm text-emerald-800">
            {state.ok}
          </span>
        )}
        {state.error && (
          <span role="alert" className="text-sm text-red-800">
            {state.error}
          </span>
        )}
      </div>
    </form>
  );
}
