import ical, { type VEvent } from 'node-ical';
import { describe, expect, it } from 'vitest';
import { calendarFeed, calendarFeedUrl, FEED_WINDOW, type FeedMigration, requestOrigin } from './calendar-feed';

const NOW = new Date('2026-12-02T09:00:00Z'); // a Wednesday
const at = (iso: string) => new Date(iso);
const ORIGIN = 'https://dash.example.com';

/** Next week's default rhythm: expand Mon 10:00, deploy Mon 14:00, monitor from Tue, contract Fri 10:00. */
const nextWeek = {
  expandAt: at('2026-12-07T10:00:00Z'),
  deployAt: at('2026-12-07T14:00:00Z'),
  monitorFrom: at('2026-12-08T00:00:00Z'),
  contractAt: at('2026-12-11T10:00:00Z'),
};
const migration = (over: Partial<FeedMigration>): FeedMigration => ({
  id: 3,
  title: 'Rename public.leads.user_email to contact_email',
  status: 'planned',
  schedule: nextWeek,
  actual: [],
  ...over,
});

/** The feed as a calendar app reads it: parsed by node-ical, events only. */
function parse(text: string): VEvent[] {
  return Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c?.type === 'VEVENT');
}
const of = (events: VEvent[], id: number) => events.filter((e) => String(e.summary).endsWith(`(#${id})`));
const summaries = (events: VEvent[]) => events.map((e) => String(e.summary)).sort();

