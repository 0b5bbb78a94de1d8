/**
 * The calendar feed's path, on its own: pages that only link to the feed need not load the feed's
 * iCalendar writer. The token rides in the query because calendar apps subscribe to a bare URL.
 */
export const CALENDAR_FEED_PATH = '/api/v1/calendar.ics';
