import type { TimelineMigration } from './week-layout';

export interface TimelineFilter {
  /** Every migration, those the person created, or those waiting on them (an approval or a phase only they may take now). */
  who: 'all' | 'mine' | 'waiting';
  /** One table, as schema.table. */
  table: string | null;
}

/** The page's search parameters as a filter; anything unknown is "no filter", never an error page. */
export function parseTimelineFilter(params: { who?: string; table?: string }): TimelineFilter {
  const who = params.who === 'mine' || params.who === 'waiting' ? params.who : 'all';
  return { who, table: params.table && params.table.length <= 300 ? params.table : null };
}

/** The migrations the filter keeps: `waiting` is the ids of what waits for the person (the home page's list). */
export function filterTimeline(migrations: TimelineMigration[], filter: TimelineFilter, person: { email: string; waiting: number[] }): TimelineMigration[] {
  return migrations.filter(
    (m) =>
      (filter.who === 'all' || (filter.who === 'mine' ? m.createdBy === person.email : person.waiting.includes(m.id))) &&
      (!filter.table || m.table === filter.table),
  );
}

/** The tables on the timeline, for the filter's list. */
export const timelineTables = (migrations: TimelineMigration[]): string[] =>
  [...new Set(migrations.map((m) => m.table).filter((t): t is string => !!t))].sort();
