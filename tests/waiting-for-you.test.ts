import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { upsertUser } from '../lib/auth/manage-users';
import { createMigrationAs } from '../lib/data/create-migration';
import { getWaitingForYou } from '../lib/data/get-waiting-for-you';
import { permissionContext, permissionContexts } from '../lib/data/permission-context';
import { contractGate } from '../lib/signals/gate-evidence';
import type { Actor, Role } from '../lib/lifecycle/permissions';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

// The home page's waiting list, read for many migrations at once: one query for every migration's
// permission context, the same answer as asking one by one, in migration order.

let w: ExecutorWorld;
let targetPool: pg.Pool;
const people: Record<string, Actor> = {};

beforeAll(async () => {
  w = await executorWorld('waiting');
  targetPool = new pg.Pool({ connectionString: w.targetDb.url, max: 4 });
  for (const [key, roles] of [
    ['author', ['author']],
    ['reviewer', ['reviewer']],
  ] as [string, Role[]][]) {
    const email = `${key}@team.example`;
    const { id } = await upsertUser(w.pool, { email, roles, password: 'correct horse battery' });
    people[key] = { id, email, name: key, roles };
  }
  for (let i = 1; i <= 6; i++) await w.target.query(`CREATE TABLE w${i} (id bigint PRIMARY KEY, user_email text NOT NULL)`);
});
afterAll(async () => {
  await targetPool.end();
  await w.close();
});

describe('what waits for a person', () => {
  it('lists a plan review for each of six new migrations, in order, from contexts read in one query that match one-by-one reads', async () => {
    const ids: number[] = [];
    for (let i = 1; i <= 6; i++)
      ids.push(
        await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, {
          kind: 'rename-column',
          schema: 'public',
          table: `w${i}`,
          column: 'user_email',
          newName: 'contact_email',
        }),
      );
    const batch = await permissionContexts(w.pool, [...ids, 999_999]);
    expect([...batch.keys()].sort((a, b) => a - b)).toEqual(ids);
    for (const id of ids) expect(batch.get(id)).toEqual(await permissionContext(w.pool, id));

    const waiting = await getWaitingForYou(w.pool, targetPool, people.reviewer!);
    expect(waiting.map((item) => item.migrationId)).toEqual(ids);
    expect(new Set(waiting.map((item) => item.kind)).size).toBe(1);
    // The author does not review their own plans.
    expect(await getWaitingForYou(w.pool, targetPool, people.author!)).toEqual([]);
  });

  it("reads the gates' starting state for many migrations in one query each, as one-by-one reads find it, and judges the same", async () => {
    const ids = (await w.pool.query<{ id: string }>('SELECT id FROM expand_contract.migrations ORDER BY id')).rows.map((r) => Number(r.id));
    const [first, second] = ids as [number, number];
    await w.store.openBackfill(first, 500, 1000);
    // Two checks of one migration: the later one is its latest.
    await w.store.recordParity(second, { mismatched: 3, rowsChecked: 10, durationMs: 5, tableRows: 10, lossy: null });
    await w.pool.query("UPDATE expand_contract.parity_checks SET checked_at = checked_at - interval '1 hour'");
    await w.store.recordParity(second, { mismatched: 0, rowsChecked: 10, durationMs: 5, tableRows: 10, lossy: { rows: 1, samples: [] } });
    await w.store.setStatus(second, 'backfilled');
    await w.store.markDeployed(second, 'author@team.example');

    const [migrations, backfills, parities, runs] = await Promise.all([
      w.store.migrationsOf([...ids, 999_999]),
      w.store.backfillsOf(ids),
      w.store.latestParityOf(ids),
      w.store.phaseRunsOf(ids),
    ]);
    expect([...migrations.keys()].sort((a, b) => a - b)).toEqual(ids);
    expect(parities.get(second)).toMatchObject({ mismatched: 0, lossy: { rows: 1, samples: [] } });
    const now = new Date();
    for (const id of ids) {
      expect(migrations.get(id)).toEqual(await w.store.getMigration(id));
      expect(backfills.get(id) ?? null).toEqual(await w.store.getBackfill(id));
      expect(parities.get(id) ?? null).toEqual(await w.store.latestParity(id));
      const known = { backfill: backfills.get(id) ?? null, parity: parities.get(id) ?? null, runs: runs.get(id) ?? [] };
      const alone = await contractGate({ store: w.store, target: w.target }, migrations.get(id)!, now);
      const batched = await contractGate({ store: w.store, target: w.target }, migrations.get(id)!, now, undefined, known);
      expect(batched.decision).toEqual(alone.decision);
    }
  });
});
