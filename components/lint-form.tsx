'use client';
import { useActionState } from 'react';
import type { LintState } from '@/lib/actions/lint-state';
import type { NewMigrationState } from '@/lib/actions/new-migration-state';

/** Paste SQL, see what would break running code (Squawk's findings and ours), and turn a breaking statement into its safe plan. */
export function LintForm({
  lint,
  createSuggested,
}: {
  lint: (prev: LintState, data: FormData) => Promise<LintState>;
  createSuggested: (prev: NewMigrationState, data: FormData) => Promise<NewMigrationState>;
}) {
  const [state, run, pending] = useActionState(lint, {});
  const [created, create, creating] = useActionState(createSuggested, {});
  return (
    <div className="space-y-3" data-testid="paste-lint">
      <form action={run} className="space-y-2">
        <label className="block text-sm font-medium">
          SQL to check
          <textarea
            name="sql"
            rows={6}
            className="mt-1 block w-full rounded border border-slate-300 p-2 font-mono text-sm"
            placeholder="ALTER TABLE leads RENAME COLUMN user_email TO contact_email;"
          />
        </label>
        <button type="submit" disabled={pending} className="rounded bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white">
          {pending ? 'Checking…' : 'Lint'}
        </button>
      </form>
      {state.error && (
        <p role="alert" className="text-sm text-red-800">
          {state.error}
        </p>
      )}
      {state.findings && (
        <div>
          <p className="text-sm" role="status">
            {state.findings.length === 0
              ? `No findings in ${state.statements} statement(s).`
              : `${state.findings.length} finding(s) in ${state.statements} statement(s):`}
          </p>
          <ul className="space-y-2 text-sm">
            {state.findings.map((f, i) => (
              <li key={i} className="rounded border border-slate-200 p-2" data-testid="finding" data-source={f.source}>
                <span className="font-mono text-xs">
                  line {f.line} · {f.source} · {f.rule} · {f.severity}
                </span>
                <p>{f.message}</p>
                {f.help && <p className="text-slate-600">{f.help}</p>}
                {f.suggestion && (
                  <form action={create} className="mt-1">
                    <input type="hidden" name="spec" value={JSON.stringify(f.suggestion)} />
                    <button type="submit" disabled={creating} className="rounded bg-emerald-700 px-2 py-1 text-xs font-medium text-white">
                      Create the safe plan ({f.suggestion.kind})
                    </button>
                  </form>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {created.error && (
        <p role="alert" className="text-sm text-red-800">
          {created.error}
        </p>
      )}
    </div>
  );
}
