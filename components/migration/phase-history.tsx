import { StatusBadge } from '@/components/status-badge';
import type { MigrationDetail } from '@/lib/data/get-migrations';

/** Every phase run, newest last, with who (or the Supabase CLI) ran it and its error. */
export function PhaseHistory({ m }: { m: MigrationDetail }) {
  return (
    <section className="space-y-2">
      <h2 className="text-lg font-semibold">Phases</h2>
      {m.phases.length === 0 ? (
        <p className="text-sm text-slate-600">
          Nothing has run yet: <code className="font-mono">npx expand-contract run {m.id} expand</code>
        </p>
      ) : (
        <ol className="space-y-1 text-sm" data-testid="phases">
          {m.phases.map((p) => (
            <li key={p.id} className="flex flex-wrap gap-x-3">
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
  );
}
