// `npm run bench:backfill`: the executor's backfill against the alternatives, on the same
// embedded server in the same run. BENCH_ROWS sets the main table size (default 1,000,000).
// Prints one JSON line per figure: {"figure", "value", "unit", ...}.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { introspectSchema } from '../../lib/db/introspect-schema';
import { startEmbeddedServer } from '../../lib/db/embedded-server';
import { ephemeralPort } from '../../lib/db/free-port';
import { applyStateSchema, readStateSchema } from '../../lib/db/state-schema';
import { runBackfillJob } from '../../lib/executor/backfill-job';
import { runStep } from '../../lib/executor/run-step';
import { StateStore } from '../../lib/state/state-store';
import { planOperation } from '../../lib/migrations/plan-operation';
import { DEFAULT_PLAN_OPTIONS, type Plan } from '../../lib/migrations/types';
import type { ReplicaThrottleStats } from '../../lib/executor/replica-lag';
import { embeddedBinDir, startStreamingPair, type ReplayLagSeen } from '../../tests/helpers/streaming-replica';

const root = path.resolve(import.meta.dirname, '..', '..');
const MAIN_ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SMALL_ROWS = 100_000;
const LARGE_ROWS = Number(process.env.BENCH_LARGE_ROWS ?? 3_000_000);

const emit = (figure: string, value: number, unit: string, extra: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ figure, value: Number(value.toFixed(3)), unit, ...extra }));
const note = (text: string) => process.stderr.write(`bench: ${text}\n`);
const seconds = (startedMs: number) => (performance.now() - startedMs) / 1000;

