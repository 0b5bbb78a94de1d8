import type { RegressionPolicy } from '../metrics/error-regression';
import { PgBoss } from 'pg-boss';
import pg from 'pg';
import { describeUrl, redactSecrets } from '../db/connection-url';
import { connectTarget } from '../db/connect-target';
import { lostConnection, lostConnectionTo, quietLog, watchConnection } from '../db/watch-connection';
import { AppError } from '../errors/app-error';
import { WrongTargetError } from '../db/target-identity';
import { MigrationBusyError, PhaseNotAllowedError, runPhase, SeededMigrationError } from './run-phase';
import { tryLockMigration, unlockMigration } from '../state/migration-lock';
import type { RunPhase } from '../state/records';
import { StateStore } from '../state/state-store';
import { JOB_SCHEMA, RUN_BROWNOUT_QUEUE, RUN_PHASE_QUEUE } from '../state/job-queue-names';
import { BROWNOUT_STALE_SECONDS } from '../lifecycle/brownout-rules';
import { recoverBrownouts, runBrownout } from './run-brownout';
import { startWebhookDelivery } from './deliver-webhooks';
import { watchGates } from './watch-gates';

export interface RunPhaseJob {
  migrationId: number;
  phase: RunPhase;
  /** Who queued it: a person's email, or `cli:<login>` from the console. */
  actor: string;
  /** The person's request the job carries out: its runs are recorded in their name. */
  requestId?: number;
  /** Backfill pacing chosen by whoever queued it. */
  backfill?: { targetBatchMs?: number; throttleMs?: number };
}

/**
 * A brownout runs once: the column is put back by its own watcher, or, were that worker to die, by
 * the database-side timer and recoverBrownouts. A retry would rename it out of reach a second time
 * nobody asked for.
 */
const RUN_BROWNOUT_QUEUE_OPTIONS = { retryLimit: 0, expireInSeconds: 2 * 60 * 60 };

/** A long backfill is one job: it may run for hours, so a crash is detected by the lock check below, not by expiry. */
const RUN_PHASE_QUEUE_OPTIONS = { retryLimit: 20, retryDelay: 2, retryBackoff: true, expireInSeconds: 23 * 60 * 60 };

export async function openJobQueue(stateUrl: string, log?: (line: string) => void): Promise<PgBoss> {
  // migrate: false: the schema is the state database's, applied from supabase/migrations.
  const boss = new PgBoss({ connectionString: stateUrl, schema: JOB_SCHEMA, migrate: false, application_name: 'expand-contract-jobs', max: 4 });
  // The queue's own connections (polling, maintenance) reconnect by themselves; a lost one must not crash the process.
  const say = log && quietLog(log);
  boss.on('error', (error) => {
    const lost = lostConnectionTo('state', stateUrl, error);
    say?.(
      lost
        ? `job queue: ${lost.message}; it keeps polling and picks up again once the database answers`
        : `job queue: ${redactSecrets(error.message.split('\n')[0]!)}`,
    );
  });
  await boss.start();
  await boss.createQueue(RUN_PHASE_QUEUE, { policy: 'standard', ...RUN_PHASE_QUEUE_OPTIONS });
  // createQueue leaves a queue that exists as it is: one made by an older version (or carried over from pg-boss 10,
  // which had dropped the expiry) gets these settings here.
  await boss.updateQueue(RUN_PHASE_QUEUE, RUN_PHASE_QUEUE_OPTIONS);
  await boss.createQueue(RUN_BROWNOUT_QUEUE, { policy: 'standard', ...RUN_BROWNOUT_QUEUE_OPTIONS });
  return boss;
}

export async function enqueueBrownout(boss: PgBoss, brownoutId: number): Promise<string> {
  const id = await boss.send(RUN_BROWNOUT_QUEUE, { brownoutId }, {});
  if (!id) throw new Error('the job queue refused the job');
  return id;
}

export async function enqueuePhase(boss: PgBoss, job: RunPhaseJob): Promise<string> {
  const id = await boss.send(RUN_PHASE_QUEUE, job, {});
  if (!id) throw new Error('the job queue refused the job');
  return id;
}

/**
 * Jobs marked active whose migration lock nobody holds: their worker died (the lock is
 * held for the whole run on the runner's own connection, and the server releases it when
 * that connection goes). Failing them puts them back in the queue for a live worker;
 * backfills resume from their saved cursor.
 */
