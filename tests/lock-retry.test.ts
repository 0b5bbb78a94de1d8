import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockBlockedError, runWithLockRetry } from '../lib/executor/lock-retry';
import { DEFAULT_PLAN_OPTIONS, type Step } from '../lib/migrations/types';
import { planFor } from './helpers/plan-runner';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

let db: TestDatabase;
let addColumn: Step;
const table = { schema: 'public', name: 'leads' };

beforeAll(async () => {
  db = await createTestDatabase('locks');
  const c = await db.client();
  await c.query("CREATE TABLE leads (id int PRIMARY KEY, user_email text NOT NULL); INSERT INTO leads SELECT g, 'e' || g FROM generate_series(1, 1000) g;");
  const plan = await planFor(
    c,
    { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' },
    {
      ddlTimeouts: { lockTimeout: '200ms', statementTimeout: '5s' },
    },
  );
  addColumn = plan.steps.find((s) => s.id.endsWith('expand/01-add_column'))!;
  expect(DEFAULT_PLAN_OPTIONS.ddlTimeouts.lockTimeout).toBe('1s');
});
afterAll(() => db.drop());

describe('DDL behind a long transaction', () => {
  it('waits and retries without blocking reads and writes, then succeeds once the blocker ends', async () => {
    const blocker = await db.client();
    await blocker.query('BEGIN; SELECT * FROM leads WHERE id = 1');

    // Traffic: old code reading and writing the table the whole time.
    let stop = false;
    const latencies: number[] = [];
    const traffic = async (n: number) => {
      const t = await db.client();
      for (let i = 0; !stop; i += 1) {
        const started = performance.now();
        if (i % 2) await t.query('SELECT user_email FROM leads WHERE id = $1', [1 + ((i * 37 + n) % 1000)]);
        else await t.query('UPDATE leads SET user_email = $1 WHERE id = $2', [`w${i}`, 2 + ((i * 53 + n) % 998)]);
        latencies.push(performance.now() - started);
      }
    };
    const workers = [traffic(1), traffic(2)];

    const ddl = await db.client();
    const retries: number[] = [];
    const expand = runWithLockRetry(ddl, addColumn, { table, attempts: 50, baseDelayMs: 100, maxDelayMs: 400, onRetry: (a) => void retries.push(a) });
    await new Promise((r) => setTimeout(r, 2500));
    const duringBlock = latencies.length;
    await blocker.query('COMMIT');
    const result = await expand;
    stop = true;
    await Promise.all(workers);

    expect(result.attempts).toBeGreaterThan(2);
    expect(duringBlock).toBeGreaterThan(50); // reads and writes kept flowing while the DDL waited
    // Nobody waited much longer than one lock_timeout (200 ms) behind the queued ALTER.
    expect(Math.max(...latencies)).toBeLessThan(700);
    const cols = await db.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'leads' AND column_name = 'contact_email'");
    expect(cols.rowCount).toBe(1);
  });

  it('gives up after its attempts and names the session in the way', async () => {
    await db.query('ALTER TABLE leads DROP COLUMN IF EXISTS contact_email');
    const blocker = await db.client();
    const blockerPid = (await blocker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    await blocker.query('BEGIN');
    await blocker.query('SELECT count(*) FROM leads');
    const error = await runWithLockRetry(await db.client(), addColumn, { table, attempts: 3, baseDelayMs: 50 }).catch((e) => e);
    await blocker.query('ROLLBACK');
    expect(error).toBeInstanceOf(LockBlockedError);
    expect(error.attempts).toBe(3);
    expect(error.blockers[0]).toMatchObject({ pid: blockerPid, state: 'idle in transaction', mode: 'AccessShareLock' });
    expect(error.message).toMatch(new RegExp(`blocked by pid ${blockerPid} running "SELECT count\\(\\*\\) FROM leads" for \\d+ (ms|seconds?)`));
  });

  it('names only sessions whose lock conflicts with the one the step needs, and blanks their literals', async () => {
    const reader = await db.client();
    await reader.query('BEGIN');
    await reader.query('SELECT count(*) FROM leads'); // AccessShare: does not block a trigger creation
    const writer = await db.client();
    const writerPid = (await writer.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    await writer.query('BEGIN');
    await writer.query("UPDATE leads SET user_email = 'secret-token-123' WHERE id = 5"); // RowExclusive: blocks it
    const trigger = {
      ...addColumn,
      id: 'test/trigger',
      lock: 'SHARE ROW EXCLUSIVE' as const,
      sql: 'CREATE TRIGGER t_noop BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()',
    };
    const error = await runWithLockRetry(await db.client(), trigger, { table, attempts: 2, baseDelayMs: 50 }).catch((e) => e);
    await writer.query('ROLLBACK');
    await reader.query('ROLLBACK');
    expect(error).toBeInstanceOf(LockBlockedError);
    expect(error.blockers.map((b: { pid: number }) => b.pid)).toEqual([writerPid]);
    expect(error.message).toContain(`UPDATE leads SET user_email = '…' WHERE id = 5`);
    expect(error.message).not.toContain('secret-token-123');
  });
});