describe('calendarFeed', () => {
  it('gives a planned migration its four phases, at the times of its schedule, each linking to its page', () => {
    const events = parse(calendarFeed([migration({})], NOW, ORIGIN));
    expect(summaries(events)).toEqual([
      'Contract: Rename public.leads.user_email to contact_email (#3)',
      'Deploy: Rename public.leads.user_email to contact_email (#3)',
      'Expand: Rename public.leads.user_email to contact_email (#3)',
      'Monitor: Rename public.leads.user_email to contact_email (#3)',
    ]);
    const contract = events.find((e) => String(e.summary).startsWith('Contract'))!;
    expect(contract.start.getTime()).toBe(nextWeek.contractAt.getTime());
    const monitor = events.find((e) => String(e.summary).startsWith('Monitor'))!;
    // The watch spans the days up to the contract, not one hour of Tuesday.
    expect([monitor.start.getTime(), monitor.end!.getTime()]).toEqual([nextWeek.monitorFrom.getTime(), nextWeek.contractAt.getTime()]);
    expect(String(contract.description)).toContain('Status: planned.');
    expect(String(contract.description)).toContain('https://dash.example.com/migrations/3');
    // node-ical keeps URL;VALUE=URI as { params, val }.
    expect(contract.url as unknown).toMatchObject({ val: 'https://dash.example.com/migrations/3' });
    // Tentative and free: a plan, and no reason to look busy all week.
    expect(contract.status).toBe('TENTATIVE');
    expect(contract.transparency).toBe('TRANSPARENT');
  });

  it('names the calendar and asks calendar apps to refresh every 15 minutes', () => {
    const text = calendarFeed([], NOW, ORIGIN);
    expect(text).toMatch(/^X-WR-CALNAME:Expand\/Contract migrations\r$/m);
    expect(text).toMatch(/^REFRESH-INTERVAL;VALUE=DURATION:PT15M\r$/m);
    expect(text).toMatch(/^X-PUBLISHED-TTL:PT15M\r$/m);
    expect(parse(text)).toEqual([]);
  });

  it('keeps every UID across two builds, and a UID per migration, phase and kind', () => {
    const all = [migration({}), migration({ id: 4, title: 'Drop users.legacy_field' })];
    const first = parse(calendarFeed(all, NOW, ORIGIN)).map((e) => e.uid);
    const second = parse(calendarFeed(all, new Date(NOW.getTime() + 3_600_000), ORIGIN)).map((e) => e.uid);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(8);
    expect(first).toContain('3-contract-planned@dash.example.com');
  });

  it('replaces a planned phase that ran with what ran, outcome included', () => {
    const events = parse(
      calendarFeed(
        [
          migration({
            status: 'expanded',
            schedule: { ...nextWeek, expandAt: at('2026-11-30T10:00:00Z'), deployAt: at('2026-11-30T14:00:00Z') },
            actual: [
              { phase: 'expand', start: at('2026-11-30T10:00:00Z'), end: at('2026-11-30T10:00:05Z'), status: 'failed' },
              { phase: 'expand', start: at('2026-11-30T10:30:00Z'), end: at('2026-11-30T10:30:04Z'), status: 'succeeded' },
              { phase: 'backfill', start: at('2026-11-30T10:31:00Z'), end: null, status: 'running' },
            ],
          }),
        ],
        NOW,
        ORIGIN,
      ),
    );
    expect(summaries(events)).toEqual([
      'Backfill running: Rename public.leads.user_email to contact_email (#3)',
      'Contract: Rename public.leads.user_email to contact_email (#3)',
      'Deploy: Rename public.leads.user_email to contact_email (#3)',
      'Expand failed: Rename public.leads.user_email to contact_email (#3)',
      'Expand succeeded: Rename public.leads.user_email to contact_email (#3)',
      'Monitor: Rename public.leads.user_email to contact_email (#3)',
    ]);
    const running = events.find((e) => String(e.summary).startsWith('Backfill'))!;
    // Still running: it lasts until now on the calendar.
    expect(running.end!.getTime()).toBe(NOW.getTime());
    expect(String(running.description)).toContain('Status: expanded.');
  });

  it('shows no planned phase of a finished or cancelled migration, only what ran', () => {
    const ran = { phase: 'contract' as const, start: at('2026-11-27T10:00:00Z'), end: at('2026-11-27T10:01:00Z'), status: 'succeeded' as const };
    const events = parse(
      calendarFeed(
        [
          migration({ id: 5, status: 'cancelled' }),
          migration({ id: 6, status: 'contracted', actual: [ran] }),
          migration({ id: 7, status: 'rolled_back' }),
          migration({ id: 8, status: 'restored' }),
        ],
        NOW,
        ORIGIN,
      ),
    );
    expect(summaries(events)).toEqual(['Contract succeeded: Rename public.leads.user_email to contact_email (#6)']);
  });

  it('leaves out what ended more than four weeks ago or starts more than twelve weeks ahead', () => {
    const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);
    const old = { phase: 'expand' as const, start: days(-FEED_WINDOW.pastDays - 2), end: days(-FEED_WINDOW.pastDays - 1), status: 'succeeded' as const };
    const recent = { phase: 'backfill' as const, start: days(-FEED_WINDOW.pastDays + 1), end: days(-FEED_WINDOW.pastDays + 1.1), status: 'succeeded' as const };
    const far = { expandAt: days(90), deployAt: days(90.2), monitorFrom: days(91), contractAt: days(94) };
    const events = parse(calendarFeed([migration({ id: 9, status: 'backfilled', actual: [old, recent] }), migration({ id: 10, schedule: far })], NOW, ORIGIN));
    expect(of(events, 10)).toEqual([]);
    // The planned phases of #9 stay: its schedule is next week.
    expect(summaries(of(events, 9))).toContain('Backfill succeeded: Rename public.leads.user_email to contact_email (#9)');
    expect(summaries(of(events, 9)).some((s) => s.startsWith('Expand succeeded'))).toBe(false);
  });
});

describe('feed URLs', () => {
  it('puts the token in the query, encoded', () => {
    expect(calendarFeedUrl('http://127.0.0.1:3000', 'ec_a-b_c')).toBe('http://127.0.0.1:3000/api/v1/calendar.ics?token=ec_a-b_c');
  });

  it('uses the proxy’s public host and scheme when it forwards them, the request’s own otherwise', () => {
    const headers = (h: Record<string, string>) => (name: string) => h[name] ?? null;
    expect(
      requestOrigin(headers({ host: '10.0.0.5:3000', 'x-forwarded-host': 'dash.example.com', 'x-forwarded-proto': 'https' }), 'http://10.0.0.5:3000/x'),
    ).toBe('https://dash.example.com');
    expect(requestOrigin(headers({ host: '127.0.0.1:3000' }), 'http://127.0.0.1:3000/api/v1/calendar.ics')).toBe('http://127.0.0.1:3000');
  });
});
