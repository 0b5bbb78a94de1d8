import { describe, expect, it } from 'vitest';
import type { Step } from '../migrations/types';
import { adviceFromError, lockAdvice, privilegeAdvice, StepLockedError } from './phase-failure';
import { LockBlockedError } from './lock-retry';

const ddl: Step = {
  id: 'rename-column.public.parcels.weight.mass/expand/01-add_column',
  phase: 'expand',
  description: 'add the new column',
  sql: 'ALTER TABLE "public"."parcels" ADD COLUMN IF NOT EXISTS "mass" text',
  transactional: true,
  lock: 'ACCESS EXCLUSIVE',
  timeouts: { lockTimeout: '1s', statementTimeout: '5s' },
  kind: 'sql',
};
const concurrent: Step = { ...ddl, id: 'x/expand/02-index', sql: 'CREATE INDEX CONCURRENTLY "i" ON "public"."parcels" ("mass")', transactional: false };
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('what to do about a step that failed, by what Postgres said', () => {
  it('a lost connection says whether anything of the step was kept: nothing of a transaction, an invalid index of a concurrent build', () => {
    const terminated = pgError('57P01', 'terminating connection due to administrator command');
    expect(adviceFromError(ddl, terminated)).toBe(
      'the connection to the target was lost (57P01) while this step ran in its own transaction: nothing of this step was committed (the steps before it were); run the phase again once the target answers',
    );
    expect(adviceFromError(concurrent, new Error('Connection terminated unexpectedly'))).toBe(
      'the connection to the target was lost while this step ran outside a transaction: check what it left on the target (an index it was building stays INVALID: drop it), then run the phase again once the target answers',
    );
  });

  it('a refused privilege names the grant that fixes it, for the login and the table', () => {
    const login = 'expand_contract_target';
    const base = { login, table: '"public"."parcels"', schema: 'public', owner: login, ownsTable: true, schemaMissing: [], tableMissing: [] };
    expect(privilegeAdvice({ ...base, tableMissing: ['SELECT', 'TRIGGER'] })).toBe(
      'the target login "expand_contract_target" may not do this step: it lacks SELECT, TRIGGER on "public"."parcels": GRANT SELECT, TRIGGER ON "public"."parcels" TO "expand_contract_target"; then run the phase again',
    );
    expect(privilegeAdvice({ ...base, owner: 'app_owner', ownsTable: false, schemaMissing: ['CREATE'] })).toBe(
      'the target login "expand_contract_target" may not do this step: it does not own "public"."parcels" ("app_owner" does): GRANT "app_owner" TO "expand_contract_target"; it lacks CREATE on schema "public": GRANT CREATE ON SCHEMA "public" TO "expand_contract_target"; then run the phase again',
    );
    // Nothing the catalog can name (a function, a sequence): the login is still named.
    expect(privilegeAdvice(base)).toBe(
      'the target login "expand_contract_target" lacks a privilege this step needs (Postgres names the object): grant it to "expand_contract_target", then run the phase again',
    );
  });

  it('other SQLSTATEs keep their advice; a statement the data defeats is told apart from a rolled-back step', () => {
    expect(adviceFromError(ddl, pgError('42501', 'permission denied for table parcels'))).toMatch(/^the target login lacks a privilege this step needs/);
    expect(adviceFromError(ddl, pgError('23502', 'null value'))).toMatch(/^rows hold NULL/);
    expect(adviceFromError(ddl, pgError('22P02', 'invalid input syntax'))).toMatch(/^a row holds a value this step cannot convert/);
    expect(adviceFromError(ddl, pgError('XX000', 'internal'))).toBe(
      'the step ran in its own transaction and was rolled back: fix the cause, then run the phase again',
    );
    expect(adviceFromError(concurrent, pgError('XX000', 'internal'))).toBe(
      'this step runs outside a transaction: check what it left on the target, then run the phase again',
    );
  });
});

describe('a step that never got its lock', () => {
  const holder = { pid: 4242, mode: 'AccessShareLock', state: 'idle in transaction', query: 'LOCK TABLE parcels IN ACCESS SHARE MODE', seconds: 12 };
  const timeout = pgError('55P03', 'canceling statement due to lock timeout');

  it('names the session in the way and how to end it', () => {
    expect(lockAdvice(ddl, { attempts: 3, blockers: [holder] }, '"public"."parcels"')).toBe(
      'another session holds a lock on "public"."parcels" that this step\'s ACCESS EXCLUSIVE lock must wait for: pid 4242 running "LOCK TABLE parcels IN ACCESS SHARE MODE" for 12 seconds (idle in transaction, holds AccessShareLock). Let it finish, or end it (SELECT pg_terminate_backend(4242)), then run the phase again; the step tried 3 times, waiting at most 1s each, so it never held up the table\'s other users for long',
    );
    expect(lockAdvice(ddl, { attempts: 8, blockers: [] }, null)).toMatch(
      /^the session holding the lock ended before it could be named: then run the phase again/,
    );
  });

  it("stays a LockBlockedError, with the step, its SQL and Postgres's words for the form", () => {
    const blocked = new LockBlockedError(ddl.id, 3, [holder], { cause: timeout });
    const error = new StepLockedError('expand', ddl, blocked, '"public"."parcels"');
    expect(error).toBeInstanceOf(LockBlockedError);
    expect(error.attempts).toBe(3);
    expect(error.message).toBe(blocked.message);
    expect(error.detail).toEqual({
      title: `expand failed at step ${ddl.id}`,
      sql: ddl.sql,
      cause: 'Postgres: canceling statement due to lock timeout [SQLSTATE 55P03]',
      advice: lockAdvice(ddl, blocked, '"public"."parcels"'),
    });
  });
});
