import type { ClientBase } from 'pg';
import { quoteLiteral } from '../migrations/quote';
import { markProduct } from '../migrations/sql-text';
import type { Step } from '../migrations/types';
import { AppError } from '../errors/app-error';

export class CheckFailedError extends AppError {
  readonly code = 'check-failed';
  readonly kind = 'conflict';
  /** What a form shows beside the message: the check's SQL, to find those rows with. */
  readonly detail?: { title: string; sql: string; cause: string; advice: string };
  constructor(
    readonly stepId: string,
    readonly count: number,
    readonly description: string,
    sql?: string,
  ) {
    super(`check ${stepId} found ${count} row(s): ${description}`);
    this.name = 'CheckFailedError';
    if (sql) {
      this.detail = {
        title: `check ${stepId} found ${count.toLocaleString('en-US')} row(s)`,
        sql,
        cause: description,
        advice: 'this query finds them: fix those rows (or the plan), then run the phase again',
      };
    }
  }
}

/**
 * Runs one planned SQL or check step on a dedicated connection. Transactional steps get
 * their own transaction with SET LOCAL timeouts (safe through transaction poolers); the
 * others get session settings that are reset afterwards, even when the step fails.
 * Backfill steps are not run here: see runBatch and runBackfillJob.
 */
export async function runStep(client: ClientBase, step: Step): Promise<{ count?: number }> {
  if (step.kind === 'backfill') throw new Error(`step ${step.id} is a backfill: run it with runBackfillJob`);
  const t = step.timeouts;
  if (step.transactional) {
    await client.query('BEGIN');
    try {
      if (t) await client.query(`SET LOCAL lock_timeout = ${quoteLiteral(t.lockTimeout)}; SET LOCAL statement_timeout = ${quoteLiteral(t.statementTimeout)}`);
      const result = await execute(client, step);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }
  if (t) await client.query(`SET lock_timeout = ${quoteLiteral(t.lockTimeout)}; SET statement_timeout = ${quoteLiteral(t.statementTimeout)}`);
  try {
    return await execute(client, step);
  } finally {
    if (t) await client.query('RESET lock_timeout; RESET statement_timeout').catch(() => {});
  }
}

async function execute(client: ClientBase, step: Step): Promise<{ count?: number }> {
  if (step.kind !== 'check') {
    await client.query(markProduct(step.sql));
    return {};
  }
  const { rows } = await client.query<{ count: string }>(markProduct(step.sql));
  const count = Number(rows[0]?.count ?? 0);
  if (count > 0) throw new CheckFailedError(step.id, count, step.description, step.sql);
  return { count };
}
