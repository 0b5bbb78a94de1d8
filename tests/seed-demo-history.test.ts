import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../lib/auth/manage-users';
import { getTimeline } from '../lib/data/get-timeline';
import { seedDemoHistory } from '../lib/demo/seed-demo-history';
import { seedDemoTarget } from '../lib/demo/seed-demo-target';
import { runPhase, SeededMigrationError } from '../lib/executor/run-phase';
import { weekStart } from '../lib/timeline/team-week';
import { layoutWeek } from '../lib/timeline/week-layout';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
beforeAll(async () => {
  w = await executorWorld('history');
  await seedDemoTarget(w.target, 1000);
  for (const [email, roles] of [
    ['author@demo.local', ['author']],
    ['reviewer@demo.local', ['reviewer']],
    ['oncall@demo.local', ['oncall', 'reviewer']],
  ] as const) {
    await upsertUser(w.pool, { email, roles: [...roles], password: 'a long enough password' });
  }
  await w.pool.query(
    "INSERT INTO expand_contract.oncall_rotation (position, user_id) SELECT 0, id FROM expand_contract.users WHERE email = 'oncall@demo.local'",
  );
});
afterAll(() => w.close());

describe('the demo history', () => {
  it('writes a week of labelled history once, with phases, approvals, audit entries and minute metrics, and runs none of it', async () => {
    const now = new Date();
    expect(await seedDemoHistory(w.pool, w.target, w.targetDb.url, now)).toBe(4);
    expect(await seedDemoHistory(w.pool, w.target, w.targetDb.url, now)).toBe(0);
    const migrations = await w.store.listMigrations();
    expect(migrations.map((m) => [m.status, m.seeded]).sort()).toEqual([
      ['backfilled', true],
      ['contracted', true],
      ['planned', true],
      ['rolled_back', true],
    ]);
    const contracted = migrations.find((m) => m.status === 'contracted')!;
    const audit = await w.pool.query('SELECT action FROM expand_contract.audit_log WHERE migration_id = $1 ORDER BY at', [contracted.id]);
    expect(audit.rows.map((r) => r.action)).toContain('contract.approved');
    // The target is untouched, and nothing of the history can be run on it.
    const cols = await w.target.query(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' AND column_name IN ('display_name', 'full_name')",
    );
    expect(cols.rows.map((r) => r.column_name)).toEqual(['display_name']);
    await expect(runPhase({ store: w.store, target: w.target, signals: false }, contracted.id, 'restore')).rejects.toBeInstanceOf(SeededMigrationError);
    // Last week's timeline: the contract on Friday, drawn as done, labelled as seeded.
    const { migrations: lanes } = await getTimeline(w.pool, now);
    const lastWeek = layoutWeek(new Date(weekStart(now, 'UTC').getTime() - 7 * 86_400_000), 'UTC', now, lanes);
    const lane = lastWeek.lanes.find((l) => l.id === contracted.id)!;
    expect(lane.seeded).toBe(true);
    const contract = lane.bars.find((b) => b.kind === 'actual' && b.phase === 'contract')!;
    expect(contract.status).toBe('succeeded');
    expect(contract.start.getUTCDay()).toBe(5);
    const minutes = await w.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM expand_contract.metric_minutes WHERE service = 'demo-web' AND sqlstate = ''",
    );
    expect(minutes.rows[0]!.n).toBeGreaterThan(7 * 1440 - 70);
  });
});
