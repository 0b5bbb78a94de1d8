import type { Probe } from '@/lib/data/get-health';
import type { ServerHealth } from '@/lib/signals/read-server-health';
import { StatusBadge, type Status } from './status-badge';

const LOOK: Record<ServerHealth['status'], { status: Status; word: string }> = {
  ok: { status: 'ok', word: 'sampled' },
  failing: { status: 'error', word: 'failing' },
  stale: { status: 'warn', word: 'not lately' },
  never: { status: 'warn', word: 'never sampled' },
};

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** "of the last hour", or of the shorter time since the server was first sampled. */
function span(s: ServerHealth, now: number): string {
  const minutes = Math.max(1, Math.round((now - new Date(s.since).getTime()) / 60_000));
  return minutes >= 59 ? 'of the last hour' : `of the last ${minutes} min`;
}

/** Replay lag against the ceiling the backfill keeps replicas under: over it reads as a warning. */
function lagText(s: ServerHealth, ceiling: number): { text: string; late: boolean } {
  if (s.role === 'primary') return { text: 'primary', late: false };
  if (s.lagSeconds === null) return { text: 'lag unknown', late: true };
  return { text: `lag ${s.lagSeconds < 10 ? s.lagSeconds.toFixed(1) : Math.round(s.lagSeconds)} s`, late: s.lagSeconds > ceiling };
}

/**
 * Every server whose pg_stat_statements the sampler reads, one line each: zero reads can only be
 * claimed when all of them are watched, so a replica that is down shows here first, in red.
 */
export function SampledServersCard({ servers, lagCeilingSeconds, now }: { servers: Probe<ServerHealth[]>; lagCeilingSeconds: number; now: number }) {
  const list = servers.ok ? servers.value : [];
  const bad = list.filter((s) => s.status !== 'ok').length;
  return (
    <section data-testid="health-servers" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm md:col-span-3">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-sm font-semibold text-slate-700">Servers sampled for legacy reads</h3>
        {servers.ok ? (
          <StatusBadge status={bad ? 'warn' : 'ok'}>{bad ? `${bad} of ${list.length} not sampled` : `${list.length} of ${list.length} sampled`}</StatusBadge>
        ) : (
          <StatusBadge status="error">unknown</StatusBadge>
        )}
      </div>
      {!servers.ok ? (
        <p className="text-sm text-rose-700">{servers.error}</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {list.map((s) => {
            const lag = lagText(s, lagCeilingSeconds);
            return (
              <li
                key={s.label}
                data-testid="health-server"
                data-server={s.label}
                data-status={s.status}
                className="flex flex-wrap items-center gap-x-4 gap-y-1 py-2 text-sm"
              >
                <span className="min-w-0 flex-1 basis-56 truncate font-mono text-xs text-slate-800" title={s.label}>
                  {s.label}
                </span>
                <span className={`w-24 text-xs ${lag.late ? 'font-medium text-amber-800' : 'text-slate-500'}`} data-testid="health-server-lag">
                  {lag.text}
                </span>
                <span className="w-36 text-xs text-slate-600" title="share of that time with a successful sample">
                  {pct(s.coverage)} {span(s, now)}
                </span>
                <StatusBadge status={LOOK[s.status].status}>{LOOK[s.status].word}</StatusBadge>
                {s.lastError && <span className="basis-full whitespace-normal break-words text-xs text-rose-700">last sample failed: {s.lastError}</span>}
                {s.track && s.track !== 'all' && (
                  <span className="basis-full whitespace-normal text-xs text-amber-800">
                    pg_stat_statements.track = {s.track}: statements inside functions are not counted here (set it to all)
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {servers.ok && list.length === 1 && (
        <p className="mt-2 text-xs text-slate-500">
          No read replicas named. Reads a replica serves are counted only on it: name them in TARGET_REPLICA_URLS or on the admin page.
        </p>
      )}
    </section>
  );
}
