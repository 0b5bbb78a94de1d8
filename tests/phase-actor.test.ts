import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgBoss } from 'pg-boss';
import type { Actor, Role } from '../lib/lifecycle/permissions';
import { approvePlan } from '../lib/data/approve-plan';
import { closeAllPools } from '../lib/db/pools';
import { createMigrationAs } from '../lib/data/create-migration';
import { latestBackfillJobs } from '../lib/data/get-migrations';
import { requestPhase, type PhaseRequestDeps } from '../lib/data/request-phase';
import { enqueuePhase, openJobQueue, startPhaseWorker } from '../lib/executor/job-queue';
import { PlanNotApprovedError } from '../lib/executor/plan-approvals';
import { runPhase } from '../lib/executor/run-phase';
import { backfillStage } from '../lib/metrics/describe-backfill-progress';
import { MigrationBusyError } from '../lib/state/errors';
import { JOB_SCHEMA } from '../lib/state/job-queue-names';
import { lockMigration } from '../lib/state/migration-lock';
import { runCli } from './helpers/cli-process';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';
import { phaseRunner } from './helpers/phase-runner';
import { addPerson } from './helpers/people';

let w: ExecutorWorld;
let boss: PgBoss;
const people: Record<string, Actor> = {};
const savedUrl = process.env.DATABASE_URL;
const policy = { signals: false as const, observationMinutes: 0, bufferMinutes: 0 };
let deps: PhaseRequestDeps;

const person = async (key: string, roles: Role[]) => (people[key] = await addPerson(w.pool, key, roles));

async function until<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const rename = (table: string) => ({ kind: 'rename-column', schema: 'public', table, column: 'user_email', newName: 'contact_email' }) as const;
const runsOf = async (id: number) => (await w.store.phaseRuns(id)).map((r) => `${r.phase} ${r.status} ${r.actor}`);
const phaseEntries = async (id: number) =>
  (
    await w.pool.query<{ actor: string; actor_id: string | null; action: string; phase: string }>(
      "SELECT actor, actor_id, action, detail ->> 'phase' AS phase FROM expand_contract.audit_log WHERE migration_id = $1 AND action LIKE 'phase.%' ORDER BY id",
      [id],
    )
  ).rows;
const stageOf = async (id: number) => backfillStage(await w.store.getBackfill(id), (await latestBackfillJobs([id])).get(id) ?? null);

