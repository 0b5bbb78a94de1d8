import type { Schedule } from './propose-schedule';
import { isOpen, scheduleClashes, type ScheduleClash, type ScheduledChange } from './schedule-windows';
import { weekDays } from './team-week';

export type TimelinePhase = 'expand' | 'backfill' | 'verify' | 'deploy' | 'monitor' | 'brownout' | 'contract' | 'rollback' | 'restore';
export type BarStatus = 'planned' | 'running' | 'succeeded' | 'failed';
/** How a bar is coloured: a rollback or restore that succeeded undid the change, so it is not drawn as one more success. */
export type BarTone = BarStatus | 'undone';

export interface TimelineMigration extends ScheduledChange {
  title: string;
  /** Who created it (the "mine" filter). */
  createdBy: string | null;
  schedule: Schedule | null;
  /** What ran, from the phase history (deploy and monitor derived from the deploy mark). */
  actual: { phase: TimelinePhase; start: Date; end: Date | null; status: Exclude<BarStatus, 'planned'>; actor: string | null; detail?: string }[];
  seeded?: boolean;
}

export interface Bar {
  phase: TimelinePhase;
  kind: 'planned' | 'actual';
  status: BarStatus;
  tone: BarTone;
  start: Date;
  /** Null while it runs: drawn to the now line. */
  end: Date | null;
  actor: string | null;
  /** What happened, in words, where the outcome's colour is not enough (a brownout's: clean, or what broke). */
  detail?: string;
  /** Position on the week axis, in percent of its width (drawn at least MIN_BAR_PX wide). */
  left: number;
  width: number;
  /** Which of the lane's rows: bars (with their labels) that would overlap go on separate rows. */
  row: number;
  /** Where its name goes: inside when it fits, beside it when there is room, else only in its details. */
  label: 'inside' | 'after' | 'before' | 'none';
}

export interface Lane {
  id: number;
  title: string;
  status: string;
  seeded: boolean;
  bars: Bar[];
  rows: number;
  /** The buffer between the deploy and the planned contract, as a band; only while the change is open. */
  buffer: { left: number; width: number } | null;
  /** Open changes of the same table (or column) whose windows overlap this one's. */
  clashes: ScheduleClash[];
}

export interface Column {
  label: string;
  start: Date;
  end: Date;
  weekend: boolean;
  /** Weekend days shrink to a sliver unless something happens on them. */
  collapsed: boolean;
  left: number;
  width: number;
}

export interface WeekLayout {
  columns: Column[];
  lanes: Lane[];
  /** The "now" line's position, when now is inside the week. */
  now: number | null;
}

const COLLAPSED = 3; // percent of the axis for a quiet weekend day
/**
 * The narrowest the week's axis is drawn (a 390 px phone, less the page's margins; titles sit above
 * the lanes there): rows and labels are packed for it, so nothing overlaps on a phone and a wide
 * screen has room to spare.
 */
export const AXIS_PX = 340;
/** Drawn no narrower than this (the page sets it as a CSS min-width, so it holds at any width). */
export const MIN_BAR_PX = 12;
const CHAR_PX = 6.4; // an 11 px sans-serif letter, on average
const LABEL_PAD_PX = 10;
const GAP_PX = 4;
const pct = (px: number) => (px / AXIS_PX) * 100;

/** The phase's name as a label; a bar whose name does not fit shows it beside it or in its details, never cut. */
export const phaseWord = (phase: TimelinePhase) => (phase === 'monitor' ? 'monitoring' : phase);

/**
 * Places every migration's phases on a Monday-to-Sunday axis in the team's time zone: what ran
 * where it ran, in its outcome's colour, and the plan only for what is still to come in an open
 * change. Pure: the page draws what this returns.
 */
