import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../lib/auth/manage-users';
import { createMigrationAs } from '../lib/data/create-migration';
import { setScheduleRulesAs } from '../lib/data/set-schedule-rules-as';
import { ForbiddenError, withActor } from '../lib/data/with-actor';
import type { Actor, Role } from '../lib/lifecycle/permissions';
import type { OperationSpec } from '../lib/migrations/types';
import { parseSchedule } from '../lib/state/records';
import { scheduleRules } from '../lib/state/propose-schedule-for';
import { DEFAULT_SCHEDULE_RULES } from '../lib/timeline/schedule-rules';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

// New migrations are proposed into the team's slots on the real state database: never more expands
// in one slot than the rules allow (even when people create at the same moment), never two open
// changes of one table in overlapping windows, from the dashboard and the command line alike.

let w: ExecutorWorld;
const people: Record<string, Actor> = {};
const rename = (table: string): OperationSpec => ({ kind: 'rename-column', schema: 'public', table, column: 'user_email', newName: 'contact_email' });
const scheduleOf = async (id: number) =>
  parseSchedule((await w.pool.query('SELECT schedule FROM expand_contract.migrations WHERE id = $1', [id])).rows[0].schedule)!;
const setRules = (who: string, rules: unknown) =>
  withActor(w.pool, people[who]!, (c) => c.query('SELECT expand_contract.set_schedule_rules($1)', [JSON.stringify(rules)])).then(
    () => 'set',
    (e: unknown) => (e instanceof ForbiddenError ? 'refused' : Promise.reject(e)),
  );

beforeAll(async () => {
  w = await executorWorld('proposals');
  for (let i = 1; i <= 6; i++) await w.target.query(`CREATE TABLE t${i} (id bigint PRIMARY KEY, user_email text NOT NULL, plan text)`);
  for (const [key, roles] of [
    ['author', ['author']],
    ['admin', ['admin']],
  ] as [string, Role[]][]) {
    const email = `${key}@team.example`;
    const { id } = await upsertUser(w.pool, { email, roles, password: 'correct horse battery' });
    people[key] = { id, email, name: key, roles };
  }
});
afterAll(() => w.close());

describe('schedule proposals', () => {
  it('put at most two expands in a slot, even for five changes created at the same moment', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5].map((i) => createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, rename(`t${i}`))));
    const slots = new Map<number, number>();
    for (const id of ids) {
      const t = (await scheduleOf(id)).expandAt.getTime();
      slots.set(t, (slots.get(t) ?? 0) + 1);
    }
    expect(Math.max(...slots.values())).toBe(2);
    expect(slots.size).toBe(3);
  });

  it('never overlap two open changes of one table: the second (from the command line) starts after the first contracts', async () => {
    const first = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, rename('t6'));
    const second = await w.register({ kind: 'set-not-null', schema: 'public', table: 't6', column: 'plan', fill: "'free'" });
    const [a, b] = [await scheduleOf(first), await scheduleOf(second)];
    expect(b.expandAt.getTime()).toBeGreaterThan(a.contractAt.getTime());
  });

  it('follow the rules an admin sets; nobody else sets them, and nonsense is refused by the database', async () => {
    expect(await scheduleRules(w.pool)).toEqual(DEFAULT_SCHEDULE_RULES);
    // The server refuses first, and checks the shape before the database sees it.
    await expect(setScheduleRulesAs(w.pool, people.author!, DEFAULT_SCHEDULE_RULES)).rejects.toThrow(ForbiddenError);
    await expect(setScheduleRulesAs(w.pool, people.admin!, { ...DEFAULT_SCHEDULE_RULES, noContractDays: [0, 1, 2, 3, 4, 5, 6] })).rejects.toThrow(
      /at least one day for contracts/,
    );
    expect(await setRules('author', { ...DEFAULT_SCHEDULE_RULES, maxExpandsPerSlot: 9 })).toBe('refused');
    await expect(setRules('admin', { ...DEFAULT_SCHEDULE_RULES, expandHour: 15, deployHour: 14 })).rejects.toThrow(/deploy after the expand/);
    await expect(setRules('admin', { ...DEFAULT_SCHEDULE_RULES, expandDays: [7] })).rejects.toThrow(/0 \(Monday\) to 6/);
    expect(await setRules('admin', { ...DEFAULT_SCHEDULE_RULES, expandDays: [3], expandHour: 9, deployHour: 11 })).toBe('set');
    const [entry] = (await w.pool.query("SELECT actor, action FROM expand_contract.audit_log WHERE action = 'settings.schedule-rules'")).rows;
    expect(entry).toBeUndefined(); // straight to the database: no audit entry of the server's
    await setScheduleRulesAs(w.pool, people.admin!, { ...DEFAULT_SCHEDULE_RULES, expandDays: [3], expandHour: 9, deployHour: 11 });
    expect((await w.pool.query("SELECT actor FROM expand_contract.audit_log WHERE action = 'settings.schedule-rules'")).rows).toEqual([
      { actor: 'admin@team.example' },
    ]);
    expect((await scheduleRules(w.pool)).expandDays).toEqual([3]);
    await w.target.query('CREATE TABLE t7 (id bigint PRIMARY KEY, user_email text NOT NULL)');
    const s = await scheduleOf(await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, rename('t7')));
    expect(s.expandAt.getUTCDay()).toBe(4); // Thursday
    expect(s.expandAt.getUTCHours()).toBe(9);
    expect(s.deployAt.getUTCHours()).toBe(11);
  });
});
