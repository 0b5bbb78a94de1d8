import { describe, expect, it } from 'vitest';
import { findBrownoutBreaks, mergeBreaks, namesColumn, type BrownoutBreak } from './brownout-breaks';

const filter = { database: 'app', column: 'user_email', ownApplicationPrefix: 'expand-contract' };
/** One jsonlog line as PostgreSQL writes it. */
const line = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    timestamp: '2026-12-03 02:20:36.123 UTC',
    user: 'app_rw',
    dbname: 'app',
    pid: 4242,
    error_severity: 'ERROR',
    state_code: '42703',
    message: 'column "user_email" does not exist',
    statement: 'SELECT user_email FROM leads WHERE id = $1',
    application_name: 'web-v1',
    backend_type: 'client backend',
    ...over,
  }) + '\n';

describe('what broke during a brownout, from the Postgres log', () => {
  it('a query naming the column: the statement, who ran it, when', () => {
    expect(findBrownoutBreaks(line(), filter).breaks).toEqual([
      {
        at: '2026-12-03T02:20:36.123Z',
        source: 'log',
        sqlstate: '42703',
        message: 'column "user_email" does not exist',
        query: 'SELECT user_email FROM leads WHERE id = $1',
        application: 'web-v1',
        role: 'app_rw',
        count: 1,
      },
    ]);
  });

  it('inside a function: the call and the statement in it; in a DO block: the block with where it failed', () => {
    const fn = line({
      statement: 'SELECT nightly_count()',
      internal_query: "SELECT count(*) FROM leads WHERE user_email LIKE '%x'",
      context: 'PL/pgSQL function nightly_count() line 1 at SQL statement',
      application_name: 'nightly-report',
    });
    const block = line({
      statement: 'DO $$ BEGIN PERFORM user_email FROM leads LIMIT 1; END $$',
      context: 'PL/pgSQL function inline_code_block line 1 at PERFORM',
      message: 'column "user_email" does not exist',
      application_name: 'cron',
    });
    const { breaks } = findBrownoutBreaks(fn + block, filter);
    expect(breaks.map((b) => b.query)).toEqual([
      "SELECT nightly_count() (in: SELECT count(*) FROM leads WHERE user_email LIKE '%x')",
      'DO $$ BEGIN PERFORM user_email FROM leads LIMIT 1; END $$ (in: PL/pgSQL function inline_code_block line 1 at PERFORM)',
    ]);
    // A sync function that still named the old column would say so the PL/pgSQL way.
    expect(findBrownoutBreaks(line({ message: 'record "new" has no field "user_email"' }), filter).breaks).toHaveLength(1);
  });

  it.each([
    ['another database', { dbname: 'other' }],
    ["the product's own sessions", { application_name: 'expand-contract-brownout-watch' }],
    ['another SQLSTATE', { state_code: '42P01', message: 'relation "user_email" does not exist' }],
    ['a LOG line', { error_severity: 'LOG' }],
    ['another column with a longer name', { message: 'column "user_email2" does not exist' }],
    ['another column ending in the name', { message: 'column "old_user_email" does not exist' }],
  ])('is not a break: %s', (_name, over) => {
    expect(findBrownoutBreaks(line(over), filter).breaks).toEqual([]);
  });

  it.each([
    ['a numeric log_timezone', '2026-12-03 03:20:36.123 +01', '2026-12-03T02:20:36.123Z'],
    ['a half-hour one', '2026-12-03 07:50:36.123 +05:30', '2026-12-03T02:20:36.123Z'],
    // A zone name is ambiguous (CST is three zones): the time the line was read, a moment after it was written.
    ['a zone name', '2026-12-03 03:20:36.123 CET', '2026-12-03T02:20:37.000Z'],
    ['an unreadable time', 'yesterday', '2026-12-03T02:20:37.000Z'],
  ])('is still a break with %s, at the right time', (_name, timestamp, at) => {
    const breaks = findBrownoutBreaks(line({ timestamp }), { ...filter, readAt: new Date('2026-12-03T02:20:37Z') }).breaks;
    expect(breaks.map((b) => b.at)).toEqual([at]);
  });

  it('groups like breaks with a count, leaves a partial line for the next read, and skips a line that is not JSON', () => {
    const whole = line() + line() + 'not json\n' + line({ application_name: 'web-ü' });
    const partial = line({ application_name: 'late' }).slice(0, 40);
    const { breaks, consumedBytes } = findBrownoutBreaks(whole + partial, filter);
    expect(breaks.map((b) => [b.application, b.count])).toEqual([
      ['web-v1', 2],
      ['web-ü', 1],
    ]);
    expect(consumedBytes).toBe(Buffer.byteLength(whole));
    expect(findBrownoutBreaks(partial, filter)).toEqual({ breaks: [], consumedBytes: 0 });
  });

  it('names a column the way Postgres quotes it, and no other', () => {
    expect(namesColumn('column t.user_email does not exist', 'user_email')).toBe(true);
    expect(namesColumn('column "Mixed Case" does not exist', 'Mixed Case')).toBe(true);
    expect(namesColumn('column "user_emails" does not exist', 'user_email')).toBe(false);
    expect(namesColumn('column "a.b" does not exist', 'a.b')).toBe(true);
    expect(namesColumn('column "axb" does not exist', 'a.b')).toBe(false);
  });

  it('merges what a later read found: counts of like breaks add up, different ones stay apart', () => {
    const kept: BrownoutBreak[] = findBrownoutBreaks(line(), filter).breaks;
    const merged = mergeBreaks(kept, findBrownoutBreaks(line() + line({ application_name: 'worker' }), filter).breaks);
    expect(merged.map((b) => [b.application, b.count])).toEqual([
      ['web-v1', 2],
      ['worker', 1],
    ]);
    expect(kept[0]!.count).toBe(1);
  });
});