beforeAll(async () => {
  w = await executorWorld('phase_actor');
  process.env.DATABASE_URL = w.stateDb.url; // latestBackfillJobs reads the state database the dashboard's way
  for (const t of ['leads', 'queued', 'refused', 'console'])
    await w.target.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, user_email text NOT NULL);
      INSERT INTO ${t} SELECT g, 'e' || g FROM generate_series(1, 2000) g; ANALYZE ${t};`);
  await person('author', ['author']);
  await person('reviewer', ['reviewer']);
  boss = await openJobQueue(w.stateDb.url);
  deps = {
    pool: w.pool,
    runPhase: phaseRunner(w.pool, w.target, policy),
    // As the dashboard's action does: the job carries the person's request.
    enqueueBackfill: (migrationId, request) => enqueuePhase(boss, { migrationId, phase: 'backfill', actor: request.requestedBy, requestId: request.requestId }),
  };
});
afterAll(async () => {
  process.env.DATABASE_URL = savedUrl;
  await closeAllPools();
  await boss.stop({ graceful: false });
  await w.close();
});

describe('a phase run names the person who pressed the button, and appears once in the audit log', () => {
  it('expand in the request and backfill through the queue are the author’s, one audit entry each', async () => {
    const id = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, rename('leads'));
    await approvePlan(w.pool, people.reviewer!, id);
    expect(await requestPhase(deps, people.author!, id, 'expand')).toMatchObject({ queued: false, outcome: { status: 'succeeded' } });

    // Queued: shown at once, from the job, before any worker has touched it; who queued it is named.
    expect(await requestPhase(deps, people.author!, id, 'backfill')).toMatchObject({ queued: true });
    expect(await stageOf(id)).toEqual({
      word: 'queued',
      note: expect.stringMatching(/^queued by author@team\.example at \d\d:\d\d UTC, waiting for the job worker$/),
    });

    const worker = await startPhaseWorker({ stateUrl: w.stateDb.url, targetUrl: w.targetDb.url, ...policy });
    try {
      await until(async () => (await w.store.getMigration(id)).status === 'backfilled');
    } finally {
      await worker.stop();
    }
    expect(await stageOf(id)).toEqual({ word: 'done', note: null });
    expect(await runsOf(id)).toEqual(['expand succeeded author@team.example', 'backfill succeeded author@team.example']);
    const runs = await w.pool.query('SELECT actor_id, request_id FROM expand_contract.phase_runs WHERE migration_id = $1', [id]);
    for (const r of runs.rows) expect(r).toEqual({ actor_id: people.author!.id, request_id: expect.any(String) });
    // One entry per run, in the author's name (and id); nothing under the executor's connection role.
    expect(await phaseEntries(id)).toEqual([
      { actor: 'author@team.example', actor_id: people.author!.id, action: 'phase.succeeded', phase: 'expand' },
      { actor: 'author@team.example', actor_id: people.author!.id, action: 'phase.succeeded', phase: 'backfill' },
    ]);
  }, 60_000);

  it('a request turned away before any run started is written once, by the request', async () => {
    const id = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, rename('refused'));
    await approvePlan(w.pool, people.reviewer!, id);
    // Recorded, then turned away: another run holds the migration.
    const runner = await lockMigration(w.pool, id);
    try {
      expect(await requestPhase(deps, people.author!, id, 'expand').catch((e: Error) => e)).toBeInstanceOf(MigrationBusyError);
    } finally {
      await runner.query('SELECT pg_advisory_unlock_all()');
      runner.release();
    }
    await requestPhase(deps, people.author!, id, 'expand');
    // Refused before it was recorded (expanded already): said why, and nothing is written.
    await expect(requestPhase(deps, people.author!, id, 'expand')).rejects.toThrow(
      `migration ${id} is expanded: expand runs only when it is planned or rolled_back`,
    );
    expect(await phaseEntries(id)).toEqual([
      { actor: 'author@team.example', actor_id: people.author!.id, action: 'phase.refused-or-failed', phase: 'expand' },
      { actor: 'author@team.example', actor_id: people.author!.id, action: 'phase.succeeded', phase: 'expand' },
    ]);
  });

  it('a queued backfill the executor refuses fails at once with the reason, shown on its page, not retried unseen', async () => {
    const id = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, rename('queued'));
    // Not expanded: the executor refuses this backfill, and no retry could change that.
    const job = await enqueuePhase(boss, { migrationId: id, phase: 'backfill', actor: people.author!.email });
    expect(await stageOf(id)).toMatchObject({ word: 'queued' });
    const worker = await startPhaseWorker({ stateUrl: w.stateDb.url, targetUrl: w.targetDb.url, ...policy });
    try {
      const stage = await until(async () => {
        const s = await stageOf(id);
        return s?.word === 'failed' ? s : null;
      });
      expect(stage.note).toMatch(new RegExp(`^gave up after 1 try; last error: migration ${id} is planned: backfill runs only when it is expanded`));
    } finally {
      await worker.stop();
    }
    const { rows } = await w.pool.query(`SELECT state::text, retry_count FROM ${JOB_SCHEMA}.job WHERE id = $1`, [job]);
    expect(rows[0]).toEqual({ state: 'failed', retry_count: 0 });
  }, 60_000);
});

describe('the command line and a migration planned in the dashboard', () => {
  const env = () => ({ DATABASE_URL: w.stateDb.url, TARGET_DATABASE_URL: w.targetDb.url, PORT: '3999' });

  it('refuses its expand without the plan approvals, saying why and where to approve; runs it, in the operator’s name, once approved', async () => {
    const id = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, rename('console'));
    for (const args of [
      ['run', String(id), 'expand'],
      ['run', String(id), 'expand', '--queue'],
    ]) {
      const p = runCli(args, env());
      expect(await p.exited, p.output()).toBe(1);
      expect(p.output()).toContain(
        `error: migration ${id} was planned in the dashboard and has 0 of 1 plan approvals: approve it at http://127.0.0.1:3999/migrations/${id} first`,
      );
    }
    expect(await runsOf(id)).toEqual([]);
    expect((await w.pool.query(`SELECT count(*)::int AS n FROM ${JOB_SCHEMA}.job WHERE data ->> 'migrationId' = $1`, [String(id)])).rows[0].n).toBe(0);
    // The executor refuses it too, for any caller (the job worker included).
    await expect(runPhase({ store: w.store, target: w.target, ...policy }, id, 'expand')).rejects.toBeInstanceOf(PlanNotApprovedError);

    await approvePlan(w.pool, people.reviewer!, id);
    const ok = runCli(['run', String(id), 'expand'], env());
    expect(await ok.exited, ok.output()).toBe(0);
    const operator = `cli:${os.userInfo().username}`;
    expect(await runsOf(id)).toEqual([`expand succeeded ${operator}`]);
    const status = runCli(['status', String(id)], env());
    expect(await status.exited).toBe(0);
    expect(status.output()).toMatch(new RegExp(`expand +succeeded .* ${operator.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(await phaseEntries(id)).toEqual([{ actor: operator, actor_id: null, action: 'phase.succeeded', phase: 'expand' }]);
  }, 120_000);

  it('a migration planned from files at the console runs as before, with no approvals', async () => {
    await w.target.query("CREATE TABLE files (id bigint PRIMARY KEY, user_email text NOT NULL); INSERT INTO files VALUES (1, 'a')");
    const id = await w.register(rename('files'));
    expect((await runPhase({ store: w.store, target: w.target, ...policy }, id, 'expand')).status).toBe('succeeded');
  });
});
