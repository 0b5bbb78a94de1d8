import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { upsertUser } from '../lib/auth/manage-users';
import { createMigrationAs } from '../lib/data/create-migration';
import { getWaitingForYou } from '../lib/data/get-waiting-for-you';
import { permissionContext, permissionContexts } from '../lib/data/permission-context';
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
});
