import type { ClientBase } from 'pg';
import type { LockLevel, QualifiedName, Step } from '../migrations/types';
import { quoteQualified } from '../migrations/quote';
import { describeSeconds } from '../metrics/describe-seconds';
import { runStep } from './run-step';
import { SQL_STATE, sqlState } from '../db/sql-state';
import { AppError } from '../errors/app-error';

export interface Blocker {
  pid: number;
  mode: string;
  state: string;
  query: string;
  seconds: number;
}

export function describeBlocker(b: Blocker): string {
  return `pid ${b.pid} running ${JSON.stringify(b.query)} for ${describeSeconds(b.seconds)} (${b.state}, holds ${b.mode})`;
}

/** A DDL step gave up waiting for its lock: who was in the way, so someone can act. */
export class LockBlockedError extends AppError {
  readonly code = 'lock-blocked';
  readonly kind = 'conflict';
  constructor(
    readonly stepId: string,
    readonly attempts: number,
    readonly blockers: Blocker[],
    /** The last lock timeout, as Postgres said it. */
    options?: { cause?: unknown },
  ) {
    super(
      `step ${stepId} could not get its lock after ${attempts} attempt(s): ` +
        (blockers.length ? `blocked by ${blockers.map(describeBlocker).join('; ')}` : 'the blocking session ended before it could be identified'),
      options,
    );
    this.name = 'LockBlockedError';
  }
}

// Which granted table locks each requested lock level has to wait for (PostgreSQL's conflict table).
const CONFLICTS: Record<LockLevel, string[]> = {
  NONE: [],
  'ACCESS SHARE': ['AccessExclusiveLock'],
  'ROW EXCLUSIVE': ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  'SHARE UPDATE EXCLUSIVE': ['ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  SHARE: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  'SHARE ROW EXCLUSIVE': ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  'ACCESS EXCLUSIVE': [
    'AccessShareLock',
    'RowShareLock',
    'RowExclusiveLock',
    'ShareUpdateExclusiveLock',
    'ShareLock',
    'ShareRowExclusiveLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
  ],
};

/**
 * Sessions holding a lock on the table that conflicts with the one the step needs, oldest
 * transaction first. Their query text has its literals blanked: it may hold other people's data.
 */
export async function findBlockers(client: ClientBase, table: QualifiedName | null, wanted: LockLevel = 'ACCESS EXCLUSIVE'): Promise<Blocker[]> {
  if (!table) return [];
  const { rows } = await client.query<{ pid: number; mode: string; state: string; query: string; seconds: number }>(
    `SELECT DISTINCT ON (a.pid) a.pid, l.mode, coalesce(a.state, '') AS state,
            left(regexp_replace(regexp_replace(coalesce(a.query, ''), '''(?:[^'']|'''')*''', '''…''', 'g'), '\\s+', ' ', 'g'), 200) AS query,
            extract(epoch FROM now() - coalesce(a.xact_start, a.query_start, now()))::float8 AS seconds
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.granted AND a.pid <> pg_backend_pid()
        AND l.locktype = 'relation' AND l.relation = to_regclass($1::text) AND l.mode = ANY($2::text[])
      ORDER BY a.pid, array_position($3::text[], l.mode) DESC`,
    [quoteQualified(table.schema, table.name), CONFLICTS[wanted], CONFLICTS['ACCESS EXCLUSIVE']],
  );
  return rows.sort((a, b) => b.seconds - a.seconds);
}

export interface RetryOptions {
  /** The table the step locks, to name who holds it when the step gives up. */
  table: QualifiedName | null;
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (attempt: number, blockers: Blocker[], delayMs: number) => Promise<void> | void;
  /** For tests: how to wait. */
  sleep?: (ms: number) => Promise<void>;
}

const LOCK_NOT_AVAILABLE = SQL_STATE.lockNotAvailable;

/**
 * Runs a step whose lock_timeout is short, so it never waits long in the lock queue
 * (where it would block every later reader and writer of the table), and retries with
 * jittered exponential backoff while the table stays free for everyone else.
 */
export async function runWithLockRetry(client: ClientBase, step: Step, options: RetryOptions): Promise<{ attempts: number; count?: number }> {
  const attempts = options.attempts ?? 8;
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 5_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await runStep(client, step);
      return { attempts: attempt, ...result };
    } catch (error) {
      if (sqlState(error) !== LOCK_NOT_AVAILABLE) throw error;
      const blockers = await findBlockers(client, options.table, step.lock);
      if (attempt >= attempts) throw new LockBlockedError(step.id, attempt, blockers, { cause: error });
      // Equal jitter: never (almost) zero, so two waits in the lock queue are never back to back,
      // and random enough that several runners do not retry in step.
      const backoff = Math.min(max, base * 2 ** (attempt - 1));
      const delay = Math.round(backoff / 2 + Math.random() * (backoff / 2));
      await options.onRetry?.(attempt, blockers, delay);
      await sleep(delay);
    }
  }
}
