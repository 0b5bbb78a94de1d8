import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY } from '../lib/state/migration-lock';
import pg from 'pg';
import { describeUrl } from '../lib/db/connection-url';
import { ephemeralPort } from '../lib/db/free-port';
import { enqueuePhase, openJobQueue } from '../lib/executor/job-queue';
import { runPhase } from '../lib/executor/run-phase';
import { MigrationBusyError } from '../lib/state/errors';
import { quoteIdent } from '../lib/migrations/quote';
import { runCli, type CliProcess } from './helpers/cli-process';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';
import { adminUrl } from './helpers/test-database';

// Big enough, with small throttled batches, that the backfill is still running when its connection is cut.
const ROWS = 8_000;
const PACING = ['--batch-ms', '2', '--throttle-ms', '15'];
let w: ExecutorWorld;
let tables = 0;

beforeAll(async () => {
  w = await executorWorld('connloss');
  // Every write the backfill makes to a row is logged here, so "nothing written twice" is measured on the target itself.
  await w.target.query(`CREATE TABLE backfill_writes (tbl text NOT NULL, id bigint NOT NULL);
    CREATE FUNCTION log_backfill_write() RETURNS trigger LANGUAGE plpgsql AS
      $$BEGIN INSERT INTO backfill_writes VALUES (TG_TABLE_NAME, NEW.id); RETURN NULL; END$$;`);
});
afterAll(() => w?.close());

const env = () => ({ DATABASE_URL: w.stateDb.url, TARGET_DATABASE_URL: w.targetDb.url });

/** A table of ROWS leads, its rename registered and expanded, and every later write to the new column logged. */
async function expandedRename(): Promise<{ id: number; table: string }> {
  tables += 1;
  const table = `leads_${tables}`;
  await w.target.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, user_email text NOT NULL);
    INSERT INTO ${table} SELECT g, 'lead' || g || '@x.io' FROM generate_series(1, ${ROWS}) g; ANALYZE ${table};`);
  const id = await w.register({ kind: 'rename-column', schema: 'public', table, column: 'user_email', newName: 'contact_email' }, { batchSize: 200 });
  await runPhase({ store: w.store, target: w.target }, id, 'expand');
  await w.target.query(`CREATE TRIGGER log_write AFTER UPDATE ON ${table} FOR EACH ROW
    WHEN (OLD.contact_email IS DISTINCT FROM NEW.contact_email) EXECUTE FUNCTION log_backfill_write()`);
  return { id, table };
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the backfill has saved a few batches: it is running, and far from done. */
async function midBackfill(id: number): Promise<void> {
  const b = await until('backfill running', async () => {
    const b = await w.store.getBackfill(id);
    return b && b.batches >= 4 && b;
  });
  expect(b.rowsScanned).toBeLessThan(ROWS / 2);
}

/** pg_terminate_backend on every session of the target opened under this application name; how many there were. */
async function terminateOnTarget(applicationName: string): Promise<number> {
  const { rows } = await w.target.query<{ ok: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1`,
    [applicationName],
  );
  return rows.filter((r) => r.ok).length;
}

/** The session that holds a migration's run lock in the state database. */
async function terminateLockHolder(admin: pg.Client, id: number): Promise<void> {
  const { rows } = await admin.query<{ ok: boolean }>(
    `SELECT pg_terminate_backend(l.pid) AS ok FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = $2)
        AND l.classid::int = ${MIGRATION_LOCK_KEY} AND l.objid::int = $1`,
    [id, w.stateDb.name],
  );
  expect(rows).toEqual([{ ok: true }]);
}

/**
 * The state database goes away under the worker, as in a restart: every session of the worker
 * is cut (first the one that holds the migration's run lock) and new ones are refused for a while.
 */
