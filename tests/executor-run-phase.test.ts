import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY } from '../lib/state/migration-lock';
import { GateClosedError, MigrationBusyError, PhaseNotAllowedError, runPhase } from '../lib/executor/run-phase';
import { MigrationAlreadyOpenError } from '../lib/state/errors';
import { planChange } from '../lib/planning/plan-change';
import { describeUrl } from '../lib/db/connection-url';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
let id: number;
const spec = { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' } as const;

beforeAll(async () => {
  w = await executorWorld('exec');
  await w.target.query(`CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL);
                        INSERT INTO leads SELECT g, 'lead' || g || '@x.io' FROM generate_series(1, 6000) g; ANALYZE leads;`);
  id = await w.register(spec, { batchSize: 200 });
});
afterAll(() => w.close());

// These tests are about running phases; the legacy-reads evidence has its own test (executor-legacy-gate).
const deps = () => ({ store: w.store, target: w.target, signals: false });

describe('running the phases of a registered migration', () => {
  it('refuses a second open migration for the same change, and phases out of order', async () => {
    const plan = await planChange(w.target, spec);
    await expect(w.store.createMigration(plan, describeUrl(w.targetDb.url))).rejects.toBeInstanceOf(MigrationAlreadyOpenError);
    await expect(runPhase(deps(), id, 'contract')).rejects.toBeInstanceOf(PhaseNotAllowedError);
    await expect(runPhase(deps(), id, 'backfill')).rejects.toThrow('backfill runs only when it is expanded or backfilled');
  });

  it('expand: runs the steps, records them and the phase in the target history', async () => {
    const outcome = await runPhase(deps(), id, 'expand');
    expect(outcome).toMatchObject({ phase: 'expand', source: 'executor', status: 'succeeded', historyVersion: expect.stringMatching(/^\d{14}$/) });
    expect((await w.store.getMigration(id)).status).toBe('expanded');
    const history = await w.target.query('SELECT version, name FROM supabase_migrations.schema_migrations');
    expect(history.rows).toEqual([{ version: outcome.historyVersion, name: 'rename_leads_user_email_to_contact_email_expand' }]);
    const steps = await w.pool.query('SELECT step_id, status, attempts FROM expand_contract.step_runs ORDER BY id');
    expect(steps.rows.map((r) => r.step_id.split('/').slice(1).join('/'))).toEqual([
      'expand/01-add_column',
      'expand/02-sync_function',
      'expand/03-sync_trigger',
      'expand/04-not_null_check',
    ]);
    expect(steps.rows.every((r) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);
  });

  it('one runner at a time: a second concurrent run of the same migration is refused', async () => {
    // Another dashboard instance (its own connection to the state database) is running this migration.
    const other = await w.stateDb.client();
    await other.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY}, $1::int)`, [id]);
    await expect(runPhase(deps(), id, 'verify')).rejects.toBeInstanceOf(MigrationBusyError);
    await other.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY}, $1::int)`, [id]);
    await runPhase(deps(), id, 'verify');
  });

  it('backfill: pauses between batches when asked, resumes from the saved cursor, adapts the batch size', async () => {
    let batches = 0;
    const paused = await runPhase(deps(), id, 'backfill', {
      backfill: {
        targetBatchMs: 1_000, // every batch is "fast": the size grows
        onBatch: async () => {
          batches += 1;
          if (batches === 3) await w.store.requestBackfill(id, 'pause');
        },
      },
    });
    expect(paused.status).toBe('paused');
    const mid = (await w.store.getBackfill(id))!;
    expect(mid).toMatchObject({ status: 'paused', batches: 3 });
    expect(mid.batchSize).toBeGreaterThan(200);
    expect(Number(mid.cursor![0])).toBe(mid.rowsScanned); // keys 1..n, walked in order
    expect((await w.store.getMigration(id)).status).toBe('expanded');

    const done = await runPhase(deps(), id, 'backfill');
    expect(done.status).toBe('succeeded');
    const end = (await w.store.getBackfill(id))!;
    expect(end).toMatchObject({ status: 'done', rowsScanned: 6000, rowsChanged: 6000, estimatedTotal: 6000, tableRows: 6000 });
    expect(end.worstBatchMs).toBeGreaterThan(0);
    expect((await w.store.getMigration(id)).status).toBe('backfilled');
  });

  it('verify records parity as gate evidence; contract re-checks it inside the run and refuses on a difference', async () => {
    const verified = await runPhase(deps(), id, 'verify');
    expect(verified.parity).toMatchObject({ mismatched: 0, rowsChecked: 6000, tableRows: 6000, lossy: null });
    expect(await w.store.latestParity(id)).toMatchObject({ mismatched: 0, rowsChecked: 6000, tableRows: 6000, lossy: null });

    // Something writes the new column behind the trigger's back.
    await w.target.query(
      "ALTER TABLE leads DISABLE TRIGGER USER; UPDATE leads SET contact_email = 'drift@x.io' WHERE id = 42; ALTER TABLE leads ENABLE TRIGGER USER",
    );
    const error = await runPhase(deps(), id, 'contract').catch((e) => e);
    expect(error).toBeInstanceOf(GateClosedError);
    expect(error.decision.reasons).toEqual(['1 of 6,000 rows differ (table holds 6,000) between old and new column']);
    expect((await w.store.getMigration(id)).status).toBe('backfilled');
    const failedRun = await w.pool.query("SELECT status, error FROM expand_contract.phase_runs WHERE phase = 'contract'");
    expect(failedRun.rows[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('1 of 6,000 rows differ') });

    await w.target.query("UPDATE leads SET user_email = 'drift@x.io' WHERE id = 42");
    const contracted = await runPhase(deps(), id, 'contract');
    expect(contracted.status).toBe('succeeded');
    expect((await w.store.getMigration(id)).status).toBe('contracted');
    const names = (await w.target.query('SELECT name FROM supabase_migrations.schema_migrations ORDER BY version')).rows.map((r) => r.name);
    expect(names).toEqual(['rename_leads_user_email_to_contact_email_expand', 'rename_leads_user_email_to_contact_email_contract']);
  });
});
