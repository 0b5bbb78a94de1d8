import Link from 'next/link';
import { BarDetailsPopover } from './bar-details-popover';
import { stateWord } from '@/lib/lifecycle/migration-states';
import type { TimelineFilter } from '@/lib/timeline/filter-timeline';
import { CALENDAR_FEED_PATH } from '@/lib/timeline/calendar-feed-path';
import { dateTimeFormat } from '@/lib/timeline/date-time-format';
import { describeScheduleRules, type ScheduleRules } from '@/lib/timeline/schedule-rules';
import { describeClashes } from '@/lib/timeline/schedule-windows';
import { MIN_BAR_PX, phaseWord, type Bar, type BarTone, type WeekLayout } from '@/lib/timeline/week-layout';

const TONE_CLASS: Record<BarTone, string> = {
  planned: 'border border-dashed border-slate-500 bg-white text-slate-700',
  running: 'bg-amber-500 text-amber-950',
  succeeded: 'bg-emerald-600 text-white',
  failed: 'bg-red-700 text-white',
  undone: 'bg-violet-600 text-white',
};

const OUTCOME: Record<BarTone, string> = {
  planned: 'planned',
  running: 'running',
  succeeded: 'done',
  failed: 'failed',
  undone: 'done: the change was undone',
};

const ROW_PX = 28;
/** A position on the week's axis: thousandths of a percent are finer than any screen's pixel, and keep a week of bars short. */
const pct = (n: number) => `${Math.round(n * 1000) / 1000}%`;

/**
 * Each day's line and the weekend's shade as one background, the same for every lane: a week of
 * thirty lanes is 210 elements fewer (slate-100 lines, a slate-50 weekend).
 */
