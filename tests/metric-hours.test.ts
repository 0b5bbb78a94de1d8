import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../lib/db/transaction';
import { errorEvidence } from '../lib/signals/error-evidence';
import { ingestMetrics } from '../lib/signals/ingest-metrics';
import { pruneSignals } from '../lib/signals/prune-signals';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
beforeAll(async () => {
  w = await executorWorld('metric_hours');
});
afterAll(() => w.close());

const MIN = 60_000;
const HOUR = 60 * MIN;
// A fixed hour in the past, so every write below is a late point to the rollup as to the minutes.
const base = Date.UTC(2026, 10, 30, 8, 0);
let batch = 0;
const ingest = (service: string, points: { at: number; requests: number; errors: number; sqlstate?: string }[]) =>
  ingestMetrics(w.pool, service, {
    batchId: `b${(batch += 1)}`,
    points: points.map((p) => ({
      service,
      version: 'v1',
      timestamp: new Date(p.at).toISOString(),
      requests: p.requests,
      errors: p.errors,
      sqlstate: p.sqlstate,
    })),
  });

/** Rows of the rollup that differ from the minutes summed by hour, both ways: empty when exact. */
async function drift(): Promise<unknown[]> {
  const { rows } = await w.pool.query(`
    WITH truth AS (SELECT source, service, date_bin('1 hour', minute, '1970-01-01 00:00:00+00') AS hour, sqlstate,
                          sum(requests) AS requests, sum(errors) AS errors, count(*) AS minutes
                     FROM expand_contract.metric_minutes GROUP BY 1, 2, 3, 4),
         kept AS (SELECT source, service, hour, sqlstate, requests, errors, minutes FROM expand_contract.metric_hours)
    (SELECT 'missing' AS what, * FROM truth EXCEPT SELECT 'missing', * FROM kept)
    UNION ALL
    (SELECT 'extra', * FROM kept EXCEPT SELECT 'extra', * FROM truth)`);
  return rows;
}

const hourRows = async () => Number((await w.pool.query('SELECT count(*) FROM expand_contract.metric_hours')).rows[0].count);

