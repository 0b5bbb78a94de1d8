import Link from 'next/link';
import { connection } from 'next/server';
import { AutoRefresh } from '@/components/auto-refresh';
import { BackfillSummary } from '@/components/backfill-summary';
import { MigrationStatusBadge } from '@/components/status-badge';
import { listMigrations } from '@/lib/data/get-migrations';
import { requireActor } from '@/lib/auth/current-actor';

export default async function MigrationsPage() {
  await connection();
  await requireActor();
  const migrations = await listMigrations();
  return (
    <div className="space-y-4">
      <AutoRefresh active={migrations.some((m) => m.backfill?.status === 'running')} />
      <h1 className="text-2xl font-semibold tracking-tight">Migrations</h1>
      {migrations.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
          No migrations yet. Register one with <code className="font-mono">npx expand-contract create rename public.leads.user_email contact_email</code>.
        </p>
      ) : (
        // On a phone the backfill moves under the change, so the table never gets wider than the screen.
        <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-left text-sm shadow-sm">
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-2 py-2 font-medium sm:px-4">#</th>
              <th className="px-2 py-2 font-medium sm:px-4">change</th>
              <th className="px-2 py-2 font-medium sm:px-4">status</th>
              <th className="hidden w-72 px-4 py-2 font-medium sm:table-cell">backfill</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {migrations.map((m) => (
              <tr key={m.id} data-testid="migration-row" data-migration={m.id} className="align-top">
                <td className="px-2 py-2 font-mono text-xs sm:px-4">{m.id}</td>
                <td className="px-2 py-2 wrap-anywhere sm:px-4">
                  <Link href={`/migrations/${m.id}`} className="text-indigo-700 hover:underline">
                    {m.title}
                    {m.seeded && <span className="ml-2 rounded bg-slate-200 px-1 text-xs">seeded</span>}
                  </Link>
                  <span className="block text-xs text-slate-500">{m.target}</span>
                  <div className="mt-2 sm:hidden">
                    <BackfillSummary backfill={m.backfill} job={m.backfillJob} />
                  </div>
                </td>
                <td className="px-2 py-2 sm:px-4">
                  <MigrationStatusBadge state={m.status} />
                </td>
                <td className="hidden px-4 py-2 sm:table-cell">
                  <BackfillSummary backfill={m.backfill} job={m.backfillJob} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
