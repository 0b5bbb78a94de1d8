import pg, { type Pool, type PoolClient } from 'pg';
import { connectTarget } from '../db/connect-target';
import { SQL_STATE, sqlState } from '../db/sql-state';
import { targetIdentity, WrongTargetError } from '../db/target-identity';
import { AppError } from '../errors/app-error';
import { stateAllows } from '../lifecycle/migration-states';
import { brownoutSql, brownoutTimerSql, type BrownoutSpec } from '../migrations/brownout';
import { DEFAULT_PLAN_OPTIONS, type Timeouts } from '../migrations/types';
import { findBrownoutBreaks, mergeBreaks, type BrownoutBreak } from '../metrics/brownout-breaks';
import { DEFAULT_REGRESSION_POLICY, type RegressionPolicy } from '../metrics/error-regression';
import { errorEvidence } from '../signals/error-evidence';
import { tailPostgresLog } from '../signals/tail-postgres-log';
import {
  abandonedBrownouts,
  brownoutHeartbeat,
  claimBrownout,
  failUnstartedBrownouts,
  finishBrownout,
  getBrownout,
  markBrownoutRunning,
  type BrownoutEnd,
  type BrownoutRecord,
} from '../state/brownout-records';
import { tryLockMigration, unlockMigration } from '../state/migration-lock';
import { recordMigrationEvent } from '../state/record-migration-event';
import { StateStore } from '../state/state-store';
import type { MigrationRecord } from '../state/records';

export class BrownoutNotPossibleError extends AppError {
  readonly code = 'brownout-not-possible';
  readonly kind = 'conflict';
  constructor(
    readonly migrationId: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'BrownoutNotPossibleError';
  }
}

export interface BrownoutDeps {
  state: Pool;
  targetUrl: string;
  /** host:port/database: the name the target's error series are stored under. */
  targetLabel: string;
  /** The target's jsonlog directory, where this process can read it; without it only the services' error rates are watched. */
  logDir?: string;
  log?: (line: string) => void;
  /** How often the watcher looks (default 500 ms): a break is reverted within about this, plus the revert. */
  tickMs?: number;
  regression?: RegressionPolicy;
  /** Ends the brownout early (the CLI's Ctrl-C): it reverts and records why. */
  signal?: AbortSignal;
  /** Told after each look, for progress output. */
  onTick?: (t: { elapsedMs: number; totalMs: number; breaks: BrownoutBreak[] }) => void;
}

export interface BrownoutOutcome {
  id: number;
  status: BrownoutEnd['status'];
  outcome: string;
  breaks: BrownoutBreak[];
  revertMs: number | null;
}

/** Sessions of the product itself: their errors are never a break, and its log lines are told apart by this. */
const APPLICATION = 'expand-contract-brownout';
const DDL: Timeouts = DEFAULT_PLAN_OPTIONS.ddlTimeouts;
/** A worker polls the queue every second: a brownout still queued after this found none. */
const UNSTARTED_SECONDS = 120;
/** How long the rename may wait for its lock (retried under lock_timeout); the timer waits this and a margin for it. */
const RENAME_WITHIN_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The plan's brownout, or why this migration cannot have one. */
export function brownoutOf(migration: MigrationRecord): BrownoutSpec {
  if (migration.seeded) throw new BrownoutNotPossibleError(migration.id, `migration ${migration.id} is demo history: it never runs on the target`);
  const spec = migration.plan.brownout;
  if (spec) return spec;
  throw new BrownoutNotPossibleError(
    migration.id,
    spec === null
      ? `${migration.title}: its contract drops no column old code uses, so there is nothing to rehearse`
      : `migration ${migration.id} was planned before brownouts existed: plan it again to rehearse its contract`,
  );
}

/** Which name the column has on the target now. */
async function columnState(target: pg.ClientBase, spec: BrownoutSpec): Promise<'normal' | 'hidden' | 'missing'> {
  return (await target.query<{ state: 'normal' | 'hidden' | 'missing' }>(brownoutSql(spec).stateSql)).rows[0]!.state;
}

/** One transaction under the DDL timeouts; a lock it cannot get at once is retried until `until`. */
async function ddl(target: pg.ClientBase, statements: (client: pg.ClientBase) => Promise<void>, until: number): Promise<void> {
  for (;;) {
    await target.query(`BEGIN; SET LOCAL lock_timeout = '${DDL.lockTimeout}'; SET LOCAL statement_timeout = '${DDL.statementTimeout}'`);
    try {
      await statements(target);
      await target.query('COMMIT');
      return;
    } catch (error) {
      await target.query('ROLLBACK').catch(() => {});
      if (sqlState(error) !== SQL_STATE.lockNotAvailable || Date.now() > until) throw error;
      await sleep(100 + Math.random() * 200);
    }
  }
}