export async function recoverOrphanedJobs(boss: PgBoss, state: pg.Pool, graceSeconds = 10): Promise<number> {
  // A job that has only just become active may not hold its lock yet: failing it then would run it twice.
  const { rows } = await state.query<{ id: string; migration_id: number }>(
    `SELECT id, (data ->> 'migrationId')::int AS migration_id FROM ${JOB_SCHEMA}.job
      WHERE name = $1 AND state = 'active' AND started_on < now() - make_interval(secs => $2)`,
    [RUN_PHASE_QUEUE, graceSeconds],
  );
  let recovered = 0;
  for (const row of rows) {
    const client = await state.connect();
    try {
      if (!(await tryLockMigration(client, row.migration_id))) continue; // a live runner holds it
      await unlockMigration(client, row.migration_id);
      await boss.fail(RUN_PHASE_QUEUE, row.id, { error: 'the worker running this job stopped; retrying' });
      recovered += 1;
    } finally {
      client.release();
    }
  }
  return recovered;
}

/** Waits until the state database answers a query again (or the time is up). */
async function stateAnswers(state: pg.Pool, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
    if (
      await state.query('SELECT 1').then(
        () => true,
        () => false,
      )
    )
      return;
    if (Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, wait));
  }
}

export interface WorkerOptions {
  stateUrl: string;
  targetUrl: string;
  log?: (line: string) => void;
  /** How often to look for jobs whose worker died (default 15 s). */
  recoverEverySeconds?: number;
  sampleEverySeconds?: number;
  observationMinutes?: number;
  /** TARGET_REPLICA_URLS: read replicas whose sampled reads the gate counts too (by name only). */
  replicaUrls?: readonly string[];
  bufferMinutes?: number;
  regression?: RegressionPolicy;
  /** The target's jsonlog directory, where this process can read it: brownouts watch it for breaks. */
  targetLogDir?: string;
  requireBrownout?: boolean;
  /** Where the dashboard is reached: webhook payloads link to migration pages there. */
  publicUrl?: string;
  /** How often the open migrations' gates are looked at for the webhooks (default 30 s). */
  gateWatchSeconds?: number;
}

/**
 * A refusal that waiting will not change: who may (approvals, roles), what the migration is (seeded,
 * another target), or its state no longer allowing the phase. A busy migration, a lock, a lost or
 * unavailable database may pass, and are retried.
 */
function refusedForGood(error: unknown): boolean {
  if (error instanceof PhaseNotAllowedError || error instanceof SeededMigrationError || error instanceof WrongTargetError) return true;
  return error instanceof AppError && (error.kind === 'forbidden' || error.kind === 'invalid' || error.kind === 'not-found');
}

/**
 * Runs queued phases in this process. Several dashboards may run workers on one state
 * database: the queue hands each job to one of them, and the per-migration lock in
 * runPhase keeps two jobs for the same migration from running at once (the second is
 * retried later).
 */
