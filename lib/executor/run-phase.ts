import type { ClientBase } from 'pg';
import { describeLossySamples, type GateDecision, type ParityEvidence } from '../gate/evaluate-gate';
import { rowSecurityProblem } from '../gate/row-security-problem';
import { prepareTargetSession } from '../db/connect-target';
import { PHASE_ALLOWED_FROM, STATE_AFTER, stateAllows } from '../lifecycle/migration-states';
import { contractGate, type GateEvidenceDeps } from '../signals/gate-evidence';
import { legacyColumn } from '../signals/legacy-usage';
import { sampleStatements } from '../signals/sample-statements';
import { planReadsRows } from '../migrations/plan-reads-rows';
import { renderPhase, stepsFor, type FilePhase } from '../migrations/render-sql';
import type { Plan, QualifiedName, Step } from '../migrations/types';
import { runBackfillJob, type BackfillJobOptions } from './backfill-job';
import { findInHistory, historyName, phaseVisibleInCatalog, recordHistory } from './history';
import { LockBlockedError, runWithLockRetry, type RetryOptions } from './lock-retry';
import { runParityCheck, type ParityOptions, type ParityResult } from './parity-check';
import { readRowAccess } from '../db/read-row-access';
import { lockMigration, unlockMigration } from '../state/migration-lock';
import type { MigrationRecord, MigrationStatus, RunPhase } from '../state/records';
import { targetIdentity, WrongTargetError } from '../db/target-identity';
import { AppError } from '../errors/app-error';
import { operationFor } from '../migrations/operations';
import { asPhaseFailure, stepFailure } from './phase-failure';
import { finishPhaseRun, startPhaseRun, type PhaseRequester } from './phase-run-log';
import { assertPlanReviewed } from './plan-approvals';
import { parseEnv } from '../config/env';

export class PhaseNotAllowedError extends AppError {
  readonly code = 'phase-not-allowed';
  readonly kind = 'conflict';
  constructor(
    readonly migrationId: number,
    readonly phase: RunPhase,
    readonly status: MigrationStatus,
    readonly allowedFrom: MigrationStatus[],
  ) {
    super(`migration ${migrationId} is ${status}: ${phase} runs only when it is ${allowedFrom.join(' or ')}`);
    this.name = 'PhaseNotAllowedError';
  }
}

export { MigrationBusyError } from '../state/errors';

export class GateClosedError extends AppError {
  readonly code = 'gate-closed';
  readonly kind = 'conflict';
  constructor(
    readonly migrationId: number,
    readonly decision: GateDecision,
  ) {
    super(`contract of migration ${migrationId} is not allowed: ${decision.reasons.join('; ')}`);
    this.name = 'GateClosedError';
  }
}

export class SeededMigrationError extends AppError {
  readonly code = 'seeded-migration';
  readonly kind = 'conflict';
  constructor(readonly migrationId: number) {
    super(`migration ${migrationId} is seeded demo history: it was never run on the target, and none of its phases can run`);
    this.name = 'SeededMigrationError';
  }
}

/** The state connection holding a run's migration lock went away, and the lock with it. */
export class RunLockLostError extends AppError {
  readonly code = 'run-lock-lost';
  readonly kind = 'unavailable';
  constructor(
    readonly migrationId: number,
    cause: unknown,
  ) {
    super(
      `migration ${migrationId}: the state database connection holding its run lock was lost (${String((cause as Error)?.message ?? cause).split('\n')[0]}); the run stopped, so that no other run overlaps it`,
      { cause },
    );
    this.name = 'RunLockLostError';
  }
}

/** Row-level security applies to the executing role on the migration's table: it may not see every row. */
export class RowSecurityError extends AppError {
  readonly code = 'row-security';
  readonly kind = 'forbidden';
  constructor(
    readonly migrationId: number,
    readonly phase: RunPhase,
    readonly table: QualifiedName,
    readonly role: string,
    /** What is wrong and what to do. */
    readonly problem: string,
  ) {
    super(`${phase} of migration ${migrationId} refused before any change: ${problem}`);
    this.name = 'RowSecurityError';
  }
}

export class ApiRoleError extends AppError {
  readonly code = 'api-role';
  readonly kind = 'invalid';
  constructor(readonly role: string) {
    super(
      `the target connection runs as "${role}", an API role with a statement timeout of seconds: use a direct or session connection (e.g. the postgres role)`,
    );
    this.name = 'ApiRoleError';
  }
}

const API_ROLES = new Set(['anon', 'authenticated', 'authenticator', 'service_role']);