/**
 * Puts the column back under its name (and the sync functions with it), if it is still hidden.
 * Locks the table first, so a revert racing the database-side timer's waits and then finds it
 * done. A revert does not give up on a busy table: it retries for `retryMs`.
 */
export async function revertBrownout(target: pg.ClientBase, spec: BrownoutSpec, retryMs = 60_000): Promise<'reverted' | 'already'> {
  const sql = brownoutSql(spec);
  let result: 'reverted' | 'already' = 'already';
  await ddl(
    target,
    async (c) => {
      await c.query(sql.lockSql);
      if ((await columnState(c, spec)) !== 'hidden') return;
      await c.query(sql.revert);
      result = 'reverted';
    },
    Date.now() + retryMs,
  );
  return result;
}

async function audit(state: Pool | PoolClient, b: BrownoutRecord, action: string, detail: object): Promise<void> {
  await state.query('INSERT INTO expand_contract.audit_log (actor_id, actor, action, migration_id, detail) VALUES ($1, $2, $3, $4, $5)', [
    b.requestedBy,
    b.requestedByName,
    action,
    b.migrationId,
    JSON.stringify(detail),
  ]);
}

async function endWith(state: Pool, b: BrownoutRecord, end: BrownoutEnd): Promise<boolean> {
  const recorded = await finishBrownout(state, b.id, end);
  if (recorded && end.status === 'reverted')
    await recordMigrationEvent(state, {
      key: `brownout.reverted:${b.id}`,
      event: 'brownout.reverted',
      migrationId: b.migrationId,
      // Without the statements: their text from the log may hold values (literals, emails), and a webhook goes to a third party.
      summary: `brownout ${end.breaks.length ? `reverted: ${describeBreaks(end.breaks, false)}` : end.outcome}${end.revertMs !== null ? ` (back ${(end.revertMs / 1000).toFixed(1)} s after the first break)` : ''}`,
      evidence: { brownout: b.id, breaks: end.breaks.map((x) => ({ ...x, query: null })), revertMs: end.revertMs },
    });
  if (recorded)
    await audit(state, b, `brownout.${end.status}`, {
      brownout: b.id,
      outcome: end.outcome,
      breaks: end.breaks.length,
      ...(end.revertMs !== null ? { revertMs: end.revertMs } : {}),
    });
  return recorded;
}

async function openTarget(url: string, role: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: `${APPLICATION}-${role}` });
  client.on('error', () => {});
  return connectTarget(client);
}

/** A brownout another run already took (running: another watcher puts it back) or ended, as its record says. */
function asRecorded(r: BrownoutRecord): BrownoutOutcome {
  const status = r.status === 'clean' || r.status === 'failed' ? r.status : 'reverted';
  return { id: r.id, status, outcome: r.outcome ?? r.status, breaks: r.breaks, revertMs: r.revertMs };
}

/**
 * Runs one queued brownout to its end: the column renamed out of reach for its time while the
 * Postgres log and the services' error rates are watched, then renamed back. Anything that
 * names the column in the log (42703), a service's error rate above its baseline, a person's
 * Stop, or the caller's signal puts it back at once. The migration's lock is held throughout, so
 * no phase (the contract above all) runs during one. A database-side timer, started first on a
 * connection of its own, reverts at the set time even if this process dies.
 */