export async function startPhaseWorker(options: WorkerOptions): Promise<{ boss: PgBoss; stop: () => Promise<void> }> {
  const log = options.log ?? (() => {});
  const state = new pg.Pool({ connectionString: options.stateUrl, max: 4, application_name: 'expand-contract-worker' });
  const stateWatch = watchConnection(state, 'state', options.stateUrl, log);
  const store = new StateStore(state);
  const boss = await openJobQueue(options.stateUrl, log);
  survivePgBossLostConnections(options.stateUrl, log);
  await recoverOrphanedJobs(boss, state);
  // A brownout whose watcher died (another worker, a killed CLI) is put back and recorded: at start, then every few seconds.
  const recoverOwnBrownouts = () =>
    recoverBrownouts({ state, targetUrl: options.targetUrl, log }, BROWNOUT_STALE_SECONDS).catch((error: unknown) =>
      log(`brownout recovery: ${redactSecrets((error as Error).message.split('\n')[0]!)}`),
    );
  await recoverOwnBrownouts();
  const timer = setInterval(() => void recoverOrphanedJobs(boss, state).catch(() => {}), (options.recoverEverySeconds ?? 15) * 1000);
  const brownoutTimer = setInterval(() => void recoverOwnBrownouts(), BROWNOUT_STALE_SECONDS * 1000);
  // Webhooks: deliveries through the queue, and the gates of the open migrations watched for what people must hear.
  const webhooks = await startWebhookDelivery(boss, state, { publicUrl: options.publicUrl ?? 'http://127.0.0.1:3000', log });
  let watching = false;
  const gateTimer = setInterval(
    () => {
      if (watching) return;
      watching = true;
      void watchGates({ ...options, state, log })
        .catch((error: unknown) => log(`gate watch: ${redactSecrets((error as Error).message.split('\n')[0]!)}`))
        .finally(() => (watching = false));
    },
    (options.gateWatchSeconds ?? 30) * 1000,
  );
  await boss.work<{ brownoutId: number }>(RUN_BROWNOUT_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    const outcome = await runBrownout(
      { state, targetUrl: options.targetUrl, targetLabel: describeUrl(options.targetUrl), logDir: options.targetLogDir, log, regression: options.regression },
      job!.data.brownoutId,
    );
    return { status: outcome.status, outcome: outcome.outcome };
  });
  await boss.work<RunPhaseJob>(RUN_PHASE_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    const { migrationId, phase, backfill, actor, requestId } = job!.data;
    const target = new pg.Client({ connectionString: options.targetUrl, application_name: 'expand-contract-worker' });
    const targetWatch = watchConnection(target, 'target', options.targetUrl);
    try {
      await connectTarget(target);
      log(`job ${job!.id}: ${phase} of migration ${migrationId}`);
      const outcome = await runPhase(
        {
          store,
          target,
          log,
          sampleEverySeconds: options.sampleEverySeconds,
          observationMinutes: options.observationMinutes,
          replicaUrls: options.replicaUrls,
          bufferMinutes: options.bufferMinutes,
          regression: options.regression,
        },
        migrationId,
        phase,
        { backfill, requestedBy: { requestId, name: actor } },
      );
      return { status: outcome.status, source: outcome.source };
    } catch (error) {
      if (error instanceof MigrationBusyError) log(`job ${job!.id}: migration ${migrationId} is busy elsewhere; will retry`);
      // A failed job goes back to the queue (retryLimit above), and a backfill resumes from its saved cursor.
      const lost = lostConnection(error, [targetWatch, stateWatch]);
      if (lost) log(`job ${job!.id}: ${lost.message}; the job is retried${phase === 'backfill' ? ' and resumes from the saved cursor' : ''}`);
      // pg-boss records the failure once this throws: were the state database not answering, that write would fail and
      // leave the job active until recoverOrphanedJobs finds it. So hand the failure over once the database answers.
      await stateAnswers(state, 120_000);
      if (!lost && refusedForGood(error)) {
        // No retry can change a refusal: the queue gives the job up now, with the reason as its last error.
        log(`job ${job!.id}: refused (${(error as Error).message}); not retried`);
        await state.query(`UPDATE ${JOB_SCHEMA}.job SET retry_limit = retry_count WHERE id = $1`, [job!.id]).catch(() => {});
      }
      throw lost ?? error;
    } finally {
      await target.end().catch(() => {});
    }
  });
  return {
    boss,
    stop: async () => {
      clearInterval(timer);
      clearInterval(brownoutTimer);
      clearInterval(gateTimer);
      webhooks.stop();
      await boss.stop({ graceful: true, timeout: 10_000 });
      await state.end().catch(() => {});
    },
  };
}

let guarding = false;

/**
 * A rejection of the job queue's that nothing awaits would end the process, dashboard included.
 * pg-boss 10 recorded a job's outcome (complete or fail) that way; 12 awaits it and reports a
 * failed write as an 'error' event (logged by openJobQueue), and this stays for whatever of its
 * own still rejects unawaited when the state database goes away. A lost connection is logged
 * instead; the job stays active, and recoverOrphanedJobs hands it back to the queue once the
 * database answers (a backfill resumes from its cursor). Anything else is left as it was: it ends
 * a process that had no other listener, as Node does by default.
 */
function survivePgBossLostConnections(stateUrl: string, log: (line: string) => void): void {
  if (guarding) return;
  guarding = true;
  process.on('unhandledRejection', (reason) => {
    const lost = lostConnectionTo('state', stateUrl, reason);
    if (!lost) {
      // Another listener (the dashboard's server) decides about the rest; alone, end the process as Node would.
      if (process.listenerCount('unhandledRejection') > 1) return;
      throw reason;
    }
    log(`job queue: ${lost.message}; the job's outcome is recorded once the database answers`);
  });
}