/** The phase runner's needs: the gate's evidence and policy (lib/signals), a log and a clock. */
export interface ExecutorDeps extends GateEvidenceDeps {
  log?: (line: string) => void;
  now?: () => Date;
  /** The replay lag the backfill keeps the target's replicas under; EC_REPLICA_LAG_CEILING_SECONDS unless given. */
  replicaLagCeilingSeconds?: number;
}

export interface PhaseOptions {
  backfill?: BackfillJobOptions;
  /** The verify phase's parity check: range size, progress. */
  parity?: ParityOptions;
  retry?: Omit<RetryOptions, 'table'>;
  /** Stops the phase at its next safe point (between backfill batches, before a contract's drop), failing with the signal's reason. */
  signal?: AbortSignal;
  /** Whom it runs for: the run and its audit entry carry that name (default: the executor's own). */
  requestedBy?: PhaseRequester;
}

export interface PhaseOutcome {
  phase: RunPhase;
  /** supabase-cli: the phase had already been applied from an exported file; nothing ran. */
  source: 'executor' | 'supabase-cli';
  status: 'succeeded' | 'paused' | 'cancelled';
  parity?: ParityResult;
  historyVersion?: string;
}

function tableOf(plan: Plan): QualifiedName | null {
  const target = operationFor(plan.operation).target(plan.operation);
  return target && { schema: target.schema, name: target.table };
}

// Phases whose steps read or write the table's rows, for plans that have any: a rollback only drops what the expand added.
const READS_ROWS: RunPhase[] = ['expand', 'backfill', 'verify', 'contract', 'restore'];

/**
 * Refuses, before anything changes, a phase whose role the table's row-level security applies
 * to. row_security = off on the session already makes such a read fail instead of silently
 * seeing fewer rows; this says so up front, with the fix, instead of mid-phase.
 */
async function checkRowAccess(target: ClientBase, migrationId: number, phase: RunPhase, plan: Plan): Promise<void> {
  const table = tableOf(plan);
  if (!table || !READS_ROWS.includes(phase) || !planReadsRows(plan)) return;
  const access = await readRowAccess(target, table);
  const problem = access && rowSecurityProblem(access);
  if (problem) throw new RowSecurityError(migrationId, phase, table, access.role, problem);
}

/** The latest parity check's result as the gate judges it. */
const parityEvidence = (p: ParityResult, checkedAt: Date): ParityEvidence => ({
  mismatched: p.mismatched,
  checkedAt,
  rowsChecked: p.rowsChecked,
  tableRows: p.tableRows,
  lossy: p.lossy,
});

async function checkParity(target: ClientBase, plan: Plan, options?: ParityOptions): Promise<ParityResult> {
  return runParityCheck(target, { table: tableOf(plan)!, parity: plan.parity!, backfill: plan.backfill }, options);
}

const n = (x: number) => x.toLocaleString('en-US');
/** One line for the log: the counts beside each other, and the values that would not survive. */
export function describeParity(p: Pick<ParityEvidence, 'mismatched' | 'rowsChecked' | 'tableRows' | 'lossy'>): string {
  const table = p.tableRows === null ? '' : ` (table holds ${n(p.tableRows)})`;
  const lossy = p.lossy
    ? `; ${n(p.lossy.rows)} would not survive the contract${p.lossy.samples.length ? ` (${describeLossySamples(p.lossy.samples)})` : ''}`
    : '';
  return `${n(p.mismatched)} of ${n(p.rowsChecked)} rows differ${table}${lossy}`;
}

/**
 * Runs one phase of a registered migration on the target: checks that the phase may run
 * now, notices when it was already applied with the Supabase CLI, runs each step with
 * lock-timeout retries, records every step, the phase and the target's migration history.
 */
