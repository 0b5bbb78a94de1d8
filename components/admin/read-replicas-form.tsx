'use client';
import type { FormAction } from '@/lib/actions/action-state';
import type { PeopleState } from '@/lib/actions/people-state';
import { SubmitAndAnswer, useAdminForm } from './use-admin-form';

/**
 * The target's read replicas, host:port one per line. Those from TARGET_REPLICA_URLS are listed
 * beside it, read-only: they belong to the server's environment, not to this setting.
 */
export function ReadReplicasForm({ action, hosts, fromEnvironment }: { action: FormAction<PeopleState>; hosts: string[]; fromEnvironment: string[] }) {
  const { ref, state, pending, onSubmit } = useAdminForm(action, { resetOnOk: false });
  return (
    <form ref={ref} onSubmit={onSubmit} className="min-w-0 space-y-3 rounded border border-slate-200 p-4" data-testid="read-replicas-form">
      {fromEnvironment.length > 0 && (
        <p className="text-sm text-slate-700">
          From TARGET_REPLICA_URLS: <span className="font-mono text-xs wrap-anywhere">{fromEnvironment.join(', ')}</span>
        </p>
      )}
      <label className="block min-w-0 text-sm">
        Read replicas, host:port, one per line
        <textarea
          name="hosts"
          rows={3}
          defaultValue={hosts.join('\n')}
          placeholder="db-replica-1.internal:5432"
          spellCheck={false}
          className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 font-mono text-xs"
        />
      </label>
      <SubmitAndAnswer label="Save read replicas" pending={pending} state={state} />
    </form>
  );
}
