'use client';
import { useActionState } from 'react';
import type { FormAction } from '@/lib/actions/action-state';
import type { WebhookState } from '@/lib/actions/webhook-state';
import { WEBHOOK_EVENT_WORDS, WEBHOOK_EVENTS } from '@/lib/lifecycle/webhook-events';
import { CopyButton } from '../copy-button';

/** Adds a webhook; its signing key comes back once, to copy now. */
export function WebhookForm({ action }: { action: FormAction<WebhookState> }) {
  const [state, run, pending] = useActionState(action, {});
  return (
    <form action={run} className="space-y-3 rounded border border-slate-200 p-4 text-sm" data-testid="webhook-form">
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex min-w-0 flex-1 basis-64 flex-col">
          URL
          <input
            name="url"
            type="url"
            required
            maxLength={2000}
            placeholder="https://hooks.slack.com/services/…"
            className="rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="flex flex-col">
          Format
          <select name="format" defaultValue="json" className="rounded border border-slate-300 px-2 py-1">
            <option value="json">JSON (signed payload)</option>
            <option value="slack">Slack text</option>
          </select>
        </label>
        <label className="flex flex-col">
          Migration (empty: all)
          <input name="migrationId" inputMode="numeric" maxLength={16} className="w-32 rounded border border-slate-300 px-2 py-1" />
        </label>
      </div>
      <fieldset className="flex flex-wrap gap-x-4 gap-y-1">
        <legend className="mb-1 font-medium">Events</legend>
        {WEBHOOK_EVENTS.map((e) => (
          <label key={e} className="flex items-center gap-1.5">
            <input type="checkbox" name="events" value={e} defaultChecked />
            {WEBHOOK_EVENT_WORDS[e]}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={pending} className="rounded bg-indigo-700 px-3 py-1.5 font-medium text-white">
        {pending ? 'Working…' : 'Add webhook'}
      </button>
      {state.error && (
        <p role="alert" className="text-red-800">
          {state.error}
        </p>
      )}
      {state.secret && (
        <div role="status" className="space-y-1 rounded bg-amber-50 p-3">
          <p>{state.ok}</p>
          <div className="flex min-w-0 items-start gap-2">
            <code data-testid="new-webhook-secret" className="block min-w-0 flex-1 break-all font-mono">
              {state.secret}
            </code>
            <CopyButton text={state.secret} label="Copy key" />
          </div>
          <p className="text-slate-700">Each delivery carries X-Expand-Contract-Signature: check it with this key (see the README, Webhooks).</p>
        </div>
      )}
    </form>
  );
}
