import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli-process';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';
import { databaseFlag, SUPABASE } from './helpers/supabase-cli';

const run = promisify(execFile);
let w: ExecutorWorld;
const ROWS = 60_000;
beforeAll(async () => {
  w = await executorWorld('crash');
  await w.target.query(`CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL);
                        INSERT INTO leads SELECT g, 'lead' || g || '@x.io' FROM generate_series(1, ${ROWS}) g; ANALYZE leads;`);
});
afterAll(() => w.close());

const env = () => ({ DATABASE_URL: w.stateDb.url, TARGET_DATABASE_URL: w.targetDb.url });

describe('expand-contract create / run / status through the real command', () => {
  it('a backfill killed with SIGKILL mid-batch resumes from its cursor: no row skipped, no row written twice', async () => {
    const create = runCli(['create', 'rename', 'leads.user_email', 'contact_email', '--batch-size', '200'], env());
    expect(await create.exited).toBe(0);
    const id = Number(create.output().match(/created migration (\d+)/)![1]);
    expect(await runCli(['run', String(id), 'expand'], env()).exited).toBe(0);

    // Small, throttled batches so there is time to kill it in the middle.
    const first = runCli(['run', String(id), 'backfill', '--batch-ms', '2', '--throttle-ms', '15'], env());
    for (let i = 0; i < 200; i += 1) {
      const b = await w.store.getBackfill(id);
      if (b && b.batches >= 8) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const crashed = (await w.store.getBackfill(id))!;
    expect(crashed.status).toBe('running'); // nobody could record the crash
    expect(crashed.rowsScanned).toBeLessThan(ROWS);
    expect(crashed.cursor).not.toBeNull();

    const second = runCli(['run', String(id), 'backfill'], env());
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('backfill: succeeded');
    const done = (await w.store.getBackfill(id))!;
    expect(done.status).toBe('done');
    // At most one batch was redone: the one committed on the target but not yet recorded when the kill came.
    // It changed nothing the second time (its rows were already in sync), so the count of changed rows
    // falls short by that batch at most and never exceeds the table: no row was written twice.
    const oneBatch = crashed.batchSize * 1.5 + 1;
    expect(done.rowsScanned - ROWS).toBeGreaterThanOrEqual(0);
    expect(done.rowsScanned - ROWS).toBeLessThanOrEqual(oneBatch);
    expect(done.rowsChanged).toBeLessThanOrEqual(ROWS);
    expect(ROWS - done.rowsChanged).toBeLessThanOrEqual(oneBatch);
    const synced = await w.target.query('SELECT count(*)::int AS n FROM leads WHERE contact_email IS DISTINCT FROM user_email');
    expect(synced.rows[0]!.n).toBe(0);

    const status = runCli(['status', String(id), '--json'], env());
    expect(await status.exited).toBe(0);
    const json = JSON.parse(status.output());
    expect(json).toMatchObject({ id, status: 'backfilled', backfill: { status: 'done', progress: { percent: 100 } } });
    expect(json.phases.map((p: { phase: string; status: string }) => `${p.phase}:${p.status}`)).toEqual([
      'expand:succeeded',
      'backfill:failed',
      'backfill:succeeded',
    ]);
    expect(json.phases[1].error).toBe('interrupted: the process running it stopped');
    // No sampler ran against this target: no statements, and no coverage to claim "zero reads" with.
    expect(json.legacy).toMatchObject({ column: 'public.leads.user_email', reads: 0, coverage: 0, statements: [] });
    expect(json.gate.allowed).toBe(false);
    expect(json.gate.reasons).toEqual([
      'no parity check yet: run verify',
      'the deploy of code that uses the new column is not marked yet (the 3 days buffer starts then)',
      'watched for 0 of the required 1440 minutes since the expand',
      'no service reported enough requests since expand to compare error rates: send them to POST /api/v1/metrics',
    ]);
  });

  it('export writes a phase the executor ran with its recorded version, so `supabase db push` agrees', async () => {
    const project = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-export-'));
    try {
      // The dashboard ran the expand: the team's next push refuses a history it has no file for, until the export.
      await fs.mkdir(path.join(project, 'supabase', 'migrations'), { recursive: true });
      const before = await run(SUPABASE, ['db', 'push', ...databaseFlag(w.targetDb.url), '--yes'], { cwd: project }).catch(
        (e: { stdout: string; stderr: string }) => ({ stdout: e.stdout, stderr: e.stderr, failed: true }),
      );
      expect(before).toMatchObject({ failed: true });
      expect(before.stdout + before.stderr).toContain('Remote migration versions not found in local migrations directory');
      const exported = runCli(['export', '1', 'expand', '--supabase-dir', path.join(project, 'supabase')], env());
      expect(await exported.exited).toBe(0);
      const [file] = await fs.readdir(path.join(project, 'supabase', 'migrations'));
      const recorded = await w.target.query('SELECT version, name FROM supabase_migrations.schema_migrations');
      expect(file).toBe(`${recorded.rows[0]!.version}_${recorded.rows[0]!.name}.sql`);
      const { stdout, stderr } = await run(SUPABASE, ['db', 'push', ...databaseFlag(w.targetDb.url), '--yes'], { cwd: project });
      expect(stdout + stderr).toContain('Remote database is up to date');
      // The contract has not run: its file only while the gate allows it, which it does not (no verify, no deploy).
      const contract = runCli(['export', '1', 'contract', '--supabase-dir', path.join(project, 'supabase')], env());
      expect(await contract.exited).toBe(1);
      expect(contract.output()).toMatch(/^no contract file for migration 1: the gate is closed: .*run verify/m);
      expect(await fs.readdir(path.join(project, 'supabase', 'migrations'))).toEqual([file]);
    } finally {
      await fs.rm(project, { recursive: true, force: true });
    }
  });

  it('answers a bad id or phase with exit 2', async () => {
    expect(await runCli(['run', 'abc', 'expand'], env()).exited).toBe(2);
    expect(await runCli(['run', '1', 'explode'], env()).exited).toBe(2);
  });
});
