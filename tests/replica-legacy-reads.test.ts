import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeUrl, hostOf } from '../lib/db/connection-url';
import { applyStateSchema, readStateSchema } from '../lib/db/state-schema';
import { targetIdentity } from '../lib/db/target-identity';
import { DEFAULT_PLAN_OPTIONS } from '../lib/migrations/types';
import { planChange } from '../lib/planning/plan-change';
import { contractGate } from '../lib/signals/gate-evidence';
import { readServerHealth } from '../lib/signals/read-server-health';
import { startSampler } from '../lib/signals/start-sampler';
import { targetServers } from '../lib/signals/target-servers';
import { StateStore } from '../lib/state/state-store';
import { STATE_FILES } from './helpers/executor-setup';
import { binDirForServer, startStreamingPair, type StreamingPair } from './helpers/streaming-replica';
import { adminUrl, createTestDatabase, type TestDatabase } from './helpers/test-database';

/*
 * A real primary with a real streaming replica (of the suite's PostgreSQL version), sampled the way
 * the dashboard samples them: pg_stat_statements is per server, so a read the replica serves is seen
 * only on the replica, and zero reads may be claimed only when every server was watched.
 */

let pair: StreamingPair;
let stateDb: TestDatabase;
let pool: pg.Pool;
let store: StateStore;
let primary: pg.Client;
let primaryUrl: string;
let replicaUrl: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pair's URL as a plain login that only has pg_read_all_stats beside its own tables: what the product connects as. */
const asReader = (url: string) => {
  const u = new URL(url);
  u.username = 'ec_reader';
  u.password = 'reader-pw';
  return u.toString();
};

