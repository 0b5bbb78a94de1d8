import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeUrl } from '../lib/db/connection-url';
import { provisionLogins } from '../lib/db/provision-logins';
import { applyStateSchema, readStateSchema } from '../lib/db/state-schema';
import { targetIdentity } from '../lib/db/target-identity';
import { runBackfillJob } from '../lib/executor/backfill-job';
import { readReplicaLag, type ReplicaThrottleStats } from '../lib/executor/replica-lag';
import { runPhase } from '../lib/executor/run-phase';
import { quoteIdent } from '../lib/migrations/quote';
import { DEFAULT_PLAN_OPTIONS } from '../lib/migrations/types';
import { planChange } from '../lib/planning/plan-change';
import { StateStore } from '../lib/state/state-store';
import { STATE_FILES } from './helpers/executor-setup';
import { binDirForServer, startStreamingPair, type StreamingPair } from './helpers/streaming-replica';
import { adminUrl, createTestDatabase, type TestDatabase } from './helpers/test-database';

const CEILING_SECONDS = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pair: StreamingPair;
let stateDb: TestDatabase;
let pool: pg.Pool;
let store: StateStore;
/** The product's plain target login on the pair's primary, provisioned as the embedded default provisions it. */
let target: pg.Client;
let targetUrl: string;

