import type { BackfillProgressView } from './backfill-progress';
import { describeSeconds } from './describe-seconds';

export interface BackfillDescription {
  /** "42.0%", or "?" while the table's size is unknown. */
  percent: string;
  /** "4,200 / 10,000 rows", or "4,200 rows" without a size. */
  rows: string;
  rate: string | null;
  /** Only while it runs: a paused or finished backfill has no arrival time. */
  eta: string | null;
  /** "table holds 10,000", from the table's statistics, when known. */
  table: string | null;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The words for a backfill's progress, shared by the command line and the page so that both say
 * the same thing about the same backfill; each joins them in its own way.
 */
export function describeBackfillProgress(p: BackfillProgressView, b: { status: string; tableRows: number | null }): BackfillDescription {
  return {
    percent: p.percent === null ? '?' : `${p.percent.toFixed(1)}%`,
    rows: `${count(p.done)}${p.total !== null ? ` / ${count(p.total)}` : ''} rows`,
    rate: p.rowsPerSecond ? `${count(Math.round(p.rowsPerSecond))} rows/s` : null,
    eta: p.etaSeconds !== null && b.status === 'running' ? `ETA ${describeSeconds(p.etaSeconds)}` : null,
    table: b.tableRows !== null ? `table holds ${count(b.tableRows)}` : null,
  };
}

/** The latest backfill job in the queue, as the state database holds it (pg-boss's job row). */
export interface BackfillJobFacts {
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  /** This try's number, from 1 (the queue's retry count + 1). */
  attempt: number;
  /** How many tries the queue makes in all (its retry limit + 1). */
  attempts: number;
  /** The last failed try's error, as the worker reported it. */
  lastError: string | null;
  /** Who queued it: a person's email, or `cli:<login>`. */
  queuedBy: string | null;
  queuedAt: Date;
  /** When the queue hands it to a worker (for a retry: after its back-off). */
  startAfter: Date;
  /** When it completed or finally failed; null while pending. */
  endedAt: Date | null;
}

export type BackfillStageWord = 'queued' | 'running' | 'retrying' | 'paused' | 'cancelled' | 'done' | 'failed';

export interface BackfillStage {
  word: BackfillStageWord;
  /** What else a person should know: who queued it and when, which try this is, the last error. */
  note: string | null;
}

const clock = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;
const PENDING: readonly BackfillJobFacts['state'][] = ['created', 'retry', 'active'];

/**
 * Where a backfill stands, from its saved progress and its latest job together: a job waiting in
 * the queue is "queued" at once (before any worker has touched it), a try that failed and waits to
 * be retried says so with its error, and one that ran out of tries is "failed" with its last
 * error. Nothing the queue does to a backfill stays unseen. Null: never asked for.
 */
export function backfillStage(
  backfill: { status: 'running' | 'paused' | 'cancelled' | 'done' | 'failed'; error: string | null; updatedAt: Date } | null,
  job: BackfillJobFacts | null,
): BackfillStage | null {
  const tries = job && job.attempt > 1 ? `try ${job.attempt} of ${job.attempts}` : null;
  const lastError = job?.lastError ? `last error: ${job.lastError}` : null;
  const join = (...parts: (string | null)[]) => parts.filter(Boolean).join('; ') || null;
  if (job && PENDING.includes(job.state)) {
    if (job.state === 'created')
      return { word: 'queued', note: join(`queued${job.queuedBy ? ` by ${job.queuedBy}` : ''} at ${clock(job.queuedAt)}, waiting for the job worker`) };
    if (job.state === 'retry')
      return { word: 'retrying', note: join(`try ${job.attempt} of ${job.attempts} failed`, lastError, `next try at ${clock(job.startAfter)}`) };
    return { word: 'running', note: join(backfill?.status === 'running' ? null : 'starting', tries, tries ? lastError : null) };
  }
  // A job that ran out of tries after the last saved progress: the backfill stopped there.
  if (job?.state === 'failed' && (!backfill || (job.endedAt ?? job.queuedAt) >= backfill.updatedAt)) {
    return { word: 'failed', note: join(`gave up after ${job.attempt} ${job.attempt === 1 ? 'try' : 'tries'}`, lastError) };
  }
  if (!backfill) return null;
  return { word: backfill.status, note: backfill.status === 'failed' && backfill.error ? `error: ${backfill.error}` : null };
}