beforeAll(async () => {
  pair = await startStreamingPair({ binDir: await binDirForServer(adminUrl()) });
  const admin = new pg.Client({ connectionString: pair.primaryUrl() });
  await admin.connect();
  await admin.query(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
    CREATE ROLE ec_reader LOGIN PASSWORD 'reader-pw' IN ROLE pg_read_all_stats;
    GRANT CREATE ON SCHEMA public TO ec_reader;`);
  await admin.end();
  primaryUrl = asReader(pair.primaryUrl());
  replicaUrl = asReader(pair.replicaUrl());
  primary = new pg.Client({ connectionString: primaryUrl });
  await primary.connect();
  await primary.query(`CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL);
    INSERT INTO leads SELECT g, 'e' || g FROM generate_series(1, 200) g;
    CREATE TABLE quiet (id bigint PRIMARY KEY, old_col text NOT NULL);
    INSERT INTO quiet SELECT g, 'v' || g FROM generate_series(1, 200) g;
    CREATE TABLE calm (id bigint PRIMARY KEY, old_col text NOT NULL);`);
  await pair.waitForReplay();

  stateDb = await createTestDatabase('replica_reads_state', 'state');
  const migrator = await stateDb.client();
  await applyStateSchema(migrator, await readStateSchema(STATE_FILES));
  pool = new pg.Pool({ connectionString: stateDb.url, max: 6 });
  store = new StateStore(pool);
}, 120_000);

afterAll(async () => {
  await primary?.end().catch(() => {});
  await pool?.end();
  await stateDb?.drop();
  await pair?.stop();
});

async function register(table: string, column: string): Promise<number> {
  const plan = await planChange(primary, { kind: 'rename-column', schema: 'public', table, column, newName: `${column}_new` }, DEFAULT_PLAN_OPTIONS);
  return (await store.createMigration(plan, describeUrl(primaryUrl), await targetIdentity(primary))).id;
}

/** The legacy-reads conditions of the gate, judged now over the whole time since the migration was created. */
async function legacyConditions(id: number, replicas: string[] = []) {
  const migration = await store.getMigration(id);
  const { decision, legacy } = await contractGate(
    { store, target: primary, sampleEverySeconds: 1, observationMinutes: 0, bufferMinutes: 0, replicas },
    migration,
    new Date(),
  );
  return { conditions: decision.conditions.filter((c) => c.name === 'legacy-reads'), legacy: legacy! };
}

describe('read replicas in the legacy-read evidence', () => {
  it('reads of the old column served by the replica close the gate, counted on the replica', async () => {
    const id = await register('leads', 'user_email');
    const sampler = startSampler({
      stateUrl: stateDb.url,
      targetUrl: primaryUrl,
      targetLabel: describeUrl(primaryUrl),
      replicaUrls: [replicaUrl],
      everySeconds: 1,
    });
    try {
      await sleep(2_500);
      const reader = new pg.Client({ connectionString: replicaUrl });
      await reader.connect();
      for (let i = 1; i <= 10; i += 1) await reader.query('SELECT user_email FROM leads WHERE id = $1', [i]);
      await reader.end();
      await sleep(2_500);
    } finally {
      await sampler.stop();
    }
    const { conditions, legacy } = await legacyConditions(id);
    expect(conditions).toEqual([
      {
        name: 'legacy-reads',
        met: false,
        detail: `public.leads.user_email is still used: 10 read(s) and 0 write(s) in the window (10 on replica ${describeUrl(replicaUrl)})`,
      },
    ]);
    expect(legacy.servers.map((s) => [s.role, s.label, s.uses])).toEqual([
      ['primary', describeUrl(primaryUrl), 0],
      ['replica', describeUrl(replicaUrl), 10],
    ]);
    // The primary alone saw nothing: without the replica, this would have been "0 reads".
    expect(legacy.statements.find((s) => s.query.includes('user_email'))!.servers).toEqual([describeUrl(replicaUrl)]);
  });

  it('a replica named in the dashboard is sampled with the target login; once it is down the evidence is unknown, never zero', async () => {
    // Named as host:port only: no password is stored, the target's login is used.
    await pool.query('SELECT expand_contract.set_read_replicas($1)', [JSON.stringify([hostOf(replicaUrl)])]);
    expect((await targetServers(pool, primaryUrl, [])).map((s) => [s.role, s.label, s.source])).toEqual([
      ['primary', describeUrl(primaryUrl), null],
      ['replica', describeUrl(replicaUrl), 'dashboard'],
    ]);
    const sampler = startSampler({ stateUrl: stateDb.url, targetUrl: primaryUrl, targetLabel: describeUrl(primaryUrl), everySeconds: 1 });
    try {
      // The window starts once both servers are being sampled: its first second is then watched, however slow the machine.
      await sleep(2_500);
      const id = await register('quiet', 'old_col');
      await sleep(3_000);
      // Watched everywhere, no use: zero reads, saying which servers it covers.
      const quiet = await legacyConditions(id);
      expect(quiet.conditions).toEqual([
        {
          name: 'legacy-reads',
          met: true,
          detail: expect.stringMatching(
            new RegExp(
              `^0 reads of public\\.quiet\\.old_col in the last .* on 2 servers \\(the primary sampled \\d+\\.\\d%, replica ${describeUrl(replicaUrl).replace(/\./g, '\\.')} sampled \\d+\\.\\d%\\)$`,
            ),
          ),
        },
      ]);
      const [, replicaHealth] = await readServerHealth(pool, await targetServers(pool, primaryUrl, []), new Date(), 1);
      expect(replicaHealth).toMatchObject({ role: 'replica', status: 'ok', lastError: null, track: 'all' });
      expect(replicaHealth!.lagSeconds).not.toBeNull();
      expect(replicaHealth!.lagSeconds!).toBeLessThan(5);

      await pair.stopReplica();
      await sleep(4_000);
      const down = await legacyConditions(id);
      expect(down.conditions).toHaveLength(1);
      expect(down.conditions[0]).toMatchObject({ met: false, unknown: true });
      expect(down.conditions[0]!.detail).toMatch(
        new RegExp(
          `^replica ${describeUrl(replicaUrl).replace(/\./g, '\\.')} was sampled for only \\d+\\.\\d% of the window \\(needs 95\\.0%\\): its last sample failed \\(`,
        ),
      );
      expect(down.conditions[0]!.detail).not.toContain('reader-pw');
      const [, failing] = await readServerHealth(pool, await targetServers(pool, primaryUrl, []), new Date(), 1);
      expect(failing).toMatchObject({ status: 'failing', lagSeconds: null });
    } finally {
      await sampler.stop();
      await pair.startReplica();
      await pool.query("SELECT expand_contract.set_read_replicas('[]')");
    }
  });

  it('a replica listed in TARGET_REPLICA_URLS that was never sampled leaves the evidence unknown', async () => {
    const sampler = startSampler({ stateUrl: stateDb.url, targetUrl: primaryUrl, targetLabel: describeUrl(primaryUrl), everySeconds: 1 });
    let id: number;
    try {
      await sleep(2_000);
      id = await register('calm', 'old_col');
      await sleep(2_500);
    } finally {
      await sampler.stop();
    }
    const listed = 'db-replica-9.internal:5432/postgres';
    const { conditions } = await legacyConditions(id, [listed]);
    expect(conditions).toEqual([
      {
        name: 'legacy-reads',
        met: false,
        unknown: true,
        detail: `replica ${listed} was sampled for only 0.0% of the window (needs 95.0%): is it up, and reachable with the target login?`,
      },
    ]);
  });
});
