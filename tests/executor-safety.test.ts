import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhaseNotAllowedError, runPhase } from '../lib/executor/run-phase';
import { WrongTargetError } from '../lib/db/target-identity';
import { createTestDatabase } from './helpers/test-database';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
beforeAll(async () => {
  w = await executorWorld('safety');
});
afterAll(() => w.close());

// These tests are about running phases; the legacy-reads evidence has its own test (executor-legacy-gate).
const deps = () => ({ store: w.store, target: w.target, signals: false });

async function expandedAndBackfilled(table: string) {
  await w.target.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, old_name text NOT NULL);
                        INSERT INTO ${table} SELECT g, 'v' || g FROM generate_series(1, 2000) g; ANALYZE ${table};`);
  const id = await w.register({ kind: 'rename-column', schema: 'public', table, column: 'old_name', newName: 'new_name' });
  await runPhase(deps(), id, 'expand');
  await runPhase(deps(), id, 'backfill');
  return id;
}

describe('the executor refuses what would lose data', () => {
  it('a contract cut off after its drop committed can only be finished or restored, never rolled back', async () => {
    const id = await expandedAndBackfilled('cut_off');
    // Recording the history fails right after the drop has committed, as a crash would leave it.
    await w.target.query(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'history unavailable'; END $$;
                          CREATE TRIGGER refuse BEFORE INSERT ON supabase_migrations.schema_migrations FOR EACH ROW EXECUTE FUNCTION refuse();`);
    await expect(runPhase(deps(), id, 'contract')).rejects.toThrow('history unavailable');
    expect((await w.store.getMigration(id)).status).toBe('contracting');
    await expect(runPhase(deps(), id, 'rollback')).rejects.toBeInstanceOf(PhaseNotAllowedError);

    await w.target.query('DROP TRIGGER refuse ON supabase_migrations.schema_migrations');
    const finished = await runPhase(deps(), id, 'contract');
    expect(finished.status).toBe('succeeded');
    expect((await w.store.getMigration(id)).status).toBe('contracted');
    const values = await w.target.query('SELECT count(*)::int AS n FROM cut_off WHERE new_name IS NOT NULL');
    expect(values.rows[0]!.n).toBe(2000);
  });

  it('the rollback SQL itself refuses to drop the new column once the old one is gone', async () => {
    const id = await expandedAndBackfilled('guarded');
    const { plan } = await w.store.getMigration(id);
    await w.target.query('ALTER TABLE guarded DROP COLUMN old_name CASCADE');
    const rollback = plan.steps.find((s) => s.phase === 'rollback')!;
    await expect(w.target.query(rollback.sql)).rejects.toThrow('column old_name is gone (the contract ran): use restore, not rollback');
    expect((await w.target.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'guarded' AND column_name = 'new_name'")).rowCount).toBe(1);
  });

  it('will not drop the old column while the sync trigger is disabled, and nothing is lost', async () => {
    const id = await expandedAndBackfilled('bypassed');
    await w.target.query('ALTER TABLE bypassed DISABLE TRIGGER USER');
    await expect(runPhase(deps(), id, 'contract')).rejects.toThrow('missing or disabled');
    expect((await w.store.getMigration(id)).status).toBe('backfilled'); // nothing destructive happened
    expect((await w.target.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'bypassed' AND column_name = 'old_name'")).rowCount).toBe(1);
  });

  it('never runs a migration against another database than the one it was planned on', async () => {
    const id = await expandedAndBackfilled('elsewhere');
    const other = await createTestDatabase('other_target');
    try {
      const error = await runPhase({ store: w.store, target: await other.client() }, id, 'rollback').catch((e) => e);
      expect(error).toBeInstanceOf(WrongTargetError);
      expect(error.message).toContain(`planned against ${w.targetDb.name}@`);
    } finally {
      await other.drop();
    }
  });

  it('a backfill waits out a row held by a long transaction instead of failing', async () => {
    const id = await (async () => {
      await w.target.query(`CREATE TABLE held (id bigint PRIMARY KEY, old_name text NOT NULL);
                            INSERT INTO held SELECT g, 'v' || g FROM generate_series(1, 3000) g; ANALYZE held;`);
      const mid = await w.register({ kind: 'rename-column', schema: 'public', table: 'held', column: 'old_name', newName: 'new_name' });
      await runPhase(deps(), mid, 'expand');
      return mid;
    })();
    const holder = await w.targetDb.client();
    await holder.query('BEGIN');
    await holder.query("UPDATE held SET old_name = 'busy' WHERE id = 1500");
    const release = new Promise((r) => setTimeout(r, 2500)).then(() => holder.query('COMMIT'));
    const outcome = await runPhase(deps(), id, 'backfill', { backfill: { timeouts: { lockTimeout: '300ms', statementTimeout: '30s' } } });
    await release;
    expect(outcome.status).toBe('succeeded');
    expect((await w.target.query('SELECT count(*)::int AS n FROM held WHERE new_name IS DISTINCT FROM old_name')).rows[0]!.n).toBe(0);
  });
});
