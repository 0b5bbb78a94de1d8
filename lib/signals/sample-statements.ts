import type { ClientBase, Pool } from 'pg';
import { withTransaction } from '../db/transaction';
import { probeStatStatements } from '../db/probe-stat-statements';
import { counterKey, statementDeltas, type PreviousSample, type StatementCounter } from '../metrics/statement-deltas';
import { quoteQualified } from '../migrations/quote';
import { PRODUCT_MARKER } from '../migrations/sql-text';

export interface SampleResult {
  status: 'ok' | 'baseline' | 'error';
  /** pg_stat_statements.track on this server: with `top`, statements run inside functions are not counted. */
  track?: string | null;
  /** On a replica: how far its replay is behind the primary, in seconds (0 when it has replayed all it received). */
  lagSeconds?: number | null;
  statements: number;
  /** Statements with calls in this interval. */
  active: number;
  reset: boolean;
  error?: string;
}

interface Row {
  queryid: string;
  userid: number;
  role: string;
  calls: string;
  query: string;
  stats_since: Date | null;
}

export interface SampleOptions {
  now?: () => Date;
  /** Set when this server is a read replica of that target (its label): its reads count for that target. */
  primaryTarget?: string | null;
}

/** What the run saw of the server besides its statements: the track setting, and replay lag when it is a standby. */
async function serverFacts(target: ClientBase): Promise<{ track: string | null; lagSeconds: number | null }> {
  const { rows } = await target.query<{ track: string | null; lag: number | null }>(
    // Replay lag as "now minus the last replayed commit" grows on an idle standby that is fully caught
    // up; when it has replayed all it received, it is 0.
    `SELECT ${PRODUCT_MARKER} current_setting('pg_stat_statements.track', true) AS track,
            CASE WHEN NOT pg_is_in_recovery() THEN NULL
                 WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                 ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS lag`,
  );
  return { track: rows[0]?.track ?? null, lagSeconds: rows[0]?.lag ?? null };
}

/**
 * One sample of pg_stat_statements on the target: stores each statement's text once, its
 * calls since the previous sample per role, and the new cumulative counters. A failed
 * sample is recorded too, so "zero reads" is only claimed over time actually sampled.
 * Statements the product ran (marked with PRODUCT_MARKER) are left out.
 */
