import type { Schedule } from './propose-schedule';
import { weekDays } from './team-week';

export type TimelinePhase = 'expand' | 'backfill' | 'deploy' | 'monitor' | 'contract' | 'rollback' | 'restore';
export type BarStatus = 'planned' | 'running' | 'succeeded' | 'failed';

export interface TimelineMigration {
  id: number;
  title: string;
  /** schema.table: two open changes of one table in the same week are a conflict. */
  table: string | null;
  status: string;
  schedule: Schedule | null;
  /** What ran, from the phase history (deploy and monitor derived from the deploy mark). */
  actual: { phase: TimelinePhase; start: Date; end: Date | null; status: Exclude<BarStatus, 'planned'> }[];
  seeded?: boolean;
}

export interface Bar {
  phase: TimelinePhase;
  kind: 'planned' | 'actual';
  status: BarStatus;
  start: Date;
  end: Date;
  /** Position on the week axis, in percent of its width. */
  left: number;
  width: number;
}

export interface Lane {
  id: number;
  title: string;
  status: string;
  seeded: boolean;
  bars: Bar[];
  /** The buffer between the planned deploy and contract, as a band. */
  buffer: { left: number; width: number } | null;
  conflictWith: number[];
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
 * Places every migration's planned and actual phases on a Monday-to-Sunday axis in the
 * team's time zone. Pure: the page draws what this returns.
 */
export function layoutWeek(monday: Date, timeZone: string, now: Date, all: TimelineMigration[]): WeekLayout {
  // A cancelled plan never ran and never will: it leaves the week (its page keeps the record).
  const migrations = all.filter((m) => m.status !== 'cancelled');
  const days = weekDays(monday, timeZone);
  const weekEnd = days[6]!.end;
  const planned = (m: TimelineMigration): { phase: TimelinePhase; start: Date; end: Date }[] =>
    m.schedule
      ? [
          { phase: 'expand', start: m.schedule.expandAt, end: new Date(m.schedule.expandAt.getTime() + 3_600_000) },
          { phase: 'deploy', start: m.schedule.deployAt, end: new Date(m.schedule.deployAt.getTime() + 3_600_000) },
          { phase: 'monitor', start: m.schedule.monitorFrom, end: m.schedule.contractAt },
          { phase: 'contract', start: m.schedule.contractAt, end: new Date(m.schedule.contractAt.getTime() + 3_600_000) },
        ]
      : [];
  const actual = (m: TimelineMigration) => m.actual.map((a) => ({ ...a, end: a.end ?? now }));
  const inWeek = (s: Date, e: Date) => e.getTime() > monday.getTime() && s.getTime() < weekEnd.getTime();

  // A weekend day opens up when any bar touches it.
  const busy = (d: (typeof days)[number]) =>
    migrations.some((m) => [...planned(m), ...actual(m)].some((b) => b.end.getTime() > d.start.getTime() && b.start.getTime() < d.end.getTime()));
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
  const bar = (b: { phase: TimelinePhase; start: Date; end: Date }, kind: Bar['kind'], status: BarStatus): Bar => {
    const l = position(b.start);
    return { ...b, kind, status, left: l, width: Math.max(0.4, position(b.end) - l) };
  };

  const lanes: Lane[] = migrations
    .filter((m) => [...planned(m), ...actual(m)].some((b) => inWeek(b.start, b.end)))
    .map((m) => ({
      id: m.id,
      title: m.title,
      status: m.status,
      seeded: !!m.seeded,
      bars: [
        ...planned(m)
          .filter((b) => inWeek(b.start, b.end))
          .map((b) => bar(b, 'planned', 'planned')),
        ...actual(m)
          .filter((b) => inWeek(b.start, b.end))
          .map((b) => bar(b, 'actual', b.status)),
      ],
      buffer:
        m.schedule && inWeek(m.schedule.deployAt, m.schedule.contractAt)
          ? (() => {
              const l = position(m.schedule!.deployAt);
              return { left: l, width: position(m.schedule!.contractAt) - l };
            })()
          : null,
      conflictWith: [],
    }));
  // Two open changes of the same table in one week step on each other's triggers and backfills.
  const open = (status: string) => !['contracted', 'rolled_back', 'restored'].includes(status);
  for (const a of lanes) {
    const ma = migrations.find((m) => m.id === a.id)!;
    for (const b of lanes) {
      const mb = migrations.find((m) => m.id === b.id)!;
      if (a.id !== b.id && ma.table && ma.table === mb.table && open(ma.status) && open(mb.status)) a.conflictWith.push(b.id);
    }
  }
  const nowInWeek = now.getTime() >= monday.getTime() && now.getTime() < weekEnd.getTime();
  return { columns, lanes, now: nowInWeek ? position(now) : null };
}