async function cutStateDatabase(id: number): Promise<void> {
  // The superuser, from another database: no session may be in the one that stops taking new ones.
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  const allow = (on: boolean) => admin.query(`ALTER DATABASE ${quoteIdent(w.stateDb.name)} WITH ALLOW_CONNECTIONS ${on}`);
  try {
    await allow(false);
    await terminateLockHolder(admin, id);
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = $1 AND application_name IN ('expand-contract-worker', 'expand-contract-jobs')`,
      [w.stateDb.name],
    );
    await new Promise((r) => setTimeout(r, 2_000));
  } finally {
    await allow(true);
    await admin.end();
  }
}

/** The backfill finished, every row in sync, and each row written exactly once. */
async function expectBackfilledOnce(id: number, table: string): Promise<void> {
  expect((await w.store.getMigration(id)).status).toBe('backfilled');
  expect((await w.store.getBackfill(id))!.status).toBe('done');
  // The worker records the state a moment before it lets go of the migration's lock: wait for the lock, not a guess.
  const deadline = Date.now() + 15_000;
  let parity;
  for (;;) {
    try {
      parity = await runPhase({ store: w.store, target: w.target }, id, 'verify');
      break;
    } catch (error) {
      if (!(error instanceof MigrationBusyError) || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  expect(parity.parity).toMatchObject({ mismatched: 0 });
  const drift = await w.target.query(`SELECT count(*)::int AS n FROM ${table} WHERE contact_email IS DISTINCT FROM user_email`);
  expect(drift.rows[0]!.n).toBe(0);
  const writes = await w.target.query('SELECT count(*)::int AS writes, count(DISTINCT id)::int AS rows FROM backfill_writes WHERE tbl = $1', [table]);
  expect(writes.rows[0]).toEqual({ writes: ROWS, rows: ROWS });
}

/** What must never reach the operator: a stack trace or Node's last-resort handlers. */
function expectNoCrashOutput(output: string): void {
  expect(output).not.toMatch(/uncaughtException|unhandled/i);
  expect(output).not.toMatch(/^\s+at .+\(?.+:\d+:\d+\)?$/m);
}

/** host:port/database of a URL, as a pattern. */
const where = (url: string) => describeUrl(url).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('a database connection lost mid-backfill', () => {
  it('`run <id> backfill` exits non-zero with one line naming the target and how to resume; the next run finishes it', async () => {
    const { id, table } = await expandedRename();
    const first = runCli(['run', String(id), 'backfill', ...PACING], env());
    let stderr = '';
    first.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await midBackfill(id);
    expect(await terminateOnTarget('expand-contract')).toBe(1);
    const code = await first.exited;

    expect(code, first.output()).toBe(1);
    expectNoCrashOutput(first.output());
    const lines = stderr.trim().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^error: lost the connection to the target database ${where(w.targetDb.url)} \\(.+\\); .*\`expand-contract run ${id} backfill\` resumes from the saved cursor$`,
      ),
    );
    expect(lines[0]).not.toContain(decodeURIComponent(new URL(w.targetDb.url).password));
    const cut = (await w.store.getBackfill(id))!;
    expect(cut.status).toBe('failed');
    expect(cut.rowsScanned).toBeLessThan(ROWS);

    const second = runCli(['run', String(id), 'backfill'], env());
    expect(await second.exited, second.output()).toBe(0);
    expect(second.output()).toContain('backfill: succeeded');
    await expectBackfilledOnce(id, table);
  });

  /**
   * Cuts one of a running process's connections in the middle of a queued backfill: the
   * process must stay up, say what happened in one line, and the job must be retried to the end.
   */
  async function survivesLoss(
    proc: CliProcess,
    queue: (id: number) => Promise<void>,
    cut: 'target' | 'state',
    { id, table }: { id: number; table: string },
  ): Promise<void> {
    await queue(id);
    await midBackfill(id);
    if (cut === 'target') expect(await terminateOnTarget('expand-contract-worker')).toBe(1);
    else await cutStateDatabase(id);
    await until(
      `backfill retried after losing the ${cut} database`,
      async () => (await w.store.getMigration(id)).status === 'backfilled' || (proc.child.exitCode !== null && 'exited'),
    );
    expect(proc.child.exitCode, proc.output()).toBeNull();
    await expectBackfilledOnce(id, table);
    const db = cut === 'target' ? w.targetDb : w.stateDb;
    expect(proc.output()).toMatch(
      new RegExp(`lost the connection to the ${cut} database ${where(db.url)} \\(.+\\); the job is retried and resumes from the saved cursor`),
    );
    // One run at a time: the retry started only after the cut run had stopped.
    const runs = (await w.store.phaseRuns(id)).filter((r) => r.phase === 'backfill');
    expect(runs.map((r) => r.status)).toEqual(['failed', 'succeeded']);
    expect(runs[1]!.startedAt.getTime()).toBeGreaterThanOrEqual(runs[0]!.finishedAt!.getTime());
    expectNoCrashOutput(proc.output());
  }

  it("the dashboard's worker stays up, logs one line, and retries the job to the end", async () => {
    const port = await ephemeralPort();
    const dashboard = runCli(['dev', '--port', String(port)], env());
    try {
      const rename = await expandedRename();
      await dashboard.waitFor(/Expand\/Contract is ready/, 50_000);
      const queue = async (id: number) => {
        const queued = runCli(['run', String(id), 'backfill', '--queue', ...PACING], env());
        expect(await queued.exited, queued.output()).toBe(0);
      };
      await survivesLoss(dashboard, queue, 'target', rename);
    } finally {
      dashboard.child.kill('SIGINT');
      await dashboard.exited;
    }
  });

  it('`expand-contract worker` stays up through a lost target and a lost state connection, and retries the job to the end', async () => {
    const worker = runCli(['worker'], env());
    const boss = await openJobQueue(w.stateDb.url);
    try {
      const renames = [await expandedRename(), await expandedRename()];
      await worker.waitFor(/worker ready/);
      const queue = async (id: number) => {
        await enqueuePhase(boss, { migrationId: id, phase: 'backfill', actor: 'test', backfill: { targetBatchMs: 2, throttleMs: 15 } });
      };
      await survivesLoss(worker, queue, 'target', renames[0]!);
      await survivesLoss(worker, queue, 'state', renames[1]!);
    } finally {
      await boss.stop({ graceful: false });
      worker.child.kill('SIGINT');
      await worker.exited;
    }
  });
});