export async function runPhase(deps: ExecutorDeps, migrationId: number, phase: RunPhase, options: PhaseOptions = {}): Promise<PhaseOutcome> {
  const { store, target } = deps;
  const log = deps.log ?? (() => {});
  const now = deps.now ?? (() => new Date());
  const lock = await lockMigration(store.pool, migrationId);
  let lockLost = false;
  // The server frees the lock with its connection, so another runner may start this migration now: stop at the next safe point.
  const lockGone = new AbortController();
  lock.on('error', (error) => {
    lockLost = true;
    lockGone.abort(new RunLockLostError(migrationId, error));
  });
  const guarded: PhaseOptions = { ...options, signal: options.signal ? AbortSignal.any([options.signal, lockGone.signal]) : lockGone.signal };
  try {
    const migration = await store.getMigration(migrationId);
    if (migration.seeded) throw new SeededMigrationError(migrationId);
    if (migration.targetIdentity) {
      const actual = await targetIdentity(target);
      if (actual !== migration.targetIdentity) throw new WrongTargetError(migrationId, migration.targetIdentity, actual);
    }
    if (await store.markInterrupted(migrationId)) log('an earlier run of this migration was interrupted; it is marked failed and resumes now');
    if (!stateAllows(migrationId, { state: migration.status, expandBegan: false, deployedAt: migration.deployedAt }, { kind: 'phase.run', phase }).ok) {
      throw new PhaseNotAllowedError(migrationId, phase, migration.status, [...PHASE_ALLOWED_FROM[phase]]);
    }
    await assertPlanReviewed(store.pool, migration, phase);
    const role = (await target.query<{ r: string }>('SELECT current_user AS r')).rows[0]!.r;
    if (API_ROLES.has(role)) throw new ApiRoleError(role);
    // Whoever opened this connection: the executor's reads raise rather than see a filtered subset.
    await prepareTargetSession(target);
    await checkRowAccess(target, migrationId, phase, migration.plan);

    const filePhase: FilePhase | null = phase === 'expand' || phase === 'contract' || phase === 'rollback' || phase === 'restore' ? phase : null;
    if (filePhase) {
      const version = await findInHistory(target, migration.plan, filePhase);
      if (version && (await phaseVisibleInCatalog(target, migration.plan, filePhase))) {
        log(`${phase} was already applied with the Supabase CLI (version ${version}); marking it done`);
        const run = await startPhaseRun(store.pool, migrationId, phase, 'supabase-cli', options.requestedBy);
        await finishPhaseRun(store.pool, run, 'succeeded', { historyVersion: version });
        await store.setStatus(migrationId, STATE_AFTER[phase]!);
        return { phase, source: 'supabase-cli', status: 'succeeded', historyVersion: version };
      }
    }

    const run = await startPhaseRun(store.pool, migrationId, phase, 'executor', options.requestedBy);
    try {
      const outcome = await runPhaseSteps(deps, migration, phase, run, guarded, log, now);
      await finishPhaseRun(store.pool, run, outcome.status, { historyVersion: outcome.historyVersion });
      if (outcome.status === 'succeeded' && STATE_AFTER[phase]) await store.setStatus(migrationId, STATE_AFTER[phase]!);
      return outcome;
    } catch (error) {
      const failure = asPhaseFailure(migrationId, phase, error);
      // The run's own error is what the operator must hear, even when the state database cannot record it now
      // (its run then stays 'running' and the next run marks it interrupted).
      await finishPhaseRun(store.pool, run, 'failed', { error: failure.message }).catch(() => {});
      throw failure;
    }
  } catch (error) {
    // Nothing a phase throws leaves the executor untyped: a form, the CLI and the API answer it as the product's error.
    throw asPhaseFailure(migrationId, phase, error);
  } finally {
    const unlocked = lockLost ? false : await unlockMigration(lock, migrationId).catch(() => false);
    // A lock we could not give back goes with its connection, rather than back into the pool.
    lock.release(!unlocked);
  }
}

async function runSteps(
  deps: ExecutorDeps,
  migration: MigrationRecord,
  phase: RunPhase,
  steps: Step[],
  runId: number,
  options: PhaseOptions,
  log: (l: string) => void,
) {
  const { plan } = migration;
  for (const step of steps) {
    const startedAt = new Date();
    log(`  ${step.id} (${step.lock})`);
    try {
      const { attempts } = await runWithLockRetry(deps.target, step, {
        ...options.retry,
        table: tableOf(plan),
        onRetry: (attempt, blockers, delay) =>
          log(`    lock not available (attempt ${attempt}), retrying in ${delay} ms${blockers[0] ? `; held by pid ${blockers[0].pid}` : ''}`),
      });
      await deps.store.recordStep(runId, step.id, { status: 'succeeded', attempts, startedAt });
    } catch (error) {
      const failure = await stepFailure(deps.target, plan, migration.id, phase, step, error);
      const blockedBy = failure instanceof LockBlockedError ? failure.blockers : undefined;
      await deps.store.recordStep(runId, step.id, {
        status: 'failed',
        attempts: failure instanceof LockBlockedError ? failure.attempts : 1,
        blockedBy,
        error: failure.message,
        startedAt,
      });
      throw failure;
    }
  }
}

async function finishDdlPhase(deps: ExecutorDeps, plan: Plan, phase: FilePhase, now: () => Date): Promise<string> {
  const version = await recordHistory(deps.target, now(), historyName(plan, phase), [renderPhase(plan, phase)]);
  // PostgREST (Supabase's API) caches the schema: make the change visible to API clients at once.
  await deps.target.query("NOTIFY pgrst, 'reload schema'");
  return version;
}