function dayGrid(columns: WeekLayout['columns']): string {
  const stops = columns.flatMap((c) => {
    const fill = c.weekend ? '#f8fafc' : 'transparent';
    return [`#f1f5f9 ${pct(c.left)}`, `#f1f5f9 calc(${pct(c.left)} + 1px)`, `${fill} calc(${pct(c.left)} + 1px)`, `${fill} ${pct(c.left + c.width)}`];
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
const time = (d: Date, timeZone: string) =>
  dateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone }).format(d);

/** A brownout neither succeeds nor fails: it ran clean, or it was put back because something broke. */
const outcomeWord = (b: Bar) => (b.phase === 'brownout' && b.tone !== 'running' ? (b.tone === 'failed' ? 'reverted' : 'clean') : OUTCOME[b.tone]);

/** Name, start, end, who and outcome: the bar's tooltip and its tapped details say the same. */
function details(b: Bar, timeZone: string): { label: string; value: string }[] {
  return [
    { label: 'Phase', value: phaseWord(b.phase) },
    { label: b.kind === 'planned' ? 'Planned from' : 'Started', value: time(b.start, timeZone) },
    { label: b.kind === 'planned' ? 'Planned until' : 'Ended', value: b.end ? time(b.end, timeZone) : 'still running' },
    { label: 'By', value: b.kind === 'planned' ? 'not run yet' : (b.actor ?? 'the deploy mark') },
    { label: 'Outcome', value: outcomeWord(b) },
    ...(b.detail ? [{ label: 'What happened', value: b.detail }] : []),
  ];
}

/**
 * The week, Monday to Friday wide and a quiet weekend narrow: one lane per migration, what ran
 * solid in its outcome's colour above what is still planned (dashed), the buffer before the
 * contract as a band and a red line at now. Each bar opens its details on a tap. Server-rendered
 * but for the one details popover; links and a plain form move between weeks and filter.
 */
export function WeekTimeline({
  layout,
  timeZone,
  week,
  prevWeek,
  nextWeek,
  thisWeek,
  filter,
  tables,
  rules,
  shown,
}: {
  layout: WeekLayout;
  timeZone: string;
  week: string;
  prevWeek: string;
  nextWeek: string;
  thisWeek: string;
  filter: TimelineFilter;
  tables: string[];
  rules: ScheduleRules;
  /** How many migrations the filter let through, of how many. */
  shown: { of: number; kept: number };
}) {
  const keep = (w: string) => {
    const q = new URLSearchParams({ week: w });
    if (filter.who !== 'all') q.set('who', filter.who);
    if (filter.table) q.set('table', filter.table);
    return `/?${q}`;
  };
  const grid = dayGrid(layout.columns);
  return (
    <section className="space-y-3" data-testid="timeline" aria-label="Migrations this week">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">
          Week of {week} <span className="text-sm font-normal text-slate-600">(times in {timeZone})</span>
        </h1>
        <nav className="flex flex-wrap items-center gap-3 text-sm" aria-label="Weeks">
          <Link href={keep(prevWeek)} className="underline">
            ← previous
          </Link>
          <Link href={keep(thisWeek)} className="underline">
            this week
          </Link>
          <Link href={keep(nextWeek)} className="underline">
            next →
          </Link>
        </nav>
      </div>
      {/* Keyed by what it shows: moving between weeks by link must not leave the old week in its fields. */}
      <form
        key={`${week} ${filter.who} ${filter.table ?? ''}`}
        method="get"
        className="flex flex-wrap items-end gap-3 text-sm"
        aria-label="Filter the timeline"
        data-testid="timeline-filter"
      >
        <label className="flex flex-col">
          <span className="text-xs text-slate-600">Week of</span>
          <input type="date" name="week" defaultValue={week} className="rounded border border-slate-300 px-1 py-0.5" />
        </label>
        <label className="flex flex-col">
          <span className="text-xs text-slate-600">Show</span>
          <select name="who" defaultValue={filter.who} className="rounded border border-slate-300 px-1 py-0.5">
            <option value="all">every migration</option>
            <option value="mine">mine</option>
            <option value="waiting">waiting on me</option>
          </select>
        </label>
        <label className="flex flex-col">
          <span className="text-xs text-slate-600">Table</span>
          <select name="table" defaultValue={filter.table ?? ''} className="max-w-48 rounded border border-slate-300 px-1 py-0.5">
            <option value="">every table</option>
            {tables.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="rounded border border-slate-300 bg-white px-3 py-1">
          Show
        </button>
        {shown.kept < shown.of && (
          <span className="text-xs text-slate-600" data-testid="filter-count">
            {shown.kept} of {shown.of} migrations ·{' '}
            <Link href={`/?week=${week}`} className="underline">
              show all
            </Link>
          </span>
        )}
      </form>
      <div>
        <div>
          <div className="relative h-6 text-xs text-slate-600 sm:ml-48">
            {layout.columns.map((c) => (
              <div
                key={c.label}
                className={`absolute top-0 truncate border-l border-slate-200 pl-1 ${c.collapsed ? 'text-slate-400' : ''}`}
                style={{ left: pct(c.left), width: pct(c.width) }}
                title={c.label}
              >
                {c.collapsed ? (
                  c.label.slice(0, 2)
                ) : (
                  <>
                    {/* "Mon 23" on a phone, "Mon 23 Nov" where there is room. */}
                    <span className="sm:hidden">{c.label.split(' ').slice(0, 2).join(' ')}</span>
                    <span className="hidden sm:inline">{c.label}</span>
                  </>
                )}
              </div>
            ))}
          </div>
          {layout.lanes.length === 0 && (
            <p className="py-6 text-sm text-slate-600">
              {shown.kept < shown.of ? 'Nothing this week matches the filter.' : 'Nothing planned or running this week.'}
            </p>
          )}
          {layout.lanes.map((lane) => (
            <div
              key={lane.id}
              className="flex flex-col border-t border-slate-100 sm:flex-row sm:items-stretch"
              data-testid="timeline-lane"
              data-migration={lane.id}
            >
              {/* On a phone the title sits above its lane, so the week keeps the screen's whole width. */}
              <div className="shrink-0 pt-2 pr-2 text-sm sm:w-48 sm:py-2">
                <Link href={`/migrations/${lane.id}`} className="font-medium hover:underline">
                  {lane.title}
                </Link>
                <div className="text-xs text-slate-600">
                  #{lane.id} · {stateWord(lane.status)}
                  {lane.seeded && <span className="ml-1 rounded bg-slate-200 px-1">seeded history</span>}
                </div>
                {lane.clashes.length > 0 && (
                  <div className="mt-1 text-xs font-medium text-red-800" data-testid="conflict">
                    {describeClashes(lane.clashes).map((line) => (
                      <div key={line}>⚠ {line}</div>
                    ))}
                  </div>
                )}
              </div>
              <div className="relative w-full shrink-0 sm:w-auto sm:flex-1" style={{ height: `${lane.rows * ROW_PX + 8}px` }}>
                <Link href={`/migrations/${lane.id}`} className="absolute inset-0" aria-label={`Open migration #${lane.id}`} tabIndex={-1} />
                <div aria-hidden className="pointer-events-none absolute inset-0" style={{ backgroundImage: grid }} data-testid="day-grid" />
                {lane.buffer && (
                  <div
                    aria-hidden
                    className="pointer-events-none absolute inset-y-1 bg-indigo-100/70"
                    style={{ left: pct(lane.buffer.left), width: pct(lane.buffer.width) }}
                    data-testid="buffer"
                  />
                )}
                {lane.bars.map((b, i) => (
                  <PhaseBar key={i} bar={b} anchor={`--bar-${lane.id}-${i}`} timeZone={timeZone} />
                ))}
                {layout.now !== null && (
                  <div
                    aria-label="now"
                    className="pointer-events-none absolute inset-y-0 w-0.5 bg-red-600"
                    style={{ left: pct(layout.now) }}
                    data-testid="now-line"
                  />
                )}
              </div>
            </div>
          ))}
          <ul className="mt-3 flex flex-wrap gap-4 text-xs text-slate-700" aria-label="Legend">
            {(['planned', 'running', 'succeeded', 'failed', 'undone'] as const).map((tone) => (
              <li key={tone} className="flex items-center gap-1">
                <span className={`inline-block h-3 w-6 rounded ${TONE_CLASS[tone]}`} /> {tone === 'undone' ? 'rollback' : OUTCOME[tone]}
              </li>
            ))}
            <li className="flex items-center gap-1">
              <span className="inline-block h-3 w-6 bg-indigo-100" /> buffer before contract
            </li>
            <li className="flex items-center gap-1">
              <span className="inline-block h-3 w-0.5 bg-red-600" /> now
            </li>
            <li>Tap a bar for its times, who ran it and how it ended.</li>
          </ul>
          <BarDetailsPopover />
        </div>
      </div>
      <details className="rounded border border-slate-200 bg-white p-3 text-sm" data-testid="schedule-rules">
        <summary className="cursor-pointer font-medium">How new migrations are scheduled</summary>
        <ul className="mt-2 list-disc space-y-1 pl-5 text-slate-700">
          {describeScheduleRules(rules).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
        <p className="mt-2 text-xs text-slate-600">
          Team settings, changed by admins on the Admin page; the author of a migration can move its phases on its page.
        </p>
        <p className="mt-1 text-xs text-slate-600" data-testid="calendar-feed-hint">
          In your calendar: subscribe to <code className="font-mono">{CALENDAR_FEED_PATH}?token=…</code> with a calendar token, which an admin creates on the
          Admin page. It lists every planned and every run phase, and refreshes every 15 minutes.
        </p>
      </details>
    </section>
  );
}

/**
 * One phase: a button whose tooltip says what it was, when, who ran it and how it ended, and which
 * opens the same words as details (BarDetailsPopover) on a tap; its name inside, beside it, or
 * (when there is no room) only in the details.
 */
function PhaseBar({ bar: b, anchor, timeZone }: { bar: Bar; anchor: string; timeZone: string }) {
  const lines = details(b, timeZone);
  const name = phaseWord(b.phase);
  return (
    <button
      type="button"
      aria-haspopup="dialog"
      aria-controls="bar-details"
      data-testid="timeline-bar"
      data-phase={b.phase}
      data-kind={b.kind}
      data-status={b.status}
      data-tone={b.tone}
      data-label={b.label}
      className={`absolute h-6 rounded px-1 text-left text-[11px] leading-6 whitespace-nowrap ${TONE_CLASS[b.tone]}`}
      style={{ left: pct(b.left), width: pct(b.width), minWidth: `${MIN_BAR_PX}px`, top: `${4 + b.row * ROW_PX}px`, anchorName: anchor } as React.CSSProperties}
      title={lines.map((l) => `${l.label}: ${l.value}`).join('\n')}
      aria-label={`${name}, ${outcomeWord(b)}: details`}
    >
      {b.label === 'inside' && name}
      {(b.label === 'after' || b.label === 'before') && (
        <span data-testid="bar-label" className={`pointer-events-none absolute top-0 px-1 text-slate-800 ${b.label === 'after' ? 'left-full' : 'right-full'}`}>
          {name}
        </span>
      )}
    </button>
  );
}
