import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStateSchema, readStateSchema, StateSchemaFailedError } from '../lib/db/state-schema';
import { startPhaseWorker } from '../lib/executor/job-queue';
import { runPhase } from '../lib/executor/run-phase';
import { JOB_SCHEMA, RUN_PHASE_QUEUE } from '../lib/state/job-queue-names';
import { executorWorld, STATE_FILES, type ExecutorWorld } from './helpers/executor-setup';
import { createTestDatabase } from './helpers/test-database';

/** The state file that rebuilds pg-boss 10's queue for pg-boss 12. */
const UPGRADE = '20261204010000';
const ROWS = 5_000;

let w: ExecutorWorld;

async function until<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A row of pg-boss 10's job table, as its send() and worker left it. */
async function v10Job(state: string, data: object, extra: { startedMinutesAgo?: number; output?: object } = {}): Promise<string> {
  const { rows } = await w.pool.query<{ id: string }>(
    `INSERT INTO ${JOB_SCHEMA}.job (name, data, state, retry_limit, retry_delay, retry_backoff, policy, started_on, completed_on, output)
     VALUES ($1, $2, $3::text::${JOB_SCHEMA}.job_state, 20, 2, true, 'standard', now() - make_interval(mins => $4), CASE WHEN $3::text = 'completed' THEN now() END, $5)
     RETURNING id`,
    [RUN_PHASE_QUEUE, data, state, extra.startedMinutesAgo ?? null, extra.output ?? null],
  );
  return rows[0]!.id;
}

beforeAll(async () => {
  w = await executorWorld('jobs_upgrade', { stateFilesBefore: UPGRADE });
  for (const t of ['leads', 'contacts']) {
    await w.target.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, user_email text NOT NULL);
                          INSERT INTO ${t} SELECT g, 'x' || g || '@x.io' FROM generate_series(1, ${ROWS}) g; ANALYZE ${t};`);
  }
});
afterAll(async () => {
  await w?.close();
});

describe('the job queue upgraded from pg-boss 10 to 12', () => {
  it('keeps the queued and running jobs of pg-boss 10, which a worker then runs to the end', async () => {
    const queued = await w.register(
      { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' },
      { batchSize: 500 },
    );
    const running = await w.register(
      { kind: 'rename-column', schema: 'public', table: 'contacts', column: 'user_email', newName: 'email' },
      { batchSize: 500 },
    );
    for (const id of [queued, running]) await runPhase({ store: w.store, target: w.target }, id, 'expand');

    // What pg-boss 10 left: the queue as openJobQueue created it there, a backfill waiting, one whose worker
    // stopped for the upgrade while it was active, a finished job and an archived one.
    expect((await w.pool.query(`SELECT version FROM ${JOB_SCHEMA}.version`)).rows).toEqual([{ version: 24 }]);
    await w.pool.query(`SELECT ${JOB_SCHEMA}.create_queue($1, '{"policy": "standard", "retryLimit": 20, "retryDelay": 2, "retryBackoff": true}')`, [
      RUN_PHASE_QUEUE,
    ]);
    const pacing = { targetBatchMs: 2, throttleMs: 5 };
    const waiting = await v10Job('created', { migrationId: queued, phase: 'backfill', actor: 'before the upgrade', backfill: pacing });
    const orphan = await v10Job('active', { migrationId: running, phase: 'backfill', actor: 'before the upgrade', backfill: pacing }, { startedMinutesAgo: 1 });
    const finished = await v10Job('completed', { migrationId: queued, phase: 'expand', actor: 'before the upgrade' }, { output: { status: 'succeeded' } });
    await w.pool.query(`INSERT INTO ${JOB_SCHEMA}.archive SELECT *, now() FROM ${JOB_SCHEMA}.job WHERE id = $1`, [finished]);

    const migrator = await w.stateDb.client();
    const report = await applyStateSchema(migrator, await readStateSchema(STATE_FILES));
    // The upgrade first, then whatever state files came after it.
    const applied = report.applied.map((f) => f.version);
    expect(applied[0]).toBe(UPGRADE);
    expect(applied.every((v) => v >= UPGRADE)).toBe(true);
    expect((await w.pool.query(`SELECT version FROM ${JOB_SCHEMA}.version`)).rows).toEqual([{ version: 46 }]);
    const { rows: carried } = await w.pool.query(
      `SELECT id, state::text, started_on IS NOT NULL AS started, output FROM ${JOB_SCHEMA}.job ORDER BY created_on`,
    );
    expect(carried).toEqual([
      { id: waiting, state: 'created', started: false, output: null },
      { id: orphan, state: 'active', started: true, output: null },
      { id: finished, state: 'completed', started: false, output: { status: 'succeeded' } },
    ]);
    expect((await w.pool.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE '${JOB_SCHEMA}_%'`)).rows[0].n).toBe(0);

    const worker = await startPhaseWorker({ stateUrl: w.stateDb.url, targetUrl: w.targetDb.url, recoverEverySeconds: 1 });
    try {
      await until(async () => (await w.store.getMigration(queued)).status === 'backfilled' && (await w.store.getMigration(running)).status === 'backfilled');
      await until(async () => {
        const { rows } = await w.pool.query(`SELECT count(*)::int AS n FROM ${JOB_SCHEMA}.job WHERE id = ANY ($1) AND state = 'completed'`, [
          [waiting, orphan],
        ]);
        return rows[0].n === 2;
      });
    } finally {
      await worker.stop();
    }
    // The orphan was handed back by recoverOrphanedJobs: one try failed, the next ran it.
    const { rows: tries } = await w.pool.query(`SELECT retry_count FROM ${JOB_SCHEMA}.job WHERE id = $1`, [orphan]);
    expect(tries).toEqual([{ retry_count: 1 }]);
    // pg-boss 10 had dropped the queue's expiry (its create_queue read only expireInSeconds): the worker sets it.
    const { rows: queue } = await w.pool.query(`SELECT expire_seconds, retry_limit FROM ${JOB_SCHEMA}.queue WHERE name = $1`, [RUN_PHASE_QUEUE]);
    expect(queue).toEqual([{ expire_seconds: 23 * 60 * 60, retry_limit: 20 }]);
  });

  it('refuses a job queue at any other schema version than pg-boss 10, changing nothing', async () => {
    const db = await createTestDatabase('jobs_upgrade_other', 'state');
    try {
      const files = await readStateSchema(STATE_FILES);
      const client = await db.client();
      await applyStateSchema(
        client,
        files.filter((f) => f.version < UPGRADE),
      );
      await client.query(`UPDATE ${JOB_SCHEMA}.version SET version = 23`);
      const failed = await applyStateSchema(client, files).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(StateSchemaFailedError);
      expect((failed as Error).message).toMatch(/holds pg-boss schema version 23, not 24/);
      expect((await client.query(`SELECT version FROM ${JOB_SCHEMA}.version`)).rows).toEqual([{ version: 23 }]);
    } finally {
      await db.drop();
    }
  });
});
