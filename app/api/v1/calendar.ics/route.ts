import { guardedRoute } from '@/lib/auth/guarded-route';
import { markGuarded } from '@/lib/auth/guarded-action';
import { withQueryToken } from '@/lib/auth/api-tokens';
import { statePool } from '@/lib/db/pools';
import { getTimeline } from '@/lib/data/get-timeline';
import { calendarFeed, requestOrigin } from '@/lib/timeline/calendar-feed';

/**
 * The team's migrations as a calendar to subscribe to: GET /api/v1/calendar.ics?token=<calendar
 * token> (or `Authorization: Bearer`). Read-only, and only a calendar token opens it; any other,
 * revoked or missing token is 401. The path ends in .ics because some calendar apps judge a
 * subscription URL by its ending, and it names the file a browser saves.
 */
const feed = guardedRoute({ token: 'calendar' }, async (request) => {
  const now = new Date();
  const { migrations } = await getTimeline(statePool(), now);
  const origin = requestOrigin((name) => request.headers.get(name), request.url);
  return new Response(calendarFeed(migrations, now, origin), {
    headers: {
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': 'inline; filename="expand-contract.ics"',
      // The token is in the URL: no shared cache may keep what it opened.
      'cache-control': 'private, no-store',
    },
  });
});

// Calendar apps cannot send headers: the token in the query is checked by the same guard.
export const GET = markGuarded((request: Request) => feed(withQueryToken(request)), 'token:calendar');
