import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../lib/auth/manage-users';
import { listAudit } from '../lib/data/audit-log';
import { cancelMigration } from '../lib/data/cancel-migration';
import { createMigrationAs } from '../lib/data/create-migration';
import { getCancellation } from '../lib/data/get-cancellation';
import { getTimeline } from '../lib/data/get-timeline';
import { ForbiddenError, withActor } from '../lib/data/with-actor';
import type { Actor, Role } from '../lib/lifecycle/permissions';
import type { OperationSpec } from '../lib/migrations/types';
import { MigrationBusyError } from '../lib/state/errors';
import { lockMigration } from '../lib/state/migration-lock';
import { layoutWeek } from '../lib/timeline/week-layout';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

// Cancelling a planned migration: the author's or an admin's, only before anything ran, judged by
// the server and again by the database, and gone from the week once cancelled.

let w: ExecutorWorld;
const people: Record<string, Actor> = {};
const rename: OperationSpec = { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' };
const create = (who = 'author') => createMigrationAs(w.pool, w.target, w.targetDb.url, people[who]!, rename);
const status = async (id: number) => (await w.pool.query('SELECT status FROM expand_contract.migrations WHERE id = $1', [id])).rows[0].status;
/** The database's own answer, the server's check skipped: as the person, straight to the function. */
const cancelInDatabase = (who: string, id: number) =>
  withActor(w.pool, people[who]!, (c) => c.query("SELECT expand_contract.cancel_migration($1, 'straight to the database')", [id])).then(
    () => 'cancelled',
    (e: unknown) => (e instanceof ForbiddenError ? e.reason : Promise.reject(e)),
  );

beforeAll(async () => {
  w = await executorWorld('cancel');
  await w.target.query("CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL); INSERT INTO leads VALUES (1, 'a@x')");
  for (const [key, roles] of [
    ['author', ['author']],
    ['author2', ['author']],
    ['admin', ['admin']],
    ['reviewer', ['reviewer']],
  ] as [string, Role[]][]) {
    const email = `${key}@team.example`;
    const { id } = await upsertUser(w.pool, { email, roles, password: 'correct horse battery' });
    people[key] = { id, email, name: key, roles };
  }
});
afterAll(() => w.close());

describe('cancelling a planned migration', () => {
  it('by its author: it is cancelled with who, when and why, audited, gone from the timeline, and the same change can be planned again', async () => {
    const id = await create();
    await cancelMigration(w.pool, people.author!, id, '  picked the wrong column  ');
    expect(await status(id)).toBe('cancelled');
    const record = await getCancellation(w.pool, id);
    expect(record).toMatchObject({ by: 'author@team.example', reason: 'picked the wrong column' });
    expect(Date.now() - record!.at.getTime()).toBeLessThan(60_000);
    const [entry] = await listAudit(w.pool, { migration: id }, 10);
    expect(entry).toMatchObject({ action: 'migration.cancelled', actor: 'author@team.example', detail: { reason: 'picked the wrong column' } });

    // The week no longer shows it, though it was scheduled in it.
    const now = new Date();
    const { migrations } = await getTimeline(w.pool, now);
    const cancelled = migrations.find((m) => m.id === id)!;
    expect(cancelled.schedule).not.toBeNull();
    const monday = new Date(cancelled.schedule!.expandAt.getTime() - 86_400_000);
    expect(layoutWeek(monday, 'UTC', now, migrations).lanes.map((l) => l.id)).not.toContain(id);

    // It no longer holds the plan's place: the same change is planned anew.
    const again = await create();
    expect(again).not.toBe(id);
    expect(await status(again)).toBe('planned');
    await cancelMigration(w.pool, people.admin!, again, '');
  });

  it('by someone else: refused by the server, and by the database when the server is skipped', async () => {
    const id = await create();
    for (const who of ['author2', 'reviewer']) {
      await expect(cancelMigration(w.pool, people[who]!, id, '')).rejects.toThrow("only the migration's author or an admin cancels it");
      expect(await cancelInDatabase(who, id)).toBe("refused by the database: only the migration's author or an admin cancels it");
    }
    expect(await status(id)).toBe('planned');
    expect(await cancelInDatabase('admin', id)).toBe('cancelled');
  });

  it('once an expand began, even a failed one: refused with what to do instead, by both', async () => {
    const id = await create();
    await w.pool.query(
      "INSERT INTO expand_contract.phase_runs (migration_id, phase, status, started_at, finished_at) VALUES ($1, 'expand', 'failed', now(), now())",
      [id],
    );
    const why = `an expand of migration ${id} began and may have left objects on the target: run the expand to the end, then roll it back`;
    await expect(cancelMigration(w.pool, people.author!, id, '')).rejects.toThrow(why);
    expect(await cancelInDatabase('author', id)).toBe(`refused by the database: ${why}`);
    await w.pool.query("UPDATE expand_contract.migrations SET status = 'expanded' WHERE id = $1", [id]);
    expect(await cancelInDatabase('admin', id)).toBe(`refused by the database: migration ${id} is expanded: only a planned migration is cancelled`);
    expect(await status(id)).toBe('expanded');
    // Finished, so the next test can plan the same change.
    await w.pool.query("UPDATE expand_contract.migrations SET status = 'rolled_back' WHERE id = $1", [id]);
  });

  it('while a phase run holds the migration: refused, nothing changed', async () => {
    const id = await create();
    const runner = await lockMigration(w.pool, id);
    try {
      await expect(cancelMigration(w.pool, people.author!, id, '')).rejects.toBeInstanceOf(MigrationBusyError);
      expect(await cancelInDatabase('author', id)).toBe(`refused by the database: migration ${id} is busy: a phase is running`);
    } finally {
      await runner.query('SELECT pg_advisory_unlock_all()');
      runner.release();
    }
    expect(await status(id)).toBe('planned');
  });
});