export async function sampleStatements(target: ClientBase, state: Pool, targetLabel: string, options: SampleOptions = {}): Promise<SampleResult> {
  const now = options.now ?? (() => new Date());
  const primaryTarget = options.primaryTarget ?? null;
  const status = await probeStatStatements(target).catch((e: Error) => ({ state: 'error' as const, fix: e.message }));
  if (status.state !== 'ready') {
    const error = `pg_stat_statements is ${status.state}: ${'fix' in status ? status.fix : ''}`;
    await state.query("INSERT INTO expand_contract.sampler_runs (target, status, error, primary_target) VALUES ($1, 'error', $2, $3)", [
      targetLabel,
      error,
      primaryTarget,
    ]);
    return { status: 'error', statements: 0, active: 0, reset: false, error };
  }
  const view = quoteQualified(status.schema, 'pg_stat_statements');
  const info = quoteQualified(status.schema, 'pg_stat_statements_info');
  // One after another: they share one connection, where pg queues concurrent queries anyway (and pg 9 refuses them).
  const { rows } = await target.query<Row>(
    // Nested statements too (track = all): code in functions and triggers uses columns as well.
    // With track = all one statement has two entries per role, run at top level and nested
    // (the toplevel column): summed into one counter, as the state database keys it.
    // A missing text (unreadable query file) is kept as '' and shown as unknown, never dropped.
    `SELECT ${PRODUCT_MARKER} s.queryid::text AS queryid, s.userid::int AS userid, coalesce(min(r.rolname), s.userid::text) AS role,
              sum(s.calls)::text AS calls, coalesce(min(s.query), '') AS query, min((to_jsonb(s) ->> 'stats_since')::timestamptz) AS stats_since
         FROM ${view} s LEFT JOIN pg_roles r ON r.oid = s.userid
        WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND s.queryid IS NOT NULL
          AND coalesce(position($1 in s.query), 0) = 0
        GROUP BY s.queryid, s.userid`,
    [PRODUCT_MARKER],
  );
  const facts = await serverFacts(target);
  const resetRow = await target
    .query<{ stats_reset: Date | null; dealloc: string | null }>(`SELECT ${PRODUCT_MARKER} stats_reset, dealloc::text AS dealloc FROM ${info}`)
    .catch(() => ({ rows: [{ stats_reset: null, dealloc: null }] }));
  const statsReset = resetRow.rows[0]?.stats_reset ?? null;
  const dealloc = resetRow.rows[0]?.dealloc ?? null;
  const sampledAt = now();

  return withTransaction(state, async (client) => {
    // Two samplers on one target (a dashboard and a worker) would double count: one at a time.
    const { rows: lock } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext('expand-contract:sampler'), hashtext($1)) AS ok", [
      targetLabel,
    ]);
    // Nothing written yet, so ending the transaction either way is the same.
    if (!lock[0]!.ok) {
      return { status: 'error', statements: 0, active: 0, reset: false, error: 'another sampler is sampling this server right now' };
    }
    const last = await client.query<{ sampled_at: Date; stats_reset: Date | null; dealloc: string | null }>(
      "SELECT sampled_at, stats_reset, dealloc::text AS dealloc FROM expand_contract.sampler_runs WHERE target = $1 AND status IN ('ok', 'baseline') ORDER BY sampled_at DESC LIMIT 1",
      [targetLabel],
    );
    let previous: PreviousSample | null = null;
    if (last.rows[0]) {
      const counters = await client.query<{ queryid: string; userid: number; calls: string }>(
        'SELECT queryid::text AS queryid, userid::int AS userid, calls::text AS calls FROM expand_contract.statement_counters WHERE target = $1',
        [targetLabel],
      );
      previous = {
        at: last.rows[0].sampled_at,
        statsReset: last.rows[0].stats_reset,
        calls: new Map(counters.rows.map((c) => [counterKey(c), Number(c.calls)])),
      };
    }
    const current: StatementCounter[] = rows.map((r) => ({ queryid: r.queryid, userid: r.userid, calls: Number(r.calls), statsSince: r.stats_since }));
    const result = statementDeltas(current, previous, statsReset);
    const roleOf = new Map(rows.map((r) => [counterKey(r), r.role]));

    // Texts: once per statement; last_seen moves only when it was called in this interval. One round
    // trip per kind of write, whatever the number of statements (pg_stat_statements keeps thousands).
    const active = new Set(result.deltas.map((d) => d.queryid));
    // The same statement run by several roles is one text: one row each, or the upsert would touch a row twice.
    const texts = new Map(rows.map((r) => [r.queryid, r.query]));
    await client.query(
      `INSERT INTO expand_contract.statements (target, queryid, query, first_seen, last_seen)
       SELECT $1, q::bigint, t, $2, $2 FROM unnest($3::text[], $4::text[]) AS x(q, t)
       ON CONFLICT (target, queryid) DO UPDATE SET last_seen = CASE WHEN EXCLUDED.queryid::text = ANY($5::text[]) THEN EXCLUDED.last_seen ELSE statements.last_seen END`,
      [targetLabel, sampledAt, [...texts.keys()], [...texts.values()], [...active]],
    );
    if (result.deltas.length) {
      await client.query(
        `INSERT INTO expand_contract.statement_calls (target, sampled_at, queryid, role, calls)
         SELECT $1, $2, q::bigint, r, sum(c)::bigint FROM unnest($3::text[], $4::text[], $5::bigint[]) AS x(q, r, c) GROUP BY q, r`,
        [
          targetLabel,
          sampledAt,
          result.deltas.map((d) => d.queryid),
          result.deltas.map((d) => roleOf.get(counterKey(d)) ?? String(d.userid)),
          result.deltas.map((d) => d.calls),
        ],
      );
    }
    await client.query('DELETE FROM expand_contract.statement_counters WHERE target = $1', [targetLabel]);
    if (current.length) {
      await client.query(
        `INSERT INTO expand_contract.statement_counters (target, queryid, userid, calls)
         SELECT $1, q::bigint, u, c::bigint FROM unnest($2::text[], $3::int[], $4::text[]) AS x(q, u, c)`,
        [targetLabel, current.map((c) => c.queryid), current.map((c) => c.userid), current.map((c) => String(c.calls))],
      );
    }
    const runStatus = result.baseline ? 'baseline' : 'ok';
    // Entries evicted since the last sample took their calls with them (the rarely used ones: exactly
    // the stray legacy readers), and a reset lost the calls since the last sample.
    const previousDealloc = last.rows[0]?.dealloc ?? null;
    const lossy = result.reset || (dealloc !== null && previousDealloc !== null && BigInt(dealloc) > BigInt(previousDealloc));
    await client.query(
      `INSERT INTO expand_contract.sampler_runs (target, sampled_at, status, stats_reset, statements, reset_detected, dealloc, lossy, primary_target, track, lag_seconds)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [targetLabel, sampledAt, runStatus, statsReset, current.length, result.reset, dealloc, lossy, primaryTarget, facts.track, facts.lagSeconds],
    );
    return { status: runStatus, statements: current.length, active: result.deltas.length, reset: result.reset, ...facts };
  });
}