function p99(values: number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

async function createLeads(c: pg.Client, table: string, rows: number) {
  await c.query(`DROP TABLE IF EXISTS ${table};
    CREATE TABLE ${table} (id bigint PRIMARY KEY, user_email text NOT NULL, full_name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())
      -- A background vacuum landing in one measurement and not in another is noise, not a property of either side.
      WITH (autovacuum_enabled = false);
    INSERT INTO ${table} (id, user_email, full_name) SELECT g, 'lead' || g || '@example.com', 'Name ' || g FROM generate_series(1, ${rows}) g;`);
  await c.query(`VACUUM ANALYZE ${table}`);
}

/** The table as expand leaves it: new column and sync trigger in place. */
async function expand(c: pg.Client, table: string): Promise<Plan> {
  const plan = planOperation(
    { kind: 'rename-column', schema: 'public', table, column: 'user_email', newName: 'contact_email' },
    await introspectSchema(c, ['public']),
    DEFAULT_PLAN_OPTIONS,
  );
  for (const step of plan.steps.filter((s) => s.phase === 'expand')) await runStep(c, step);
  await c.query(`VACUUM ANALYZE ${table}`);
  return plan;
}

/** A second connection updating single rows at a steady rate, as production would, recording latencies. */
function steadyWriter(url: string, table: string, rows: number, perSecond: number) {
  const latencies: number[] = [];
  let stopped = false;
  const done = (async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const interval = 1000 / perSecond;
    let next = performance.now();
    for (let i = 0; !stopped; i += 1) {
      const started = performance.now();
      await c.query(`UPDATE ${table} SET full_name = $1 WHERE id = $2`, [`w${i}`, 1 + ((i * 7919) % rows)]);
      latencies.push(performance.now() - started);
      next += interval;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await c.end();
  })();
  return { latencies, stop: async () => ((stopped = true), await done) };
}

async function ourBackfill(store: StateStore, target: pg.Client, plan: Plan, migrationId: number) {
  const started = performance.now();
  await runBackfillJob(store, target, migrationId, plan.backfill!, plan.batchSize, { targetBatchMs: 100 });
  return seconds(started);
}

async function registerMigration(store: StateStore, plan: Plan) {
  return (await store.createMigration({ ...plan, id: `${plan.id}.${Date.now()}` }, 'bench')).id;
}

async function oltpTps(c: pg.Client, table: string, rows: number, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let n = 0;
  while (performance.now() < until) {
    await c.query(`UPDATE ${table} SET user_email = $1 WHERE id = $2`, [`u${n}@example.com`, 1 + ((n * 104729) % rows)]);
    n += 1;
  }
  return n / (ms / 1000);
}

const REPLICA_LAG_CEILING_SECONDS = 1;

/**
 * The backfill as the phase runner runs it (waiting for replicas within the ceiling) against one
 * UPDATE of the whole table, on a primary with one physical streaming replica on this machine,
 * and beside the same backfill not waiting. Production keeps writing throughout: 200 single-row
 * updates a second on a neighbouring table, the same load for every side. (Written to the
 * backfilled table instead, the one UPDATE would block them after the first for its whole run, so
 * it would run alone while the backfill serves them: one more run measures that too, for context.)
 * Best of three runs on fresh tables, in alternating orders, for the times; the worst lag of any run,
 * since the ceiling holds for every run or it does not hold.
 */
async function replicaComparison(serverFlags: string[], store: StateStore) {
  const pair = await startStreamingPair({ binDir: await embeddedBinDir(), extraFlags: serverFlags });
  const c = new pg.Client({ connectionString: pair.primaryUrl() });
  await c.connect();
  const NEIGHBOUR_ROWS = Math.max(1000, Math.round(MAIN_ROWS / 10));
  try {
    type Times = { single: number; ours: number; unthrottled: number };
    const best: Times = { single: Infinity, ours: Infinity, unthrottled: Infinity };
    const sameTable: Times = { single: Infinity, ours: Infinity, unthrottled: Infinity };
    const lag = (a: ReplayLagSeen, b: ReplayLagSeen): ReplayLagSeen => ({
      samples: a.samples + b.samples,
      reportedSeconds: Math.max(a.reportedSeconds, b.reportedSeconds),
      byPositionSeconds: Math.max(a.byPositionSeconds, b.byPositionSeconds),
    });
    let worst: ReplayLagSeen = { samples: 0, reportedSeconds: 0, byPositionSeconds: 0 };
    let worstUnthrottled = worst;
    const waits: ReplicaThrottleStats[] = [];
    let writesServed = { single: 0, ours: 0 };
    await createLeads(c, 'leads_neighbour', NEIGHBOUR_ROWS);
    /** Each side starts with the replica caught up and a checkpoint behind it, so both write the first-touch full pages a real table would. */
    const settle = async () => {
      await c.query('CHECKPOINT');
      await pair.waitForReplay(600_000);
    };
    const writerFor = (table: string, same: boolean) =>
      same ? steadyWriter(pair.primaryUrl(), table, MAIN_ROWS, 200) : steadyWriter(pair.primaryUrl(), 'leads_neighbour', NEIGHBOUR_ROWS, 200);
    const singleUpdate = async (times: Times, same: boolean) => {
      await settle();
      const writer = writerFor('leads_single', same);
      const started = performance.now();
      await c.query('UPDATE leads_single SET contact_email = user_email');
      times.single = Math.min(times.single, seconds(started));
      await writer.stop();
      if (same) writesServed = { ...writesServed, single: writer.latencies.length };
    };
    // The same backfill without waiting for the replica, beside it: what the waiting costs, and what lag it prevents.
    const backfill = async (times: Times, same: boolean, table: string, plan: Plan, throttled: boolean) => {
      await settle();
      const id = await registerMigration(store, plan);
      const writer = writerFor(table, same);
      const watch = pair.watchReplayLag(50);
      const started = performance.now();
      await runBackfillJob(store, c, id, plan.backfill!, plan.batchSize, {
        targetBatchMs: 100,
        replicaLagCeilingSeconds: throttled ? REPLICA_LAG_CEILING_SECONDS : undefined,
        onReplicaStats: (s) => waits.push(s),
      });
      const took = seconds(started);
      const seen = await watch.stop();
      await writer.stop();
      if (throttled) {
        times.ours = Math.min(times.ours, took);
        worst = lag(worst, seen);
        if (same) writesServed = { ...writesServed, ours: writer.latencies.length };
      } else {
        times.unthrottled = Math.min(times.unthrottled, took);
        worstUnthrottled = lag(worstUnthrottled, seen);
      }
    };
    const tables = ['leads_single', 'leads_ours', 'leads_unthrottled'];
    const rounds: { times: Times; same: boolean }[] = [
      { times: best, same: false },
      { times: best, same: false },
      { times: best, same: false },
      { times: sameTable, same: true },
    ];
    for (const [run, { times, same }] of rounds.entries()) {
      note(`one streaming replica: ${MAIN_ROWS.toLocaleString('en-US')} rows, run ${run + 1}${same ? ', writes on the backfilled table' : ''}`);
      for (const t of tables) await createLeads(c, t, MAIN_ROWS);
      await expand(c, 'leads_single');
      const ourPlan = await expand(c, 'leads_ours');
      const unthrottledPlan = await expand(c, 'leads_unthrottled');
      const sides = [
        () => singleUpdate(times, same),
        () => backfill(times, same, 'leads_ours', ourPlan, true),
        () => backfill(times, same, 'leads_unthrottled', unthrottledPlan, false),
      ];
      // Every other run in the opposite order, so drift on a shared machine hits every side alike.
      for (const side of run % 2 === 0 ? sides : sides.reverse()) await side();
      await c.query(`DROP TABLE ${tables.join(', ')}`);
    }
    const maxLag = Math.max(worst.reportedSeconds, worst.byPositionSeconds);
    emit('replica_max_replay_lag_s', maxLag, 's', {
      goal: `<= ${REPLICA_LAG_CEILING_SECONDS}`,
      ok: maxLag <= REPLICA_LAG_CEILING_SECONDS,
      meaning:
        'the largest replay lag of one streaming replica during the backfill, polled every 50 ms: the larger of pg_stat_replication.replay_lag and the lag by WAL position',
      replay_lag_s: worst.reportedSeconds,
      by_wal_position_s: worst.byPositionSeconds,
      samples: worst.samples,
      ceiling_s: REPLICA_LAG_CEILING_SECONDS,
      backfill_waits: waits.reduce((n, s) => n + s.waits, 0),
      backfill_waited_s: waits.reduce((n, s) => n + s.waitedMs, 0) / 1000,
      lag_without_waiting_s: Math.max(worstUnthrottled.reportedSeconds, worstUnthrottled.byPositionSeconds),
      rows: MAIN_ROWS,
      runs: rounds.length,
    });
    emit('replica_backfill_throughput_ratio', best.single / best.ours, 'ratio', {
      goal: '>= 0.85',
      ok: best.single / best.ours >= 0.85,
      baseline: 'one UPDATE of the whole table on the same primary with the same replica, same run',
      load: `200 single-row updates/s on a neighbouring table of ${NEIGHBOUR_ROWS.toLocaleString('en-US')} rows, for every side`,
      ours_s: best.ours,
      single_update_s: best.single,
      backfill_without_waiting_s: best.unthrottled,
      rows: MAIN_ROWS,
      runs: 3,
      writes_on_the_backfilled_table: {
        meaning: 'one more run, the 200 updates/s on the backfilled table itself: the one UPDATE blocks them from the first, so it runs alone',
        ratio: Number((sameTable.single / sameTable.ours).toFixed(3)),
        ours_s: sameTable.ours,
        single_update_s: sameTable.single,
        writes_served_during_ours: writesServed.ours,
        writes_served_during_single_update: writesServed.single,
      },
    });
  } finally {
    await c.end();
    await pair.stop();
  }
}

async function main() {
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-bench-'));
  await fs.chmod(dataRoot, 0o755);
  // Room for the 3M-row table in memory, and no checkpoint in the middle of a measurement.
  const serverFlags = ['-c', 'shared_buffers=1GB', '-c', 'max_wal_size=8GB', '-c', 'checkpoint_timeout=30min'];
  const server = await startEmbeddedServer({ dataRoot, preferredPort: await ephemeralPort(), persistent: false, extraFlags: serverFlags });
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE bench_state');
  await admin.query('CREATE DATABASE bench_target');
  await admin.end();
  const stateUrl = server.url('bench_state');
  const targetUrl = server.url('bench_target');
  const migrator = new pg.Client({ connectionString: stateUrl });
  await migrator.connect();
  await applyStateSchema(migrator, await readStateSchema(path.join(root, 'supabase', 'migrations')));
  await migrator.end();
  const pool = new pg.Pool({ connectionString: stateUrl, max: 4 });
  const store = new StateStore(pool);
  const c = new pg.Client({ connectionString: targetUrl });
  await c.connect();

  try {
    // 1. Main size: ours vs one UPDATE vs the article's loop, identical expanded tables, same writer load.
    note(`main comparison on ${MAIN_ROWS.toLocaleString('en-US')} rows`);
    const plans: Record<string, Plan> = {};
    for (const t of ['leads_single', 'leads_ours', 'leads_article']) {
      await createLeads(c, t, MAIN_ROWS);
      plans[t] = await expand(c, t);
    }
    const singleWriter = steadyWriter(targetUrl, 'leads_single', MAIN_ROWS, 200);
    let started = performance.now();
    await c.query('UPDATE leads_single SET contact_email = user_email');
    const singleSeconds = seconds(started);
    await singleWriter.stop();

    const plan = plans.leads_ours!;
    const id = await registerMigration(store, plan);
    const oursWriter = steadyWriter(targetUrl, 'leads_ours', MAIN_ROWS, 200);
    const oursSeconds = await ourBackfill(store, c, plan, id);
    await oursWriter.stop();
    const ours = (await store.getBackfill(id))!;

    // The article's loop: find the next rows by "new IS NULL LIMIT n", commit, repeat.
    started = performance.now();
    for (;;) {
      const r = await c.query(
        'UPDATE leads_article SET contact_email = user_email WHERE id IN (SELECT id FROM leads_article WHERE contact_email IS NULL LIMIT 10000)',
      );
      if (!r.rowCount) break;
    }
    const articleSeconds = seconds(started);

    emit('backfill_throughput_ratio', singleSeconds / oursSeconds, 'ratio', {
      baseline: 'one UPDATE of the whole table, same run',
      rows: MAIN_ROWS,
      ours_s: oursSeconds,
      single_update_s: singleSeconds,
      target: '>= 0.90',
    });
    emit('worst_batch_ms', ours.worstBatchMs ?? 0, 'ms', { batches: ours.batches, final_batch_size: ours.batchSize, target: '<= 200' });
    emit('concurrent_write_p99_ms_ours', p99(oursWriter.latencies), 'ms', { updates: oursWriter.latencies.length, rate: '200/s' });
    emit('concurrent_write_p99_ms_single_update', p99(singleWriter.latencies), 'ms', { updates: singleWriter.latencies.length, rate: '200/s' });
    emit('article_loop_throughput_ratio', oursSeconds / articleSeconds, 'ratio', {
      meaning: "the article's loop throughput / ours",
      article_s: articleSeconds,
      ours_s: oursSeconds,
    });
    for (const t of ['leads_single', 'leads_ours', 'leads_article']) await c.query(`DROP TABLE ${t}`);

    // 2. Scale: time per row at 100k and at 3M rows.
    const perRow: Record<number, number> = {};
    for (const rows of [SMALL_ROWS, LARGE_ROWS]) {
      // Best of two runs on fresh tables: the figure is about how the work grows, not about one noisy run.
      for (let run = 0; run < 2; run += 1) {
        note(`scale: ${rows.toLocaleString('en-US')} rows, run ${run + 1}`);
        await createLeads(c, 'leads_scale', rows);
        const p = await expand(c, 'leads_scale');
        const sid = await registerMigration(store, p);
        const t = (await ourBackfill(store, c, p, sid)) / rows;
        perRow[rows] = Math.min(perRow[rows] ?? Infinity, t);
        await c.query('DROP TABLE leads_scale');
      }
    }
    emit('per_row_time_ratio_3m_100k', perRow[LARGE_ROWS]! / perRow[SMALL_ROWS]!, 'ratio', {
      rows: [SMALL_ROWS, LARGE_ROWS],
      us_per_row: [perRow[SMALL_ROWS]! * 1e6, perRow[LARGE_ROWS]! * 1e6],
      target: '<= 1.2',
    });

    // 3. What the sync trigger costs writers: single-row updates and one bulk update, with and without it.
    // On the main table size: a bulk update of every row of a real table, as pgroll measured its trigger.
    note('trigger overhead');
    await createLeads(c, 'leads_plain', MAIN_ROWS);
    await createLeads(c, 'leads_trig', MAIN_ROWS);
    await c.query('ALTER TABLE leads_plain ADD COLUMN contact_email text');
    await expand(c, 'leads_trig');
    await c.query('UPDATE leads_trig SET contact_email = user_email; UPDATE leads_plain SET contact_email = user_email');
    await c.query('VACUUM ANALYZE leads_plain, leads_trig');
    await oltpTps(c, 'leads_plain', MAIN_ROWS, 500); // warm-up
    await oltpTps(c, 'leads_trig', MAIN_ROWS, 500);
    // Alternating rounds, so drift on a shared machine hits both sides alike.
    let tpsPlain = 0;
    let tpsTrig = 0;
    for (let round = 0; round < 4; round += 1) {
      tpsPlain += (await oltpTps(c, 'leads_plain', MAIN_ROWS, 1500)) / 4;
      tpsTrig += (await oltpTps(c, 'leads_trig', MAIN_ROWS, 1500)) / 4;
    }
    emit('trigger_oltp_tps_ratio', tpsTrig / tpsPlain, 'ratio', { rows: MAIN_ROWS, tps_with_trigger: tpsTrig, tps_without: tpsPlain, target: '>= 0.90' });
    // Best of three alternating runs each: one bulk update is a single noisy sample. A VACUUM before
    // each round gives both tables the same free space, instead of a heap that grows by the table's size every round.
    let bulkPlain = Infinity;
    let bulkTrig = Infinity;
    for (let round = 0; round < 3; round += 1) {
      await c.query('VACUUM leads_plain, leads_trig');
      started = performance.now();
      await c.query("UPDATE leads_plain SET user_email = user_email || '.'");
      bulkPlain = Math.min(bulkPlain, seconds(started));
      started = performance.now();
      await c.query("UPDATE leads_trig SET user_email = user_email || '.'");
      bulkTrig = Math.min(bulkTrig, seconds(started));
    }
    emit('trigger_bulk_time_ratio', bulkTrig / bulkPlain, 'ratio', {
      rows: MAIN_ROWS,
      with_trigger_s: bulkTrig,
      without_s: bulkPlain,
      target: '<= 1.5',
      pgroll_published: 4.5,
    });

    // 4. With a streaming replica: the replay lag the backfill keeps it within, and what waiting for it costs.
    await replicaComparison(serverFlags, store);
  } finally {
    await c.end();
    await pool.end();
    await server.stop();
  }
}

await main();
