'use client';
import { useActionState, useState } from 'react';
import type { TokenState } from '@/lib/actions/token-state';
import { CopyButton } from './copy-button';

/** A calendar token comes back with the feed's whole URL: that, not the bare token, is what a calendar app subscribes to. */
export interface TokenFormState extends TokenState {
  feedUrl?: string;
}

export function TokenForm({ action }: { action: (prev: TokenFormState, data: FormData) => Promise<TokenFormState> }) {
  const [state, run, pending] = useActionState(action, {});
  const [scope, setScope] = useState('ingest');
  return (
    // React resets the form after its action, which puts the select back on ingest: the fields shown follow it.
    <form action={run} onReset={() => setScope('ingest')} className="space-y-3 rounded border border-slate-200 p-4" data-testid="token-form">
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <label className="flex min-w-0 max-w-full flex-col">
          Scope
          <select name="scope" value={scope} onChange={(e) => setScope(e.target.value)} className="max-w-full rounded border border-slate-300 px-2 py-1">
            <option value="ingest">ingest (a service reports error rates)</option>
            <option value="deploy">deploy (a CD pipeline marks deploys)</option>
            <option value="calendar">calendar (read-only feed of scheduled phases)</option>
          </select>
        </label>
        {scope === 'calendar' ? null : scope === 'ingest' ? (
          <label className="flex min-w-0 max-w-full flex-col">
            Service
            <input name="service" required maxLength={100} className="max-w-full rounded border border-slate-300 px-2 py-1" />
          </label>
        ) : (
          <label className="flex min-w-0 max-w-full flex-col">
            Migration id (empty: every migration)
            <input name="migrationId" inputMode="numeric" className="max-w-full rounded border border-slate-300 px-2 py-1" />
          </label>
        )}
        <label className="flex min-w-0 max-w-full flex-col">
          Label
          <input name="label" maxLength={200} className="max-w-full rounded border border-slate-300 px-2 py-1" />
        </label>
        <button type="submit" disabled={pending} className="rounded bg-indigo-700 px-3 py-1.5 font-medium text-white">
          Create token
        </button>
      </div>
      {state.error && (
        <p role="alert" className="text-sm text-red-800">
          {state.error}
        </p>
      )}
      {state.token && (
        <div role="status" className="space-y-1 rounded bg-amber-50 p-3 text-sm">
          <p>{state.ok}</p>
          <code data-testid="new-token" className="block break-all font-mono">
            {state.token}
          </code>
          {state.feedUrl && (
            <div className="space-y-1 pt-2">
              <p>Subscribe to this URL in your calendar app (it holds the token, so share it like one):</p>
              <div className="flex min-w-0 items-start gap-2">
                <code data-testid="new-feed-url" className="block min-w-0 flex-1 break-all font-mono">
                  {state.feedUrl}
                </code>
                <CopyButton text={state.feedUrl} label="Copy the calendar feed URL" />
              </div>
            </div>
          )}
        </div>
      )}
    </form>
  );
}
