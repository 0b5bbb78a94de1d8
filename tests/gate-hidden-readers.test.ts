import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPhase } from '../lib/executor/run-phase';
import { contractGate } from '../lib/signals/gate-evidence';
import { sampleStatements } from '../lib/signals/sample-statements';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

/*
 * Readers of the old column that a plain statement-by-statement look misses: a view created after
 * the expand, a DO block, a function. Each must close the gate with a reason that names it, judged
 * on a real PostgreSQL with pg_stat_statements as it ships (track = top: nested statements uncounted).
 */

let w: ExecutorWorld;
beforeAll(async () => {
  w = await executorWorld('hidden_readers');
  await w.targetDb.admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'); // only a superuser may create it
});
afterAll(() => w.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const deps = () => ({ store: w.store, target: w.target, sampleEverySeconds: 5, observationMinutes: 0, bufferMinutes: 0 });

/** A table of its own, renamed through expand and backfill, with the deploy marked: only the old column's readers stand between it and the contract. */
async function expandedRename(table: string) {
  await w.target.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, user_email text NOT NULL);
    INSERT INTO ${table} SELECT g, 'e' || g || '@example.com' FROM generate_series(1, 100) g; ANALYZE ${table};`);
  const id = await w.register({ kind: 'rename-column', schema: 'public', table, column: 'user_email', newName: 'contact_email' });
  const { target: label } = await w.store.getMigration(id);
  await runPhase(deps(), id, 'expand');
  await runPhase(deps(), id, 'backfill');
  // Sampled before the deploy is marked: the setup's own writes of the column fall before the window.
  await sampleStatements(w.target, w.pool, label);
  await w.store.markDeployed(id, 'ci');
  return { id, label };
}

async function legacyReasons(id: number) {
  const { decision, legacy } = await contractGate(deps(), await w.store.getMigration(id), new Date());
  return { conditions: decision.conditions.filter((c) => c.name === 'legacy-reads'), legacy: legacy! };
}

describe('readers of the old column that sampling alone would miss', () => {
  it('a view created after the expand closes the gate, names the view, and its reads count as reads of the column', async () => {
    const { id, label } = await expandedRename('leads_view');
    await w.target.query('CREATE VIEW lead_emails AS SELECT id, user_email FROM leads_view');
    for (let i = 0; i < 10; i += 1) await w.target.query('SELECT count(*) FROM lead_emails');
    await sleep(300);
    await sampleStatements(w.target, w.pool, label);
    const { conditions, legacy } = await legacyReasons(id);
    expect(conditions.map((c) => c.detail)).toEqual([
      'view public.lead_emails reads public.leads_view.user_email: recreate it on the new column before the contract (or let the plan move it)',
    ]);
    expect(legacy.statements.filter((s) => s.query.includes('lead_emails')).map((s) => [s.kind, s.calls])).toEqual([['read', 10]]);

    // Recreated on the new column: the reason goes, and nothing else stands in the way.
    await w.target.query('CREATE OR REPLACE VIEW lead_emails AS SELECT id, contact_email AS user_email FROM leads_view');
    const after = await legacyReasons(id);
    expect(after.conditions.map((c) => c.met)).toEqual([true]);
  });

  it('a DO block that reads the column counts as a read', async () => {
    const { id, label } = await expandedRename('leads_do');
    for (let i = 0; i < 3; i += 1) await w.target.query('DO $$ BEGIN PERFORM user_email FROM leads_do WHERE id = 1; END $$');
    await sleep(300);
    await sampleStatements(w.target, w.pool, label);
    const { conditions, legacy } = await legacyReasons(id);
    expect(conditions.map((c) => c.detail)).toEqual(['public.leads_do.user_email is still used: 3 read(s) and 0 write(s) in the window']);
    expect(legacy.statements.map((s) => [s.kind, s.calls, s.query])).toContainEqual([
      'read',
      3,
      'DO $$ BEGIN PERFORM user_email FROM leads_do WHERE id = 1; END $$',
    ]);
  });

  it('a DO block that builds its SQL at run time is unknown, never zero', async () => {
    const { id, label } = await expandedRename('leads_dynamic');
    await w.target.query("DO $$ BEGIN EXECUTE format('SELECT %I FROM leads_dynamic', 'user' || '_email'); END $$");
    await sleep(300);
    await sampleStatements(w.target, w.pool, label);
    const { conditions } = await legacyReasons(id);
    expect(conditions.map((c) => [c.met, c.detail])).toEqual([
      [false, '1 call(s) of code that builds its SQL at run time (EXECUTE), whose reads cannot be told from its text: check it by hand'],
    ]);
  });

  it('a function that reads the column closes the gate by name, and its calls count as reads', async () => {
    const { id, label } = await expandedRename('leads_fn');
    await w.target.query(`CREATE FUNCTION public.lead_count(domain text) RETURNS bigint LANGUAGE plpgsql AS $$
      BEGIN RETURN (SELECT count(*) FROM leads_fn WHERE user_email LIKE '%@' || domain); END $$`);
    for (let i = 0; i < 5; i += 1) await w.target.query('SELECT public.lead_count($1)', ['example.com']);
    await sleep(300);
    await sampleStatements(w.target, w.pool, label);
    const { conditions, legacy } = await legacyReasons(id);
    expect(conditions.map((c) => c.detail)).toEqual(['function public.lead_count(domain text) uses public.leads_fn.user_email: update it to the new column']);
    expect(legacy.statements.filter((s) => s.query.includes('lead_count')).map((s) => [s.kind, s.calls])).toEqual([['read', 5]]);
    // The zero claim this target would make names what sampling cannot see here.
    expect(legacy.blindSpots).toEqual(['statements inside functions are not counted on the primary: pg_stat_statements.track = top (set it to all)']);
  });
});
