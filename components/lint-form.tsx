'use client';
import { unstable_rethrow } from 'next/navigation';
import { startTransition, useActionState, useId, useState } from 'react';
import type { FormAction } from '@/lib/actions/action-state';
import type { LintState } from '@/lib/actions/lint-state';
import type { NewMigrationState } from '@/lib/actions/new-migration-state';
import type { OperationSpec } from '@/lib/migrations/types';
import { PlanPreview } from './new-migration-form';

const UNREACHABLE = 'the server did not answer (it may be restarting): nothing was lost, try again';

/**
 * The action, answering with `{ error }` where it would throw: a thrown action replaces the page
 * with its error boundary, and with it whatever the person typed.
 */
function answering<S extends { error?: string }>(action: FormAction<S>) {
  return async (prev: S, data: FormData): Promise<S> => {
    try {
      return await action(prev, data);
    } catch (error) {
      // Next's redirect (after creating) is a thrown signal, not a failure.
      unstable_rethrow(error);
      return { error: UNREACHABLE } as S;
    }
  };
}

/** Paste SQL, see what would break running code (Squawk's findings, ours, and the live schema's), and turn a breaking statement into its safe plan. */
export function LintForm({
  lint,
  createSuggested,
  canCreate = true,
}: {
  lint: FormAction<LintState>;
  createSuggested: FormAction<NewMigrationState>;
  canCreate?: boolean;
}) {
  // Controlled, and submitted by hand: React resets a form after its action, and the SQL must survive every answer.
  const [sql, setSql] = useState('');
  const [state, run, pending] = useActionState(answering(lint), {});
  // Each lint starts its safe plans afresh: a preview belongs to the answer it was asked from.
  const [round, setRound] = useState(0);
  return (
    <div className="min-w-0 space-y-3" data-testid="paste-lint">
      <form
        className="space-y-2"
        onSubmit={(ev) => {
          ev.preventDefault();
          const data = new FormData(ev.currentTarget);
          setRound((r) => r + 1);
          startTransition(() => run(data));
        }}
      >
        <label className="block text-sm font-medium">
          SQL to check
          <textarea
            name="sql"
            rows={6}
            value={sql}
            onChange={(ev) => setSql(ev.target.value)}
            className="mt-1 block w-full rounded border border-slate-300 p-2 font-mono text-sm"
            placeholder="ALTER TABLE leads RENAME COLUMN user_email TO contact_email;"
          />
        </label>
        <button type="submit" disabled={pending} className="rounded bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white">
          {pending ? 'Checking…' : 'Lint'}
        </button>
      </form>
      {state.error && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm break-words text-red-800">
          {state.error}
        </p>
      )}
      {state.findings && (
        <div className="space-y-2">
          <p className="text-sm" role="status">
            {state.findings.length === 0
              ? `No findings in ${state.statements} statement(s).`
              : `${state.findings.length} finding(s) in ${state.statements} statement(s):`}
          </p>
          {state.schema && (
            <p className="text-xs text-slate-600" data-testid="lint-schema">
              {state.schema}
            </p>
          )}
          <ul key={round} className="space-y-2 text-sm">
            {state.findings.map((f, i) => (
              <li
                key={i}
                className={`min-w-0 rounded border p-2 ${f.severity === 'error' ? 'border-red-200' : 'border-slate-200'}`}
                data-testid="finding"
                data-source={f.source}
                data-rule={f.rule}
              >
                <span className="font-mono text-xs break-words">
                  line {f.line} · {f.source} · {f.rule} · <span className={f.severity === 'error' ? 'text-red-800' : 'text-amber-800'}>{f.severity}</span>
                </span>
                {/* Once per statement: its other findings follow it. */}
                {f.statement && f.statement !== state.findings![i - 1]?.statement && (
                  <code className="mt-1 block rounded bg-slate-50 px-2 py-1 text-xs break-words whitespace-pre-wrap">{shorten(f.statement)}</code>
                )}
                <p className="break-words">{f.message}</p>
                {f.help && <p className="break-words text-slate-600">{f.help}</p>}
                {f.suggestion && <SuggestedPlan spec={f.suggestion} action={createSuggested} canCreate={canCreate} />}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

const shorten = (text: string) => (text.length > 400 ? `${text.slice(0, 400)}…` : text);

type SuggestedState = NewMigrationState & { intent?: 'preview' | 'create' };

/**
 * One finding's safe plan: previewed first, the same preview as the New migration form (and refused
 * the same way when sure to fail), then created by a second, explicit click. Each answer's error
 * sits beside the button that asked.
 */
function SuggestedPlan({ spec, action, canCreate }: { spec: OperationSpec; action: FormAction<NewMigrationState>; canCreate: boolean }) {
  const id = useId();
  const [asking, setAsking] = useState<'preview' | 'create'>('preview');
  const [state, run, pending] = useActionState(async (prev: SuggestedState, data: FormData): Promise<SuggestedState> => {
    const intent = data.get('intent') === 'create' ? 'create' : 'preview';
    const next = await answering(action)(prev, data);
    // A refused create keeps the preview it was asked from on screen.
    return { ...(intent === 'create' && !next.preview ? { preview: prev.preview } : {}), ...next, intent };
  }, {});
  const ask = (intent: 'preview' | 'create') => {
    const data = new FormData();
    data.set('spec', JSON.stringify(spec));
    data.set('intent', intent);
    setAsking(intent);
    startTransition(() => run(data));
  };
  const errorBeside = (intent: 'preview' | 'create') =>
    state.error && state.intent === intent ? (
      <p role="alert" id={`${id}-${intent}-error`} className="min-w-0 flex-1 basis-64 rounded bg-red-50 px-2 py-1 text-xs break-words text-red-800">
        {state.error}
      </p>
    ) : null;
  return (
    <div className="mt-2 space-y-2" data-testid="safe-plan">
      <div className="flex flex-wrap items-start gap-2">
        <button
          type="button"
          onClick={() => ask('preview')}
          disabled={pending}
          aria-describedby={state.error && state.intent === 'preview' ? `${id}-preview-error` : undefined}
          className="shrink-0 rounded bg-emerald-700 px-2 py-1 text-xs font-medium text-white disabled:bg-slate-400"
        >
          {pending && asking === 'preview' ? 'Planning…' : `Create the safe plan (${spec.kind})`}
        </button>
        {errorBeside('preview')}
      </div>
      {state.preview && (
        <div className="space-y-2 rounded border border-emerald-200 p-2">
          <p className="text-xs text-slate-600">Nothing is created yet: read the plan, then create it as a migration.</p>
          <PlanPreview preview={state.preview} />
          <div className="flex flex-wrap items-start gap-2">
            {canCreate ? (
              <button
                type="button"
                onClick={() => ask('create')}
                disabled={pending}
                aria-describedby={state.error && state.intent === 'create' ? `${id}-create-error` : undefined}
                className="shrink-0 rounded bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white disabled:bg-slate-400"
              >
                {pending && asking === 'create' ? 'Creating…' : 'Create migration'}
              </button>
            ) : (
              <span className="text-xs text-slate-600">only authors create migrations</span>
            )}
            {errorBeside('create')}
          </div>
        </div>
      )}
    </div>
  );
}
