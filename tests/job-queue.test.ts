import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgBoss } from 'pg-boss';
import { enqueuePhase, openJobQueue, startPhaseWorker } from '../lib/executor/job-queue';
import { runPhase } from '../lib/executor/run-phase';
import { runCli } from './helpers/cli-process';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
let boss: PgBoss;
const ROWS = 40_000;

async function until<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  w = await executorWorld('jobs');
  for (const t of ['leads', 'contacts']) {
    await w.target.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, user_email text NOT NULL);
                          INSERT INTO ${t} SELECT g, 'x' || g || '@x.io' FROM generate_series(1, ${ROWS}) g; ANALYZE ${t};`);
  }
  boss = await openJobQueue(w.stateDb.url);
});
afterAll(async () => {
  await boss.stop({ graceful: false });
  await w.close();
});

describe('backfills as durable jobs', () => {
  it('a job whose worker was killed is picked up by another worker and resumes from its cursor', async () => {
    const id = await w.register(
      { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' },
      { batchSize: 300 },
    );
    await runPhase({ store: w.store, target: w.target }, id, 'expand');

    const first = runCli(['worker'], { DATABASE_URL: w.stateDb.url, TARGET_DATABASE_URL: w.targetDb.url });
    await first.waitFor(/worker ready/);
    await enqueuePhase(boss, { migrationId: id, phase: 'backfill', actor: 'test', backfill: { targetBatchMs: 2, throttleMs: 25 } });
    await until(async () => ((await w.store.getBackfill(id))?.batches ?? 0) >= 4);
    first.child.kill('SIGKILL');
    await first.exited;
    const cut = (await w.store.getBackfill(id))!;
    expect(cut.rowsScanned).toBeLessThan(ROWS);

    const second = await startPhaseWorker({ stateUrl: w.stateDb.url, targetUrl: w.targetDb.url, recoverEverySeconds: 1 });
    try {
      await until(async () => (await w.store.getMigration(id)).status === 'backfilled');
    } finally {
      await second.stop();
    }
    const done = (await w.store.getBackfill(id))!;
    expect(done.status).toBe('done');
    expect(done.rowsScanned - ROWS).toBeLessThanOrEqual(cut.batchSize * 1.5 + 1); // resumed, not restarted
    const runs = (await w.store.phaseRuns(id)).map((r) => `${r.phase}:${r.status}`);
    expect(runs, runs.join(' ')).toEqual(['expand:succeeded', 'backfill:failed', 'backfill:succeeded']);
    const drift = await w.target.query('SELECT count(*)::int AS n FROM leads WHERE contact_email IS DISTINCT FROM user_email');
    expect(drift.rows[0]!.n).toBe(0);
  });

  it('two workers never run the same migration at the same time', async () => {
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'contacts', column: 'user_email', newName: 'email' }, { batchSize: 300 });
    await runPhase({ store: w.store, target: w.target }, id, 'expand');
    const workers = [
      await startPhaseWorker({ stateUrl: w.stateDb.url, targetUrl: w.targetDb.url }),
      await startPhaseWorker({ stateUrl: w.stateDb.url, targetUrl: w.targetDb.url }),
    ];
    try {
      const job = { migrationId: id, phase: 'backfill' as const, actor: 'test', backfill: { targetBatchMs: 2, throttleMs: 10 } };
      await Promise.all([enqueuePhase(boss, job), enqueuePhase(boss, job)]);
      await until(async () => {
        const runs = await w.store.phaseRuns(id);
        return runs.filter((r) => r.phase === 'backfill' && r.status === 'succeeded').length === 2;
      }, 60_000);
    } finally {
      await Promise.all(workers.map((x) => x.stop()));
    }
    const backfillRuns = (await w.store.phaseRuns(id)).filter((r) => r.phase === 'backfill');
    // Each run started only after the previous one finished.
    for (let i = 1; i < backfillRuns.length; i += 1) {
      expect(backfillRuns[i]!.startedAt.getTime()).toBeGreaterThanOrEqual(backfillRuns[i - 1]!.finishedAt!.getTime());
    }
    expect((await w.store.getBackfill(id))!.rowsChanged).toBe(ROWS);
  });
});
