import Link from 'next/link';
import type { Bar, WeekLayout } from '@/lib/timeline/week-layout';

const STATUS_CLASS: Record<Bar['status'], string> = {
  planned: 'border border-dashed border-slate-500 bg-white/60 text-slate-700',
  running: 'bg-amber-500 text-amber-950',
  succeeded: 'bg-emerald-600 text-white',
  failed: 'bg-red-700 text-white',
};

const time = (d: Date, timeZone: string) => d.toLocaleString('en-GB', { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZone });

/**
 * The week, Monday to Friday wide and a quiet weekend narrow: one lane per migration,
 * planned phases dashed below, what actually ran solid above, the deploy-to-contract
 * buffer as a band and a red line at now. Server-rendered; links move between weeks.
 */
export function WeekTimeline({
  layout,
  timeZone,
  week,
  prevWeek,
  nextWeek,
  thisWeek,
}: {
  layout: WeekLayout;
  timeZone: string;
  week: string;
  prevWeek: string;
  nextWeek: string;
  thisWeek: string;
}) {
  return (
    <section className="space-y-3" data-testid="timeline" aria-label="Migrations this week">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">
          Week of {week} <span className="text-sm font-normal text-slate-600">(times in {timeZone})</span>
        </h1>
        <nav className="flex flex-wrap items-center gap-3 text-sm" aria-label="Weeks">
          <Link href={`/?week=${prevWeek}`} className="underline">
            ← previous
          </Link>
          <Link href={`/?week=${thisWeek}`} className="underline">
            this week
          </Link>
          <Link href={`/?week=${nextWeek}`} className="underline">
            next →
          </Link>
          <form method="get" className="flex items-center gap-1">
            <label htmlFor="week-picker" className="sr-only">
              Go to the week of
            </label>
            <input id="week-picker" type="date" name="week" defaultValue={week} className="rounded border border-slate-300 px-1 py-0.5" />
            <button type="submit" className="rounded border border-slate-300 px-2 py-0.5">
              Go
            </button>
          </form>
        </nav>
      </div>
      <div className="overflow-x-auto">
        <div className="min-w-[640px]">
          <div className="relative ml-48 h-6 text-xs text-slate-600">
            {layout.columns.map((c) => (
              <div
                key={c.label}
                className={`absolute top-0 truncate border-l border-slate-200 pl-1 ${c.collapsed ? 'text-slate-400' : ''}`}
                style={{ left: `${c.left}%`, width: `${c.width}%` }}
                title={c.label}
              >
                {c.collapsed ? c.label.slice(0, 2) : c.label}
              </div>
            ))}
          </div>
          {layout.lanes.length === 0 && <p className="py-6 text-sm text-slate-600">Nothing planned or running this week.</p>}
          {layout.lanes.map((lane) => (
            <div key={lane.id} className="flex items-stretch border-t border-slate-100" data-testid="timeline-lane" data-migration={lane.id}>
              <div className="w-48 shrink-0 py-2 pr-2 text-sm">
                <Link href={`/migrations/${lane.id}`} className="font-medium hover:underline">
                  {lane.title}
                </Link>
                <div className="text-xs text-slate-600">
                  #{lane.id} · {lane.status}
                  {lane.seeded && <span className="ml-1 rounded bg-slate-200 px-1">seeded history</span>}
                </div>
                {lane.conflictWith.length > 0 && (
                  <div className="mt-1 text-xs font-medium text-red-800" data-testid="conflict">
                    ⚠ same table as #{lane.conflictWith.join(', #')}
                  </div>
                )}
              </div>
              <div className="relative h-16 flex-1">
                {layout.columns.map((c) => (
                  <div
                    key={c.label}
                    aria-hidden
                    className={`absolute inset-y-0 border-l border-slate-100 ${c.weekend ? 'bg-slate-50' : ''}`}
                    style={{ left: `${c.left}%`, width: `${c.width}%` }}
                  />
                ))}
                {lane.buffer && (
                  <div
                    aria-hidden
                    className="absolute inset-y-1 bg-indigo-100/70"
                    style={{ left: `${lane.buffer.left}%`, width: `${lane.buffer.width}%` }}
                    title="buffer between deploy and contract"
                    data-testid="buffer"
                  />
                )}
                {lane.bars.map((b, i) => (
                  <div
                    key={i}
                    data-testid="timeline-bar"
                    data-phase={b.phase}
                    data-kind={b.kind}
                    data-status={b.status}
                    className={`absolute h-6 overflow-hidden rounded px-1 text-[11px] leading-6 whitespace-nowrap ${STATUS_CLASS[b.status]} ${b.kind === 'planned' ? 'top-9' : 'top-2'}`}
                    style={{ left: `${b.left}%`, width: `${b.width}%` }}
                    title={`${b.phase} (${b.kind === 'planned' ? 'planned' : b.status}): ${time(b.start, timeZone)} → ${time(b.end, timeZone)}`}
                  >
                    {b.phase}
                  </div>
                ))}
                {layout.now !== null && (
                  <div aria-label="now" className="absolute inset-y-0 w-0.5 bg-red-600" style={{ left: `${layout.now}%` }} data-testid="now-line" />
                )}
              </div>
            </div>
          ))}
          <ul className="mt-3 flex flex-wrap gap-4 text-xs text-slate-700" aria-label="Legend">
            <li className="flex items-center gap-1">
              <span className="inline-block h-3 w-6 rounded border border-dashed border-slate-500" /> planned
            </li>
            <li className="flex items-center gap-1">
              <span className="inline-block h-3 w-6 rounded bg-amber-500" /> running
            </li>
            <li className="flex items-center gap-1">
              <span className="inline-block h-3 w-6 rounded bg-emerald-600" /> done
            </li>
            <li className="flex items-center gap-1">
              <span className="inline-block h-3 w-6 rounded bg-red-700" /> failed
            </li>
            <li className="flex items-center gap-1">
              <span className="inline-block h-3 w-6 bg-indigo-100" /> buffer before contract
            </li>
            <li className="flex items-center gap-1">
              <span className="inline-block h-3 w-0.5 bg-red-600" /> now
            </li>
          </ul>
        </div>
      </div>
    </section>
  );
}