async function runPhaseSteps(
  deps: ExecutorDeps,
  migration: MigrationRecord,
  phase: RunPhase,
  runId: number,
  options: PhaseOptions,
  log: (l: string) => void,
  now: () => Date,
): Promise<PhaseOutcome> {
  const { plan } = migration;
  const steps = (p: string) => plan.steps.filter((s) => s.phase === p);
  switch (phase) {
    case 'expand': {
      await runSteps(
        deps,
        migration,
        phase,
        stepsFor(plan, 'expand').filter((s) => s.phase !== 'backfill'),
        runId,
        options,
        log,
      );
      return { phase, source: 'executor', status: 'succeeded', historyVersion: await finishDdlPhase(deps, plan, 'expand', now) };
    }
    case 'backfill': {
      if (plan.backfill) {
        const outcome = await runBackfillJob(deps.store, deps.target, migration.id, plan.backfill, plan.batchSize, {
          // Every entry point (dashboard, worker, CLI) has parsed the environment at start, so this cannot newly fail here.
          replicaLagCeilingSeconds: deps.replicaLagCeilingSeconds ?? parseEnv(process.env).EC_REPLICA_LAG_CEILING_SECONDS,
          log,
          ...options.backfill,
          signal: options.signal,
        });
        if (outcome !== 'done') return { phase, source: 'executor', status: outcome === 'paused' ? 'paused' : 'cancelled' };
      }
      await runSteps(
        deps,
        migration,
        phase,
        steps('backfill').filter((s) => s.kind !== 'backfill'),
        runId,
        options,
        log,
      );
      return { phase, source: 'executor', status: 'succeeded' };
    }
    case 'verify': {
      if (!plan.parity) return { phase, source: 'executor', status: 'succeeded' };
      const parity = await checkParity(deps.target, plan, options.parity);
      await deps.store.recordParity(migration.id, parity);
      log(`  parity: ${describeParity(parity)} (${parity.durationMs} ms)`);
      return { phase, source: 'executor', status: 'succeeded', parity };
    }
    case 'contract': {
      // The file's own checks are measured here otherwise: parity after the archive, the triggers under the drop's lock, the gate.
      const contractSteps = steps('contract').filter((s) => !s.fileOnly);
      const destructive = contractSteps.at(-1);
      // A contract cut off after its drop committed: finish the bookkeeping, do not re-check a column that is gone.
      const alreadyDone = migration.status === 'contracting' && (await phaseVisibleInCatalog(deps.target, plan, 'contract'));
      let parity: ParityResult | undefined;
      if (!alreadyDone) {
        await runSteps(deps, migration, phase, contractSteps.slice(0, -1), runId, options, log); // checks, archive, validation: nothing lost yet
        // The gate is re-checked here, inside the run, under the migration's lock, on parity measured after the archive.
        if (plan.parity) {
          parity = await checkParity(deps.target, plan);
          await deps.store.recordParity(migration.id, parity);
        }
        // A sample of pg_stat_statements now, so "nothing reads the old column" holds up to this moment,
        // not only up to the background sampler's last visit (it skips when that sampler is mid-sample).
        if (deps.signals !== false && legacyColumn(migration.spec)) await sampleStatements(deps.target, deps.store.pool, migration.target).catch(() => {});
        const { decision } = await contractGate(deps, migration, now(), parity ? parityEvidence(parity, now()) : undefined);
        if (!decision.allowed) throw new GateClosedError(migration.id, decision);
        options.signal?.throwIfAborted(); // the drop runs only while this run still holds the migration's lock
        await deps.store.setStatus(migration.id, 'contracting');
        try {
          if (destructive) await runSteps(deps, migration, phase, [destructive], runId, options, log);
        } catch (error) {
          // The drop runs in one transaction: if the catalog still shows the old column, nothing was lost.
          if (!(await phaseVisibleInCatalog(deps.target, plan, 'contract').catch(() => true))) await deps.store.setStatus(migration.id, migration.status);
          throw error;
        }
      }
      return { phase, source: 'executor', status: 'succeeded', parity, historyVersion: await finishDdlPhase(deps, plan, 'contract', now) };
    }
    case 'rollback':
    case 'restore': {
      await runSteps(deps, migration, phase, steps(phase), runId, options, log);
      if (phase === 'rollback') await deps.store.resetBackfill(migration.id);
      return { phase, source: 'executor', status: 'succeeded', historyVersion: await finishDdlPhase(deps, plan, phase, now) };
    }
  }
}
