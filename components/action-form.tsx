'use client';
import { useActionState, type ReactNode } from 'react';
import type { FailureDetail, FormAction } from '@/lib/actions/action-state';

/**
 * A failure that has more to say than a line: what failed, the SQL it ran (as written, scrollable
 * on a phone), what the database said and what to do, in the form's own message area. Nothing in
 * it may widen the page: the SQL is sized to its box (w-0 min-w-full) and long names wrap anywhere.
 */
export function FailureMessage({ failure }: { failure: FailureDetail }) {
  return (
    <div role="alert" className="w-full min-w-0 space-y-1.5 rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900">
      <p className="font-medium [overflow-wrap:anywhere]">{failure.title}</p>
      {failure.sql && (
        <pre className="max-h-48 w-0 min-w-full overflow-auto rounded bg-white p-2 font-mono text-xs whitespace-pre text-slate-800">{failure.sql}</pre>
      )}
      <p className="[overflow-wrap:anywhere]">{failure.cause}</p>
      {failure.advice && (
        <p className="[overflow-wrap:anywhere]">
          <span className="font-medium">What to do: </span>
          {failure.advice}
        </p>
      )}
    </div>
  );
}

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
  const { failure } = state;
  const whyId = `why-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <form action={run} className="min-w-0 space-y-2">
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
        {state.error && !failure && (
          <span role="alert" className="text-sm [overflow-wrap:anywhere] text-red-800">
            {state.error}
          </span>
        )}
      </div>
      {failure && !pending && <FailureMessage failure={failure} />}
    </form>
  );
}
