import Link from 'next/link';
import { connection } from 'next/server';
import { describeAuditEntry } from '@/components/audit-words';
import { requireActor } from '@/lib/auth/current-actor';
import { statePool } from '@/lib/db/pools';
import { auditChoices, auditFilterSchema, countSessionEntries, listAudit, type AuditEntry } from '@/lib/data/audit-log';

export const metadata = { title: 'Audit log · Expand/Contract' };

const input = 'w-full rounded border border-slate-300 px-2 py-1';

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  await connection();
  await requireActor();
  const raw = await searchParams;
  const parsed = auditFilterSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v)));
  const filter = parsed.success ? parsed.data : {};
  // Sign-ins are folded away unless asked for, by the checkbox or by filtering on them.
  const sessions = raw.sessions === 'shown' || !!filter.action?.startsWith('session');
  const [entries, folded, choices] = await Promise.all([
    listAudit(statePool(), filter, 500, { sessions }),
    sessions ? Promise.resolve(0) : countSessionEntries(statePool(), filter),
    auditChoices(statePool()),
  ]);
  const query = new URLSearchParams(Object.entries(raw).filter((e): e is [string, string] => !!e[1])).toString();
  const withSessions = new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(query)), sessions: 'shown' }).toString();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Audit log</h1>
      <p className="text-sm text-slate-600">
        Every sign-in, plan change, approval, phase run and token change. Append-only: nobody, the dashboard included, can edit or delete an entry.
      </p>
      <form
        className="grid grid-cols-1 items-end gap-3 text-sm sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto]"
        method="get"
        data-testid="audit-filters"
      >
        <label className="flex min-w-0 flex-col">
          Person
          <input name="actor" list="audit-actors" defaultValue={raw.actor ?? ''} className={input} />
        </label>
        <label className="flex min-w-0 flex-col">
          Action
          <input name="action" list="audit-actions" defaultValue={raw.action ?? ''} placeholder="e.g. phase, plan.approved" className={input} />
        </label>
        <label className="flex min-w-0 flex-col">
          Migration
          <select name="migration" defaultValue={raw.migration ?? ''} className={input}>
            <option value="">any</option>
            {/* An id typed into the address that is not in the list still filters, and is shown. */}
            {raw.migration && !choices.migrations.some((m) => String(m.id) === raw.migration) && <option value={raw.migration}>{raw.migration}</option>}
            {choices.migrations.map((m) => (
              <option key={m.id} value={m.id}>
                #{m.id} {m.title}
              </option>
            ))}
          </select>
        </label>
        <label className="flex min-w-0 flex-col">
          From
          <input name="from" type="date" defaultValue={raw.from ?? ''} className={input} />
        </label>
        <label className="flex min-w-0 flex-col">
          To
          <input name="to" type="date" defaultValue={raw.to ?? ''} className={input} />
        </label>
        <div className="flex flex-wrap items-center gap-3">
          <label className="flex items-center gap-1.5">
            <input type="checkbox" name="sessions" value="shown" defaultChecked={raw.sessions === 'shown'} />
            sign-ins
          </label>
          <button type="submit" className="rounded bg-indigo-700 px-3 py-1.5 font-medium text-white">
            Filter
          </button>
          <a href={`/audit/export${query ? `?${query}` : ''}`} className="underline">
            Export CSV
          </a>
        </div>
        <datalist id="audit-actors">
          {choices.actors.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <datalist id="audit-actions">
          {choices.actions.map((a) => (
            <option key={a} value={a}>
              {describeAuditEntry({ action: a, detail: {} }).says}
            </option>
          ))}
        </datalist>
      </form>
      {!parsed.success && (
        <p role="alert" className="text-sm text-red-800">
          Some filters were not understood and were ignored.
        </p>
      )}
      {folded > 0 && (
        <p className="text-sm text-slate-600" data-testid="folded-sessions">
          {folded} sign-in{folded === 1 ? '' : 's'} and sign-out{folded === 1 ? '' : 's'} folded away.{' '}
          <Link href={`/audit?${withSessions}`} className="underline">
            Show them
          </Link>
          ; the CSV export always has them.
        </p>
      )}
      <ol className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm shadow-sm" data-testid="audit-table">
        {entries.map((e) => (
          <AuditItem key={e.id} entry={e} />
        ))}
      </ol>
      {entries.length === 0 && <p className="text-sm text-slate-600">No entries match.</p>}
    </div>
  );
}

function AuditItem({ entry: e }: { entry: AuditEntry }) {
  const words = describeAuditEntry(e);
  const hasDetail = e.detail && typeof e.detail === 'object' && Object.keys(e.detail).length > 0;
  return (
    <li className={`space-y-1 px-3 py-2 sm:px-4 ${words.session ? 'bg-slate-50 text-slate-600' : ''}`} data-testid="audit-entry" data-action={e.action}>
      <p className="wrap-anywhere">
        <time dateTime={e.at.toISOString()} className="mr-2 font-mono text-xs text-slate-500">
          {e.at.toISOString().replace('T', ' ').slice(0, 16)} UTC
        </time>
        <span className="font-medium">{e.actor}</span> <span className={words.failed ? 'font-medium text-red-800' : ''}>{words.says}</span>
        {e.migrationId !== null && (
          <>
            {' · '}
            <Link href={`/migrations/${e.migrationId}`} className="text-indigo-700 hover:underline">
              #{e.migrationId}
              {e.migrationTitle ? ` ${e.migrationTitle}` : ''}
            </Link>
          </>
        )}
      </p>
      {words.fields.length > 0 && (
        <dl className="flex flex-wrap gap-x-4 gap-y-0.5 text-xs">
          {words.fields.map((f) => (
            <div key={f.label} className="flex min-w-0 gap-1">
              <dt className="text-slate-500">{f.label}</dt>
              <dd className="min-w-0 wrap-anywhere text-slate-800">{f.value}</dd>
            </div>
          ))}
        </dl>
      )}
      {hasDetail && (
        <details className="text-xs">
          <summary className="cursor-pointer text-slate-500">
            full detail <span className="font-mono">({e.action})</span>
          </summary>
          <pre className="mt-1 max-h-80 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-2 font-mono wrap-anywhere">
            {JSON.stringify(e.detail, null, 2)}
          </pre>
        </details>
      )}
    </li>
  );
}
