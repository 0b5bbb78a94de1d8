'use client';
import { useActionState, useState } from 'react';
import type { TokenState } from '@/lib/actions/token-state';

export function TokenForm({ action }: { action: (prev: TokenState, data: FormData) => Promise<TokenState> }) {
  const [state, run, pending] = useActionState(action, {});
  const [scope, setScope] = useState('ingest');
  return (
    <form action={run} className="space-y-3 rounded border border-slate-200 p-4" data-testid="token-form">
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <label className="flex min-w-0 max-w-full flex-col">
          Scope
          <select name="scope" value={scope} onChange={(e) => setScope(e.target.value)} className="max-w-full rounded border border-slate-300 px-2 py-1">
            <option value="ingest">ingest (a service reports error rates)</option>
            <option value="deploy">deploy (a CD pipeline marks deploys)</option>
          </select>
        </label>
        {scope === 'ingest' ? (
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
        </div>
      )}
    </form>
  );
}