describe('the hourly rollup of metric minutes', () => {
  it('stays equal to the minutes through new minutes, minutes added to, late points and several sqlstates', async () => {
    // Three hours of a minute every minute, then the same minutes again (the ON CONFLICT path), with errors by SQLSTATE.
    const minutes = Array.from({ length: 180 }, (_, i) => ({ at: base + i * MIN, requests: 100 + i, errors: i % 3 }));
    await ingest('web', minutes);
    await ingest(
      'web',
      minutes.filter((_, i) => i % 5 === 0).map((m) => ({ ...m, requests: 7 })),
    );
    await ingest('web', [{ at: base + 10 * MIN, requests: 0, errors: 4, sqlstate: '42703' }]);
    await ingest('api', [{ at: base + 61 * MIN, requests: 50, errors: 1 }]);
    expect(await drift()).toEqual([]);
    const { rows } = await w.pool.query<{ requests: string; minutes: string }>(
      "SELECT requests::text, minutes::text FROM expand_contract.metric_hours WHERE service = 'web' AND hour = $1 AND sqlstate = ''",
      [new Date(base)],
    );
    // 60 minutes of 100..159 requests, and 7 more in each of the 12 minutes sent twice.
    expect(rows[0]).toEqual({ requests: String(Array.from({ length: 60 }, (_, i) => 100 + i).reduce((a, b) => a + b) + 12 * 7), minutes: '60' });
  });

  it('stays exact with five batches of the same minutes stored at once, without a deadlock', async () => {
    const points = (k: number) => Array.from({ length: 120 }, (_, i) => ({ at: base + 3 * HOUR + ((i * 7 + k) % 120) * MIN, requests: 10, errors: 1 }));
    await Promise.all([1, 2, 3, 4, 5].map((k) => ingest('web', points(k))));
    expect(await drift()).toEqual([]);
    const { rows } = await w.pool.query("SELECT sum(requests)::int AS requests FROM expand_contract.metric_hours WHERE service = 'web' AND hour >= $1", [
      new Date(base + 3 * HOUR),
    ]);
    expect(rows[0].requests).toBe(5 * 120 * 10);
  });

  it('never deadlocks two pods of one service on different versions, each adding to one minute and opening the next', async () => {
    // Version and route are not in an hour's key: both pods' minutes add to the same hour rows, the
    // ones added to (the upsert's UPDATE pass) and the ones opened (its INSERT pass) in opposite orders.
    const start = base + 6 * HOUR;
    const pod = (version: string, m: number, first: string, second: string) =>
      ingestMetrics(w.pool, 'pods', {
        batchId: `pods-${version}-${m}`,
        points: [
          { service: 'pods', version, timestamp: new Date(start + m * MIN).toISOString(), requests: 10, errors: first ? 1 : 0, sqlstate: first },
          { service: 'pods', version, timestamp: new Date(start + (m + 1) * MIN).toISOString(), requests: 10, errors: second ? 1 : 0, sqlstate: second },
        ],
      });
    // Each pod's minute m exists (with the SQLSTATE it adds to next) before the two send at once.
    const open = (m: number) =>
      ingestMetrics(w.pool, 'pods', {
        batchId: `pods-open-${m}`,
        points: [
          { service: 'pods', version: 'v1', timestamp: new Date(start + m * MIN).toISOString(), requests: 1, errors: 1, sqlstate: '42703' },
          { service: 'pods', version: 'v2', timestamp: new Date(start + m * MIN).toISOString(), requests: 1, errors: 0, sqlstate: '' },
        ],
      });
    // A pause between the upsert's two passes (statement triggers fire by name: the rollup's UPDATE
    // pass, this, then its INSERT pass) makes the two meet there every time rather than by chance.
    await w.pool.query(`CREATE FUNCTION public.pause_between_passes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.2); RETURN NULL; END $$;
      CREATE TRIGGER metric_minutes_roll_up_update_zz_pause AFTER UPDATE ON expand_contract.metric_minutes
        FOR EACH STATEMENT EXECUTE FUNCTION public.pause_between_passes()`);
    const failures: string[] = [];
    try {
      for (let m = 0; m < 8; m += 1) {
        await open(m);
        const both = await Promise.allSettled([pod('v1', m, '42703', ''), pod('v2', m, '', '42703')]);
        for (const r of both) if (r.status === 'rejected') failures.push(`${(r.reason as { code?: string }).code}: ${(r.reason as Error).message}`);
      }
    } finally {
      await w.pool.query('DROP TRIGGER metric_minutes_roll_up_update_zz_pause ON expand_contract.metric_minutes; DROP FUNCTION public.pause_between_passes()');
    }
    expect(failures).toEqual([]);
    expect(await drift()).toEqual([]);
  });

  it('follows updates (even one that moves a minute to another hour), deletes and pruning, and drops an hour with its last minute', async () => {
    await w.pool.query("UPDATE expand_contract.metric_minutes SET requests = requests * 2 WHERE service = 'web' AND minute < $1", [new Date(base + 30 * MIN)]);
    await w.pool.query("UPDATE expand_contract.metric_minutes SET minute = minute + interval '10 hours' WHERE service = 'api'");
    expect(await drift()).toEqual([]);
    await w.pool.query("DELETE FROM expand_contract.metric_minutes WHERE service = 'web' AND minute >= $1 AND minute < $2", [
      new Date(base + 90 * MIN),
      new Date(base + 120 * MIN),
    ]);
    expect(await drift()).toEqual([]);
    const before = await hourRows();
    // Retention deletes everything before 09:15: 08:00's hour goes, 09:00's keeps 09:15 to 09:29.
    await pruneSignals(w.pool, { rawDays: 1000, minuteDays: (Date.now() - (base + 75 * MIN)) / 86_400_000 });
    expect(await drift()).toEqual([]);
    expect(await hourRows()).toBeLessThan(before);
    const left = await w.pool.query("SELECT min(hour) AS first FROM expand_contract.metric_hours WHERE service = 'web'");
    expect(left.rows[0].first.getTime()).toBe(base + HOUR);
  });

  it('is rebuilt exactly from the minutes a database already has when the schema change is applied', async () => {
    const file = path.resolve(import.meta.dirname, '..', 'supabase', 'migrations', '20261202030000_metric_hours.sql');
    await w.pool.query("UPDATE expand_contract.metric_hours SET requests = requests + 1 WHERE service = 'web'");
    expect((await drift()).length).toBeGreaterThan(0);
    await withTransaction(w.pool, async (client) => {
      await client.query(await fs.readFile(file, 'utf8'));
    });
    expect(await drift()).toEqual([]);
  });

  it('gives the gate the same sums as the minutes, for windows that start and end mid-hour', async () => {
    await w.pool.query('TRUNCATE expand_contract.metric_minutes');
    expect(await hourRows()).toBe(0);
    const day = Array.from({ length: 3 * 24 * 60 }, (_, i) => ({ at: base + i * MIN, requests: 50 + (i % 13), errors: i % 17 === 0 ? 3 : i % 2 }));
    for (let i = 0; i < day.length; i += 5000) await ingest('web', day.slice(i, i + 5000));
    await ingest('web', [{ at: base + 40 * HOUR + 7 * MIN, requests: 0, errors: 9, sqlstate: '23502' }]);
    expect(await drift()).toEqual([]);
    const phaseAt = new Date(base + 37 * HOUR + 23 * MIN + 17_000);
    const now = new Date(base + 50 * HOUR + 41 * MIN);
    const evidence = await errorEvidence(w.pool, 'unused-target', [{ phase: 'expand', at: phaseAt }], now);
    const web = evidence.phases[0]!.series.find((s) => s.service === 'web')!;
    const truth = async ([from, to]: [Date, Date]) =>
      (
        await w.pool.query<{ requests: number; errors: number }>(
          "SELECT sum(requests)::float8 AS requests, sum(errors)::float8 AS errors FROM expand_contract.metric_minutes WHERE service = 'web' AND minute >= $1 AND minute < $2",
          [from, to],
        )
      ).rows[0]!;
    for (const window of [web.baseline, web.after]) {
      // Each window is 13 h 18 min, starting and ending mid-hour: both hours and edge minutes count.
      expect(window.to.getTime() - window.from.getTime()).toBe(13 * HOUR + 18 * MIN);
      expect({ requests: window.requests, errors: window.errors }).toEqual(await truth([window.from, window.to]));
    }
    expect(web.after.bySqlstate).toEqual({ '23502': 9 });
  });
});
