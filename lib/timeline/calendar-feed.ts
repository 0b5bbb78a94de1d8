import ical, { ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import { stateWord } from '../lifecycle/migration-states';
import type { Schedule } from './propose-schedule';

import { CALENDAR_FEED_PATH } from './calendar-feed-path';
import { isOpen } from './schedule-windows';

export const CALENDAR_NAME = 'Expand/Contract migrations';

/**
 * What the feed covers, around now. Four weeks back keeps the last sprint's runs for a
 * retrospective; twelve weeks ahead is a quarter of plans, more than any schedule reaches (the
 * default is next week), while the whole file stays small: calendar apps download all of it on
 * every refresh.
 */
export const FEED_WINDOW = { pastDays: 28, futureDays: 84 } as const;

/** How often a calendar app is asked to refresh: plans move, and a stale Friday contract misleads. */
export const FEED_REFRESH_SECONDS = 15 * 60;

/**
 * Whether a migration's plan is still shown. Open changes are (the lifecycle's rule, as on the
 * timeline), except a restored one: its contract was taken back, and a new contract is a new
 * decision, not the old slot, so the feed shows none of its old plan (what ran still is).
 */
const showsPlan = (status: string) => isOpen(status) && status !== 'restored';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * What the feed reads of a migration: the timeline's own shape (lib/data/get-timeline.ts), named
 * here by the fields it uses, so the timeline can grow fields without touching the feed.
 */
export interface FeedMigration {
  id: number;
  title: string;
  status: string;
  schedule: Schedule | null;
  actual: { phase: string; start: Date; end: Date | null; status: 'running' | 'succeeded' | 'failed' }[];
}

type PlannedPhase = 'expand' | 'deploy' | 'monitor' | 'contract';

/** "Contract" for a summary; any phase the timeline adds reads the same way. */
const phaseWord = (phase: string) => phase.charAt(0).toUpperCase() + phase.slice(1);

/** A planned phase in a sentence: "Planned code deploy of migration #3". */
const PLANNED_WORD: Record<PlannedPhase, string> = { expand: 'expand', deploy: 'code deploy', monitor: 'monitoring window', contract: 'contract' };

export interface CalendarEvent {
  /** Stable across fetches (migration, phase, planned or which run), so a calendar updates the event instead of adding another. */
  uid: string;
  migrationId: number;
  phase: string;
  kind: 'planned' | 'actual';
  summary: string;
  description: string;
  start: Date;
  end: Date;
  url: string;
}

/** The feed's URL for a token, on the dashboard at `origin` (no trailing slash). */
export const calendarFeedUrl = (origin: string, token: string) => `${origin}${CALENDAR_FEED_PATH}?token=${encodeURIComponent(token)}`;

/**
 * The dashboard's address as the caller reached it: the proxy's forwarded host and scheme when
 * there is one, so links in a calendar open the page the team actually uses.
 */
export function requestOrigin(header: (name: string) => string | null, fallbackUrl: string): string {
  const fallback = new URL(fallbackUrl);
  const host = header('x-forwarded-host')?.split(',')[0]?.trim() || header('host') || fallback.host;
  const proto = header('x-forwarded-proto')?.split(',')[0]?.trim() || fallback.protocol.replace(/:$/, '');
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}

/**
 * One event per planned phase still to happen in an open migration (expand, deploy, the
 * monitoring window up to the contract, contract) and one per phase that actually ran. A planned
 * phase that has run gives way to what ran, so a calendar never shows the same expand twice; a
 * finished or cancelled migration shows only what ran. Only events overlapping the window.
 */
export function calendarEvents(migrations: FeedMigration[], now: Date, origin: string): CalendarEvent[] {
  const from = now.getTime() - FEED_WINDOW.pastDays * DAY;
  const to = now.getTime() + FEED_WINDOW.futureDays * DAY;
  const events: CalendarEvent[] = [];
  for (const m of migrations) {
    const url = `${origin}/migrations/${m.id}`;
    const name = `${m.title} (#${m.id})`;
    const status = `Status: ${stateWord(m.status)}.`;
    const ran = new Set<string>(m.actual.map((a) => a.phase));
    if (m.schedule && showsPlan(m.status)) {
      const s = m.schedule;
      const plan: [PlannedPhase, Date, Date][] = [
        ['expand', s.expandAt, new Date(s.expandAt.getTime() + HOUR)],
        ['deploy', s.deployAt, new Date(s.deployAt.getTime() + HOUR)],
        // The window the contract waits for: zero legacy reads, error rate at its baseline.
        ['monitor', s.monitorFrom, s.contractAt],
        ['contract', s.contractAt, new Date(s.contractAt.getTime() + HOUR)],
      ];
      for (const [phase, start, end] of plan) {
        if (ran.has(phase)) continue;
        events.push({
          uid: `${m.id}-${phase}-planned`,
          migrationId: m.id,
          phase,
          kind: 'planned',
          summary: `${phaseWord(phase)}: ${name}`,
          description: `Planned ${PLANNED_WORD[phase]} of migration #${m.id}, ${m.title}. ${status}\n${url}`,
          start,
          end,
          url,
        });
      }
    }
    for (const a of m.actual) {
      // Still running: it lasts at least until now, and a watch at least until the planned contract.
      const end = a.end ?? new Date(Math.max(now.getTime(), a.phase === 'monitor' && m.schedule ? m.schedule.contractAt.getTime() : 0));
      // A brownout that ended did not succeed or fail: it ran clean, or it was put back because something broke.
      const outcome = a.phase === 'brownout' && a.status !== 'running' ? (a.status === 'succeeded' ? 'clean' : 'reverted') : a.status;
      events.push({
        // The start tells two runs of one phase apart (an expand that failed, then succeeded) and never changes.
        uid: `${m.id}-${a.phase}-actual-${a.start.getTime()}`,
        migrationId: m.id,
        phase: a.phase,
        kind: 'actual',
        summary: `${phaseWord(a.phase)} ${outcome}: ${name}`,
        description: `${phaseWord(a.phase)} of migration #${m.id}, ${m.title}: ${outcome}. ${status}\n${url}`,
        start: a.start,
        end: end.getTime() > a.start.getTime() ? end : new Date(a.start.getTime() + 60_000),
        url,
      });
    }
  }
  return events.filter((e) => e.end.getTime() > from && e.start.getTime() < to);
}

/**
 * The feed as iCalendar text. Times are UTC, which every calendar app converts to its own zone
 * without needing a VTIMEZONE; events are transparent, so a four-day watch does not mark the team
 * busy all week.
 */
export function calendarFeed(migrations: FeedMigration[], now: Date, origin: string): string {
  const host = new URL(origin).host;
  const calendar = ical({
    name: CALENDAR_NAME,
    description: 'Scheduled and run phases of expand-contract schema changes',
    prodId: { company: 'Expand/Contract', product: 'calendar-feed', language: 'EN' },
    ttl: FEED_REFRESH_SECONDS,
    url: `${origin}/`,
  });
  for (const e of calendarEvents(migrations, now, origin)) {
    calendar.createEvent({
      // The host keeps two dashboards' migration #3 apart in one calendar.
      id: `${e.uid}@${host}`,
      summary: e.summary,
      description: e.description,
      start: e.start,
      end: e.end,
      stamp: now,
      url: e.url,
      status: e.kind === 'planned' ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
      transparency: ICalEventTransparency.TRANSPARENT,
    });
  }
  return calendar.toString();
}