beforeAll(async () => {
  pair = await startStreamingPair({ binDir: await binDirForServer(adminUrl()) });
  const logins = inject('logins');
  const admin = new pg.Client({ connectionString: pair.primaryUrl() });
  await admin.connect();
  try {
    await provisionLogins(admin, logins);
    await admin.query(`CREATE DATABASE replica_lag OWNER ${quoteIdent(logins.target.name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(pair.primaryUrl('replica_lag'));
  url.username = encodeURIComponent(logins.target.name);
  url.password = encodeURIComponent(logins.target.password);
  targetUrl = url.toString();
  target = new pg.Client({ connectionString: targetUrl });
  await target.connect();

  stateDb = await createTestDatabase('replica_lag_state', 'state');
  await applyStateSchema(await stateDb.client(), await readStateSchema(STATE_FILES));
  pool = new pg.Pool({ connectionString: stateDb.url, max: 4 });
  store = new StateStore(pool);
});

afterAll(async () => {
  await target?.end();
  await pool?.end();
  await stateDb?.drop();
  await pair?.stop();
});

/** A leads table of `rows` rows on the target, registered for a rename and expanded. */
async function expandedRename(table: string, rows: number, batchSize: number): Promise<number> {
  await target.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, user_email text NOT NULL, full_name text NOT NULL);
    INSERT INTO ${table} SELECT g, 'lead' || g || '@x.io', 'Name ' || g FROM generate_series(1, ${rows}) g; ANALYZE ${table};`);
  const spec = { kind: 'rename-column', schema: 'public', table, column: 'user_email', newName: 'contact_email' } as const;
  const plan = await planChange(target, spec, { ...DEFAULT_PLAN_OPTIONS, batchSize });
  const { id } = await store.createMigration(plan, describeUrl(targetUrl), await targetIdentity(target));
  await runPhase({ store, target, signals: false }, id, 'expand');
  return id;
}

describe('the backfill keeps streaming replicas within the replay lag ceiling', () => {
  it('the product’s target login sees the replica’s replay position (pg_read_all_stats); a login without it sees it hidden', async () => {
    const reading = await readReplicaLag(target);
    expect(reading.hidden).toBe(0);
    expect(reading.replicas).toEqual([expect.objectContaining({ state: 'streaming', behindBytes: expect.any(Number) })]);
    const admin = new pg.Client({ connectionString: pair.primaryUrl('replica_lag') });
    await admin.connect();
    try {
      await admin.query('CREATE ROLE replica_lag_plain NOLOGIN; SET ROLE replica_lag_plain');
      expect(await readReplicaLag(admin)).toMatchObject({ replicas: [], hidden: 1 });
    } finally {
      await admin.end();
    }
  });

  it('waits, making no batches, while a replica with replay paused falls behind the ceiling, and finishes once replay resumes', async () => {
    const id = await expandedRename('leads_paused', 50_000, 500);
    const lines: string[] = [];
    await pair.pauseReplay();
    let resumed = false;
    try {
      const phase = runPhase({ store, target, signals: false, log: (l) => lines.push(l), replicaLagCeilingSeconds: CEILING_SECONDS }, id, 'backfill', {
        // Small batches, so that the backfill would be over long before the pause ends if it did not wait.
        backfill: { targetBatchMs: 20, maxBatch: 500 },
      });
      const deadline = Date.now() + 20_000;
      while (!lines.some((l) => l.includes('waiting for replicas')) && Date.now() < deadline) await sleep(50);
      expect(lines.find((l) => l.includes('waiting for replicas'))).toMatch(/replays \d+\.\d s behind \(ceiling 1 s\)/);
      const before = (await store.getBackfill(id))!;
      await sleep(1500);
      const after = (await store.getBackfill(id))!;
      expect(after.status).toBe('running');
      expect(after.batches).toBe(before.batches);
      expect(after.rowsScanned).toBeLessThan(50_000);
      await pair.resumeReplay();
      resumed = true;
      expect(await phase).toMatchObject({ phase: 'backfill', status: 'succeeded' });
    } finally {
      if (!resumed) await pair.resumeReplay();
    }
    expect(lines.some((l) => /replicas caught up after \d+\.\d s; the backfill goes on/.test(l))).toBe(true);
    const done = (await store.getBackfill(id))!;
    expect(done).toMatchObject({ status: 'done', rowsScanned: 50_000 });
    await pair.waitForReplay();
    const replica = new pg.Client({ connectionString: pair.replicaUrl('replica_lag') });
    await replica.connect();
    try {
      const { rows } = await replica.query('SELECT count(*)::int AS n FROM leads_paused WHERE contact_email IS DISTINCT FROM user_email');
      expect(rows[0].n).toBe(0);
    } finally {
      await replica.end();
    }
  });

  it('holds a 200k-row backfill to a slowed replica’s pace: the replay lag, polled every 50 ms, never exceeds the ceiling', async () => {
    const rows = 200_000;
    const id = await expandedRename('leads_slowed', rows, 5000);
    await pair.waitForReplay();
    const plan = (await store.getMigration(id)).plan;
    // A tenth of its speed, in 45 ms stalls: a replica that an unthrottled backfill leaves more than the ceiling behind.
    const release = await pair.slowReplay({ stoppedMs: 45, runningMs: 5 });
    const watch = pair.watchReplayLag();
    let stats: ReplicaThrottleStats | undefined;
    try {
      const outcome = await runBackfillJob(store, target, id, plan.backfill!, plan.batchSize, {
        replicaLagCeilingSeconds: CEILING_SECONDS,
        onReplicaStats: (s) => (stats = s),
      });
      expect(outcome).toBe('done');
    } finally {
      await release();
    }
    const lag = await watch.stop();
    expect(lag.samples).toBeGreaterThan(10);
    // The replica was slow enough for the backfill to wait for it, and it was never a ceiling behind.
    expect(stats!.waits).toBeGreaterThan(0);
    expect(lag.reportedSeconds).toBeLessThanOrEqual(CEILING_SECONDS);
    expect(lag.byPositionSeconds).toBeLessThanOrEqual(CEILING_SECONDS);
    expect(await store.getBackfill(id)).toMatchObject({ status: 'done', rowsScanned: rows });
  });

  it('restores the session’s synchronous_commit after the backfill', async () => {
    const { rows } = await target.query("SELECT current_setting('synchronous_commit') AS s");
    expect(rows[0].s).toBe('on');
  });
});