export async function runBrownout(deps: BrownoutDeps, brownoutId: number): Promise<BrownoutOutcome> {
  const log = deps.log ?? (() => {});
  const { state } = deps;
  const first = await getBrownout(state, brownoutId);
  if (!first) throw new BrownoutNotPossibleError(0, `brownout ${brownoutId} does not exist`);
  const b = first;
  if (b.status !== 'queued') return asRecorded(b);

  const lock = await state.connect();
  lock.on('error', () => {});
  let target: pg.Client | null = null;
  let timer: pg.Client | null = null;
  const fail = async (reason: string) => {
    await endWith(state, b, { status: 'failed', outcome: reason, breaks: [], firstBreakAt: null, revertMs: null, endedAt: new Date() });
    return { id: b.id, status: 'failed' as const, outcome: reason, breaks: [], revertMs: null };
  };
  try {
    if (!(await tryLockMigration(lock, b.migrationId)))
      return await fail(`migration ${b.migrationId} was busy with a phase run: start the brownout again once it ends`);
    const migration = await new StateStore(state).getMigration(b.migrationId);
    let spec: BrownoutSpec;
    try {
      spec = brownoutOf(migration);
    } catch (error) {
      return await fail((error as Error).message);
    }
    const allowed = stateAllows(migration.id, { state: migration.status, expandBegan: true, deployedAt: migration.deployedAt }, { kind: 'brownout.start' });
    if (!allowed.ok) return await fail(allowed.reason);

    target = await openTarget(deps.targetUrl, 'watch');
    if (migration.targetIdentity) {
      const actual = await targetIdentity(target);
      if (actual !== migration.targetIdentity) return await fail(new WrongTargetError(migration.id, migration.targetIdentity, actual).message);
    }
    const before = await columnState(target, spec);
    if (before !== 'normal') {
      return await fail(
        before === 'hidden'
          ? `${spec.column} is already renamed to ${spec.hiddenName} (an earlier brownout not put back?): run expand-contract brownout --recover`
          : `${spec.table.schema}.${spec.table.name}.${spec.column} is not on the target`,
      );
    }
    const tail = deps.logDir ? await tailPostgresLog(deps.logDir) : null;

    // Taken before anything is renamed: a brownout stopped, or recorded as never started, meanwhile stays so.
    if (!(await claimBrownout(state, b.id))) {
      const now = (await getBrownout(state, b.id))!;
      return now.status === 'queued' ? await fail('stopped by a person before it started') : asRecorded(now);
    }

    // The timer first: from the moment the column is renamed, something on the server brings it back.
    timer = await openTarget(deps.targetUrl, 'timer');
    const timerPid = (await timer.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await timer.query('SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0');
    // PostgreSQL 14+ can end a statement whose client is gone; the timer must outlive its client.
    await timer.query('SET client_connection_check_interval = 0').catch(() => {});
    const timerDone = timer.query(brownoutTimerSql(spec, b.seconds, DDL, RENAME_WITHIN_MS / 1000 + 5)).then(
      () => 'done',
      (e: unknown) => (e as Error).message,
    );

    const sql = brownoutSql(spec);
    try {
      await ddl(
        target,
        async (c) => {
          await c.query(sql.start);
        },
        Date.now() + RENAME_WITHIN_MS,
      );
    } catch (error) {
      await target.query('SELECT pg_cancel_backend($1)', [timerPid]).catch(() => {});
      return await fail(`could not rename ${spec.column} out of reach: ${(error as Error).message}`);
    }
    const startedAt = new Date();
    const totalMs = b.seconds * 1000;
    const endsAt = new Date(startedAt.getTime() + totalMs);

    let breaks: BrownoutBreak[] = [];
    let firstBreakAt: Date | null = null;
    let why: string | null = null;
    const policy = deps.regression ?? DEFAULT_REGRESSION_POLICY;
    let lastServiceLook = 0;
    // From here on, whatever fails puts the column back at once (below), not only the timer at the set time.
    try {
      await markBrownoutRunning(state, b.id, startedAt, endsAt);
      await audit(state, b, 'brownout.started', { brownout: b.id, seconds: b.seconds, column: spec.column, hiddenAs: spec.hiddenName });
      log(`brownout ${b.id}: ${spec.table.name}.${spec.column} is out of reach (renamed ${spec.hiddenName}) for ${b.seconds} s`);
      while (Date.now() < endsAt.getTime()) {
        await sleep(Math.min(deps.tickMs ?? 500, Math.max(0, endsAt.getTime() - Date.now())));
        // The log first, and a break acted on before the state database is asked anything: a slow one cannot delay the revert.
        if (tail) {
          const found = findBrownoutBreaks(await tail.read(), {
            database: target.database ?? '',
            column: spec.column,
            ownApplicationPrefix: 'expand-contract',
            readAt: new Date(),
          }).breaks;
          if (found.length) breaks = mergeBreaks(breaks, found);
        }
        const { stopRequested } = breaks.length ? { stopRequested: false } : await brownoutHeartbeat(state, b.id);
        if (breaks.length === 0 && Date.now() - lastServiceLook >= 2000) {
          lastServiceLook = Date.now();
          const evidence = await errorEvidence(state, deps.targetLabel, [{ phase: 'brownout', at: startedAt }], new Date(), policy, migration.services);
          const worse = evidence.phases[0]?.series.filter((s) => s.source === 'app' && s.regression) ?? [];
          if (worse.length) {
            breaks = mergeBreaks(
              breaks,
              worse.map((s) => ({
                at: new Date().toISOString(),
                source: 'service' as const,
                sqlstate: Object.keys(s.after.bySqlstate).sort((x, y) => s.after.bySqlstate[y]! - s.after.bySqlstate[x]!)[0] ?? '',
                message: s.detail,
                query: null,
                application: s.service,
                role: null,
                count: s.after.errors,
              })),
            );
          }
        }
        deps.onTick?.({ elapsedMs: Date.now() - startedAt.getTime(), totalMs, breaks });
        if (breaks.length) {
          firstBreakAt = new Date(Math.min(...breaks.map((x) => Date.parse(x.at))));
          why = `reverted: ${describeBreaks(breaks)}`;
          break;
        }
        if (stopRequested) {
          why = 'reverted: stopped early by a person';
          break;
        }
        if (deps.signal?.aborted) {
          why = `reverted: ${String(deps.signal.reason ?? 'interrupted')}`;
          break;
        }
      }
    } catch (error) {
      why = `reverted: the watch failed (${(error as Error).message.split('\n')[0]})`;
    }

    // Back: the timer is cancelled first, so it never runs its revert beside this one (both would be safe).
    await target.query('SELECT pg_cancel_backend($1)', [timerPid]).catch(() => {});
    await timerDone;
    const revertedBy = await revertBrownout(target, spec);
    const backAt = new Date();
    const revertMs = firstBreakAt ? Math.max(0, backAt.getTime() - firstBreakAt.getTime()) : null;
    const end: BrownoutEnd = why
      ? { status: 'reverted', outcome: why, breaks, firstBreakAt, revertMs, endedAt: backAt }
      : { status: 'clean', outcome: `clean: ${b.seconds} s without a break`, breaks, firstBreakAt: null, revertMs: null, endedAt: backAt };
    // At the set time the database-side timer may have put it back a moment first: that is how it should end. Early, it says so.
    if (revertedBy === 'already' && why) end.outcome += ' (the column was already back)';
    await endWith(state, b, end);
    log(`brownout ${b.id}: ${end.outcome}${revertMs !== null ? `; back ${revertMs} ms after the first break` : ''}`);
    return { id: b.id, status: end.status, outcome: end.outcome, breaks, revertMs };
  } finally {
    await unlockMigration(lock, b.migrationId).catch(() => {});
    lock.release();
    await timer?.end().catch(() => {});
    await target?.end().catch(() => {});
  }
}

/** "42703 from app nightly-report (role reporting): SELECT …", for the outcome line. */
export function describeBreaks(breaks: BrownoutBreak[], withQuery = true): string {
  return breaks
    .slice(0, 3)
    .map((x) =>
      x.source === 'service'
        ? `service ${x.application}: ${x.message}`
        : `${x.sqlstate} ${x.message}${x.application ? ` from ${x.application}` : ''}${x.role ? ` (role ${x.role})` : ''}${withQuery && x.query ? `: ${x.query.slice(0, 200)}` : ''}`,
    )
    .join('; ');
}

/**
 * A brownout whose watcher died (process killed, machine gone): the column is put back if the
 * database-side timer has not yet, and the record says what happened. Run at every start of the
 * dashboard's worker and of `expand-contract brownout`, and every few seconds by the worker. A
 * live watcher holds the migration's lock, so its brownout is never taken for dead.
 */
export async function recoverBrownouts(
  deps: Pick<BrownoutDeps, 'state' | 'targetUrl' | 'log'>,
  staleSeconds = 10,
): Promise<{ id: number; migrationId: number; outcome: string }[]> {
  const recovered: { id: number; migrationId: number; outcome: string }[] = [];
  for (const b of await failUnstartedBrownouts(deps.state, UNSTARTED_SECONDS)) {
    deps.log?.(`brownout ${b.id} of migration ${b.migrationId}: ${b.outcome}`);
    recovered.push({ id: b.id, migrationId: b.migrationId, outcome: b.outcome! });
  }
  const found = await abandonedBrownouts(deps.state, staleSeconds);
  if (found.length === 0) return recovered;
  const target = await openTarget(deps.targetUrl, 'recover');
  try {
    for (const b of found) {
      const lock = await deps.state.connect();
      try {
        if (!(await tryLockMigration(lock, b.migrationId))) continue;
        try {
          const spec = brownoutOf(await new StateStore(deps.state).getMigration(b.migrationId));
          const done = await revertBrownout(target, spec);
          const outcome =
            done === 'reverted'
              ? 'reverted: its watcher stopped (the process running it ended); put back at the next start'
              : 'reverted: its watcher stopped (the process running it ended); the database-side timer had put the column back at its set time';
          await endWith(deps.state, b, { status: 'reverted', outcome, breaks: b.breaks, firstBreakAt: b.firstBreakAt, revertMs: null, endedAt: new Date() });
          deps.log?.(`brownout ${b.id} of migration ${b.migrationId}: ${outcome}`);
          recovered.push({ id: b.id, migrationId: b.migrationId, outcome });
        } finally {
          await unlockMigration(lock, b.migrationId).catch(() => {});
        }
      } finally {
        lock.release();
      }
    }
  } finally {
    await target.end().catch(() => {});
  }
  return recovered;
}