export function layoutWeek(monday: Date, timeZone: string, now: Date, all: TimelineMigration[]): WeekLayout {
  // A cancelled plan never ran and never will: it leaves the week (its page keeps the record).
  const migrations = all.filter((m) => m.status !== 'cancelled');
  const days = weekDays(monday, timeZone);
  const weekEnd = days[6]!.end;
  const actual = (m: TimelineMigration) => m.actual.map((a) => ({ ...a, until: a.end ?? now }));
  const planned = (m: TimelineMigration): { phase: TimelinePhase; start: Date; until: Date }[] => {
    // A finished change has no plan left: it is drawn as it ran, and nothing of it lingers in later weeks.
    if (!m.schedule || !isOpen(m.status)) return [];
    const hour = (d: Date) => new Date(d.getTime() + 3_600_000);
    const ran = new Set(m.actual.filter((a) => a.status !== 'failed').map((a) => a.phase));
    const s = m.schedule;
    const plan: { phase: TimelinePhase; start: Date; until: Date }[] = [
      { phase: 'expand', start: s.expandAt, until: hour(s.expandAt) },
      { phase: 'deploy', start: s.deployAt, until: hour(s.deployAt) },
      { phase: 'monitor', start: s.monitorFrom, until: s.contractAt },
      { phase: 'contract', start: s.contractAt, until: hour(s.contractAt) },
    ];
    return plan.filter((p) => !ran.has(p.phase) && p.until.getTime() > p.start.getTime());
  };
  const inWeek = (s: Date, e: Date) => e.getTime() > monday.getTime() && s.getTime() < weekEnd.getTime();

  // A weekend day opens up when any bar touches it.
  const busy = (d: (typeof days)[number]) =>
    migrations.some((m) => [...planned(m), ...actual(m)].some((b) => b.until.getTime() > d.start.getTime() && b.start.getTime() < d.end.getTime()));
  const collapsed = days.map((d) => d.weekend && !busy(d));
  const openCount = collapsed.filter((c) => !c).length;
  const openWidth = (100 - COLLAPSED * (7 - openCount)) / openCount;
  let left = 0;
  const columns: Column[] = days.map((d, i) => {
    const width = collapsed[i] ? COLLAPSED : openWidth;
    const column = { ...d, collapsed: collapsed[i]!, left, width };
    left += width;
    return column;
  });
  const position = (t: Date): number => {
    if (t.getTime() <= monday.getTime()) return 0;
    if (t.getTime() >= weekEnd.getTime()) return 100;
    const c = columns.find((col) => t.getTime() < col.end.getTime())!;
    return c.left + (c.width * (t.getTime() - c.start.getTime())) / (c.end.getTime() - c.start.getTime());
  };

  const lanes: Lane[] = [];
  for (const m of migrations) {
    const drawn = [
      ...actual(m)
        .filter((b) => inWeek(b.start, b.until))
        .map((b) => ({ ...b, kind: 'actual' as const })),
      ...planned(m)
        .filter((b) => inWeek(b.start, b.until))
        .map((b) => ({ ...b, kind: 'planned' as const, status: 'planned' as const, end: b.until, actor: null })),
    ];
    if (drawn.length === 0) continue;
    const bars = packRows(
      drawn.map((b) => {
        const l = Math.min(position(b.start), 100 - pct(MIN_BAR_PX));
        const width = Math.max(0.1, position(b.until) - l);
        const undone = (b.phase === 'rollback' || b.phase === 'restore') && b.status === 'succeeded';
        return {
          phase: b.phase,
          kind: b.kind,
          status: b.status,
          tone: undone ? ('undone' as const) : b.status,
          start: b.start,
          end: b.end,
          actor: b.actor,
          ...('detail' in b && b.detail ? { detail: b.detail } : {}),
          left: l,
          width,
        };
      }),
    );
    const deployed = m.actual.find((a) => a.phase === 'deploy')?.start ?? m.schedule?.deployAt;
    const contracted = m.actual.some((a) => a.phase === 'contract' && a.status !== 'failed');
    const buffer =
      m.schedule && deployed && isOpen(m.status) && !contracted && m.schedule.contractAt > deployed && inWeek(deployed, m.schedule.contractAt)
        ? { left: position(deployed), width: position(m.schedule.contractAt) - position(deployed) }
        : null;
    lanes.push({
      id: m.id,
      title: m.title,
      status: m.status,
      seeded: !!m.seeded,
      bars,
      rows: Math.max(1, ...bars.map((b) => b.row + 1)),
      buffer,
      clashes: scheduleClashes(m, migrations),
    });
  }
  const nowInWeek = now.getTime() >= monday.getTime() && now.getTime() < weekEnd.getTime();
  return { columns, lanes, now: nowInWeek ? position(now) : null };
}

type Unplaced = Omit<Bar, 'row' | 'label'>;

/**
 * Puts each bar on the first row where it and its label overlap nothing, what ran above what is
 * planned. A label goes inside its bar when it fits at the narrowest axis, else after it (or
 * before it at the week's end); a bar with no room for either keeps its name in its details.
 */
function packRows(bars: Unplaced[]): Bar[] {
  const placed: Bar[] = [];
  const rowEnds: number[][] = [[], []]; // per kind: the right edge of each row so far
  const ordered = [...bars].sort((a, b) => (a.kind === b.kind ? a.left - b.left : a.kind === 'actual' ? -1 : 1));
  for (const b of ordered) {
    const text = pct(phaseWord(b.phase).length * CHAR_PX + LABEL_PAD_PX);
    const width = Math.max(b.width, pct(MIN_BAR_PX));
    const label: Bar['label'] = b.width >= text ? 'inside' : b.left + width + text <= 100 ? 'after' : b.left - text >= 0 ? 'before' : 'none';
    const from = label === 'before' ? b.left - text : b.left;
    const to = b.left + width + (label === 'after' ? text : 0) + pct(GAP_PX);
    const ends = rowEnds[b.kind === 'actual' ? 0 : 1]!;
    let row = ends.findIndex((end) => end <= from);
    if (row === -1) row = ends.push(to) - 1;
    else ends[row] = to;
    placed.push({ ...b, row, label });
  }
  // Planned rows sit under the actual ones.
  const actualRows = rowEnds[0]!.length;
  return placed.map((b) => (b.kind === 'planned' ? { ...b, row: b.row + actualRows } : b));
}
