import Link from 'next/link';
import { connection } from 'next/server';
import { requireActor } from '@/lib/auth/current-actor';
import { statePool } from '@/lib/db/pools';
import { auditFilterSchema, listAudit } from '@/lib/data/audit-log';

export const metadata = { title: 'Audit log · Expand/Contract' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  await connection();
  await requireActor();
  const raw = await searchParams;
  const parsed = auditFilterSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v)));
  const filter = parsed.success ? parsed.data : {};
  const entries = await listAudit(statePool(), filter);
  const query = new URLSearchParams(Object.entries(raw).filter((e): e is [string, string] => !!e[1])).toString();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Audit log</h1>
      <p className="text-sm text-slate-600">
        Every sign-in, plan change, approval, phase run and token change. Append-only: nobody, the dashboard included, can edit or delete an entry.
      </p>
      <form className="flex flex-wrap items-end gap-3 text-sm" method="get">
        {(['actor', 'action', 'migration'] as const).map((f) => (
          <label key={f} className="flex flex-col">
            {f}
            <input name={f} defaultValue={raw[f] ?? ''} className="rounded border border-slate-300 px-2 py-1" />
          </label>
        ))}
        {(['from', 'to'] as const).map((f) => (
          <label key={f} className="flex flex-col">
            {f}
            <input name={f} type="date" defaultValue={raw[f] ?? ''} className="rounded border border-slate-300 px-2 py-1" />
          </label>
        ))}
        <button type="submit" className="rounded bg-indigo-700 px-3 py-1.5 font-medium text-white">
          Filter
        </button>
        <a href={`/audit/export${query ? `?${query}` : ''}`} className="underline">
          Export CSV
        </a>
      </form>
      {!parsed.success && (
        <p role="alert" className="text-sm text-red-800">
          Some filters were not understood and were ignored.
        </p>
      )}
      <table className="w-full text-left text-sm" data-testid="audit-table">
        <thead>
          <tr className="border-b border-slate-200">
            <th className="py-1">When (UTC)</th>
            <th>Who</th>
            <th>What</th>
            <th>Migration</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} className="border-b border-slate-100 align-top">
              <td className="py-1 whitespace-nowrap">{e.at.toISOString().replace('T', ' ').slice(0, 19)}</td>
              <td>{e.actor}</td>
              <td className="font-mono">{e.action}</td>
              <td>{e.migrationId ? <Link href={`/migrations/${e.migrationId}`}>{e.migrationId}</Link> : ''}</td>
              <td className="max-w-md truncate font-mono text-xs text-slate-600">{Object.keys(e.detail).length ? JSON.stringify(e.detail) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length === 0 && <p className="text-sm text-slate-600">No entries match.</p>}
    </div>
  );
}
