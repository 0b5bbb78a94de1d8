import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStep } from '../lib/migrations/render-sql';
import { planFor, runPhases } from './helpers/plan-runner';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

/**
 * A contract file's checks count rows whose old and new values disagree. Pushed by a role that
 * row-level security shows only some rows, a count could read 0 over rows it cannot see: the
 * check must fail instead.
 */
let db: TestDatabase;
let c: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase('file_checks_rls');
  c = await db.client();
  await c.query(`CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, email text NOT NULL);
    INSERT INTO accounts SELECT g, CASE WHEN g <= 5 THEN 'pusher' ELSE 'someone' END, 'a' || g || '@x.io' FROM generate_series(1, 20) g;`);
});
afterAll(() => db.drop());

describe('contract file checks under row-level security', () => {
  it('fail for a role that sees only some rows, rather than counting what it sees', async () => {
    const plan = await planFor(c, { kind: 'rename-column', schema: 'public', table: 'accounts', column: 'email', newName: 'contact_email' });
    await runPhases(c, plan, ['preflight', 'expand', 'backfill']);
    // A row the pushing role cannot see disagrees (as if written while the trigger was off).
    await c.query(
      "ALTER TABLE accounts DISABLE TRIGGER USER; UPDATE accounts SET email = 'changed@x.io' WHERE id = 20; ALTER TABLE accounts ENABLE TRIGGER USER",
    );
    await c.query(`ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own ON accounts USING (owner = current_user)`);
    const role = `pusher_${db.name}`.slice(0, 60);
    await db.admin.query(`CREATE ROLE ${role} NOLOGIN NOBYPASSRLS; GRANT SELECT ON accounts TO ${role}; GRANT ${role} TO ${new URL(db.url).username}`);
    await c.query(`UPDATE accounts SET owner = '${role}' WHERE owner = 'pusher'`);
    const agree = plan.steps.find((s) => s.phase === 'contract' && s.kind === 'check' && s.sql.includes('differing'))!;

    await c.query(`SET ROLE ${role}`);
    try {
      // What the role sees: its 5 rows, all in agreement. The unguarded count would say 0.
      expect((await c.query(agree.sql)).rows[0].count).toBe('0');
      const error = await c.query(renderStep(agree)).then(
        () => null,
        (e: { code?: string; message: string }) => e,
      );
      expect(error?.code).toBe('42501');
      expect(error?.message).toMatch(/row-level security/);
    } finally {
      // The file's step opened a transaction that the error left aborted.
      await c.query('ROLLBACK');
      await c.query('RESET ROLE');
    }
    // A role that sees every row gets the real count, and the contract's own wording.
    const error = await c.query(renderStep(agree)).then(
      () => null,
      (e: { message: string }) => e,
    );
    expect(error?.message).toMatch(/^contract check failed: 1 row\(s\): Rows whose email and contact_email disagree/);
    await c.query('ROLLBACK');
    await db.admin.query(`REVOKE ${role} FROM ${new URL(db.url).username}; DROP OWNED BY ${role}; DROP ROLE ${role}`);
  });
});
