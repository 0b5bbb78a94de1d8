import type { ClientBase } from 'pg';

/**
 * Locks (creating them empty where missing) the hourly rollup rows a write of metric minutes will
 * add to, in key order, before the write. The rollup's triggers then touch only rows the
 * transaction holds: without this, an upsert's UPDATE trigger and then its INSERT trigger each
 * lock hours in their own pass, and two writers of one service (two pods on different versions
 * share an hour's row) can take the same two hours in opposite orders, a deadlock.
 */
export async function lockMetricHours(
  client: ClientBase,
  source: 'app' | 'postgres',
  service: string,
  at: (string | Date)[],
  sqlstates: string[],
): Promise<void> {
  await client.query(
    `INSERT INTO expand_contract.metric_hours AS h (source, service, hour, sqlstate)
     SELECT DISTINCT $1, $2, date_bin('1 hour', p.at, '1970-01-01 00:00:00+00'), p.sqlstate
       FROM unnest($3::timestamptz[], $4::text[]) AS p (at, sqlstate)
      ORDER BY 1, 2, 3, 4
     ON CONFLICT (source, service, hour, sqlstate) DO UPDATE SET minutes = h.minutes`,
    [source, service, at, sqlstates],
  );
}
