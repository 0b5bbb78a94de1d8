import type { ClientBase } from 'pg';

type Queryable = Pick<ClientBase, 'query'>;

/** The team's time zone as set (settings 'team_time_zone'), or null when none was: health shows the difference. */
export async function teamTimeZoneSetting(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ tz: string }>("SELECT value #>> '{}' AS tz FROM expand_contract.settings WHERE key = 'team_time_zone'");
  return rows[0]?.tz ?? null;
}

/** The zone weeks, slots and chart ticks are read in: the team's, UTC when none was set. */
export async function teamTimeZone(db: Queryable): Promise<string> {
  return (await teamTimeZoneSetting(db)) ?? 'UTC';
}
