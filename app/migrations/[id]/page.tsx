import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { AutoRefresh } from '@/components/auto-refresh';
import { BackfillSummary } from '@/components/backfill-summary';
import { StatusBadge } from '@/components/status-badge';
import { getMigration } from '@/lib/data/get-migrations';
import { MigrationNotFoundError } from '@/lib/executor/state-store';

export default async function MigrationPage({ params }: { params: Promise<{ id: string }> }) {
  await connection();
  const id = Number((await params).id);
  if (!Number.isInteger(id) || id < 1) notFound();
  const m = await getMigration(id).catch((e: unknown) => {
    if (e instanceof MigrationNotFoundError) notFound();
    throw e;
  });
  return (
    <div className="space-y-8">
      <AutoRefresh active={m.backfill?.status === 'running'} />
      <header>
        <p className="text-sm text-slate-500">Migration {m.id} · {m.target}</p>
        <h1 className="text-2xl font-semibold tracking-tight">{m.title}</h1>
        <div className="mt-2">
          <StatusBadge status="ok">{m.status}</StatusBadge>
        </div>
      </header>

      <section className="space-y-2">
        <h2 className="text-lg font-semibold">Backfill</h2>
        <div className="max-w-xl">
          <BackfillSummary backfill={m.backfill} />
        </div>
      </section>

      <section className="space-y-2" data-testid="gate">
        <h2 className="text-lg font-semibold">Contract gate: {m.gate.allowed ? 'allowed' : 'not allowed'}</h2>
        <ul className="space-y-1 text-sm">
          {m.gate.conditions.map((c) => (
            <li key={c.name} data-testid="gate-condition" data-met={c.met} className="flex items-start gap-2">
              <StatusBadge status={c.met ? 'ok' : 'warn'}>{c.met ? 'met' : 'not met'}</StatusBadge>
              <span>
                <span className="font-medium">{c.name}</span>: {c.detail}
              </span>
            </li>
          ))}
        </ul>
      </section>

      <section className="space-y-2">
        <h2 className="text-lg font-semibold">Phases</h2>
        {m.phases.length === 0 ? (
          <p className="text-sm text-slate-600">
            Nothing has run yet: <code className="font-mono">npx expand-contract run {m.id} expand</code>
          </p>
        ) : (
          <ol className="space-y-1 text-sm" data-testid="phases">
            {m.phases.map((p) => (
              <li key={p.id} className="flex gap-3">
                <span className="w-20 font-mono">{p.phase}</span>
                <StatusBadge status={p.status === 'succeeded' ? 'ok' : p.status === 'failed' ? 'error' : 'warn'}>{p.status}</StatusBadge>
                <span className="text-slate-600">
                  {p.startedAt.toISOString()} · {p.source === 'supabase-cli' ? 'applied with the Supabase CLI' : p.actor}
                  {p.error ? ` · ${p.error}` : ''}
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>

      {m.notes.length > 0 && (
        <section className="space-y-1 text-sm text-slate-700">
          <h2 className="text-lg font-semibold">Notes</h2>
          {m.notes.map((n) => (
            <p key={n}>{n}</p>
          ))}
        </section>
      )}
    </div>
  );
}
