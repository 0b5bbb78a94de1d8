import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GateClosedError, runPhase } from '../lib/executor/run-phase';
import { sampleStatements } from '../lib/signals/sample-statements';
import { ingestMetrics } from '../lib/signals/ingest-metrics';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
beforeAll(async () => {
  w = await executorWorld('legacy_gate');
  await w.targetDb.admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'); // only a superuser may create it
  await w.target.query(`CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL);
    INSERT INTO leads SELECT g, 'e' || g FROM generate_series(1, 500) g; ANALYZE leads;`);
});
afterAll(() => w.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let batches = 0;
/** A service's report for the current minute, through the same code as the ingest API. */
const report = (requests: number, errors: number, sqlstate?: string) =>
  ingestMetrics(w.pool, 'web', {
    batchId: `b${(batches += 1)}`,
    points: [{ service: 'web', version: 'v2', timestamp: new Date().toISOString(), requests, errors, sqlstate }],
  });

describe('the contract waits for evidence that nothing uses the old column', () => {
  it('refuses without sampling, refuses while old code reads the column, and allows once a sampled window shows no use', async () => {
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' });
    const { target: label } = await w.store.getMigration(id);
    const deps = { store: w.store, target: w.target, sampleEverySeconds: 5, observationMinutes: 0, bufferMinutes: 0 }; // 0: the whole time since the deploy
    await runPhase(deps, id, 'expand');
    await runPhase(deps, id, 'backfill');

    // Nothing sampled before (the run's own sample is the first), nothing marks the deploy, no service has reported.
    const undeployed = await runPhase(deps, id, 'contract').catch((e) => e);
    expect(undeployed.decision.reasons).toEqual([
      'the deploy of code that uses the new column is not marked yet (the 0 ms buffer starts then)',
      expect.stringMatching(/^pg_stat_statements was sampled for only/),
      'no service reported enough requests since expand to compare error rates: send them to POST /api/v1/metrics',
    ]);
    await w.store.markDeployed(id, 'ci');
    await report(500, 0);

    // The default asks for a day of watching: an hour-old deploy is not enough, whatever the samples say.
    const tooSoon = await runPhase({ ...deps, observationMinutes: 1440 }, id, 'contract').catch((e) => e);
    expect(tooSoon.decision.reasons).toEqual(['watched for 0 of the required 1440 minutes since the deploy']);

    // Old code is still running: it reads the old column between two samples.
    await sampleStatements(w.target, w.pool, label);
    for (let i = 1; i <= 3; i += 1) await w.target.query('SELECT user_email FROM leads WHERE id = $1', [i]);
    await sleep(300);
    await sampleStatements(w.target, w.pool, label);
    const reading = await runPhase(deps, id, 'contract').catch((e) => e);
    expect(reading).toBeInstanceOf(GateClosedError);
    expect(reading.decision.reasons).toContain('public.leads.user_email is still used: 3 read(s) and 0 write(s) in the window');
    expect((await w.store.getMigration(id)).status).toBe('backfilled');
  });

  it('allows the contract when the window since the deploy was sampled and shows no use, and no phase raised errors', async () => {
    await w.target.query(
      `CREATE TABLE quiet (id bigint PRIMARY KEY, old_col text NOT NULL); INSERT INTO quiet SELECT g, 'v' || g FROM generate_series(1, 200) g; ANALYZE quiet;`,
    );
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'quiet', column: 'old_col', newName: 'new_col' });
    const { target: label } = await w.store.getMigration(id);
    const deps = { store: w.store, target: w.target, sampleEverySeconds: 5, observationMinutes: 0, bufferMinutes: 0 }; // 0: the whole time since the deploy
    await sampleStatements(w.target, w.pool, label);
    await runPhase(deps, id, 'expand');
    await runPhase(deps, id, 'backfill');
    await w.store.markDeployed(id, 'ci');
    await report(500, 0);
    // New code only: reads through the new name are not legacy use.
    for (let i = 1; i <= 3; i += 1) await w.target.query('SELECT new_col FROM quiet WHERE id = $1', [i]);
    await sleep(800);
    await sampleStatements(w.target, w.pool, label);
    // A function the application calls still uses the old column: sampling cannot see inside it.
    await w.target.query("CREATE FUNCTION public.touch_quiet(i bigint) RETURNS text LANGUAGE sql AS 'SELECT old_col FROM quiet WHERE id = i'");
    const blocked = await runPhase(deps, id, 'contract').catch((e) => e);
    expect(blocked).toBeInstanceOf(GateClosedError);
    expect(blocked.decision.reasons).toEqual(['function public.touch_quiet(i bigint) uses public.quiet.old_col: update it to the new column']);
    await w.target.query('DROP FUNCTION public.touch_quiet(bigint)');
    await sampleStatements(w.target, w.pool, label);
    // The buffer after the deploy has not passed.
    const early = await runPhase({ ...deps, bufferMinutes: 120 }, id, 'contract').catch((e) => e);
    expect(early.decision.reasons).toEqual([expect.stringMatching(/^buffer: 1 hour 59 minutes( \d+ seconds?)? left of 2 hours since the deploy$/)]);
    const outcome = await runPhase(deps, id, 'contract');
    expect(outcome.status).toBe('succeeded');
  });

  it('refuses the contract while the error rate since the deploy is above its baseline, naming the SQLSTATE', async () => {
    await w.target.query(
      `CREATE TABLE noisy (id bigint PRIMARY KEY, old_col text NOT NULL); INSERT INTO noisy SELECT g, 'v' || g FROM generate_series(1, 50) g; ANALYZE noisy;`,
    );
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'noisy', column: 'old_col', newName: 'new_col' });
    const { target: label } = await w.store.getMigration(id);
    // Legacy reads are another test's subject: here the window is sampled and quiet.
    const deps = { store: w.store, target: w.target, sampleEverySeconds: 5, observationMinutes: 0, bufferMinutes: 0 };
    await sampleStatements(w.target, w.pool, label);
    await runPhase(deps, id, 'expand');
    await runPhase(deps, id, 'backfill');
    await w.store.markDeployed(id, 'ci');
    await report(400, 40, '42703');
    await sleep(300);
    await sampleStatements(w.target, w.pool, label);
    const refused = await runPhase(deps, id, 'contract').catch((e) => e);
    expect(refused).toBeInstanceOf(GateClosedError);
    const errorRate = refused.decision.conditions.find((c: { name: string }) => c.name === 'error-rate');
    expect(errorRate).toEqual({
      name: 'error-rate',
      met: false,
      detail: expect.stringMatching(
        /^error rate above its baseline after expand: web: \d+\.\d\d% of [\d,]+ requests after, .* \(42703 ×40\); after deploy: web: /,
      ),
    });
    expect(
      (await w.target.query("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'noisy' AND column_name = 'old_col'")).rows[0].n,
    ).toBe(1);
  });
});
