import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveContract } from '../lib/data/approve-contract';
import { approvePlan } from '../lib/data/approve-plan';
import { createMigrationAs } from '../lib/data/create-migration';
import { getPhaseFile } from '../lib/data/get-phase-file';
import { ForbiddenError } from '../lib/data/with-actor';
import { runPhase } from '../lib/executor/run-phase';
import type { Actor, Role } from '../lib/lifecycle/permissions';
import { ingestMetrics } from '../lib/signals/ingest-metrics';
import { sampleStatements } from '../lib/signals/sample-statements';
import type { FilePhase } from '../lib/migrations/render-sql';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';
import { addPerson } from './helpers/people';

// The contract as a Supabase migration file drops the old column once pushed, by whoever holds it:
// only the author and the person on call get it, and only once the gate is open.

let w: ExecutorWorld;
let targetPool: pg.Pool;
const people: Record<string, Actor> = {};
const policy = { sampleEverySeconds: 5, observationMinutes: 0, bufferMinutes: 0 };

const person = async (key: string, roles: Role[]) => (people[key] = await addPerson(w.pool, key, roles));

beforeAll(async () => {
  w = await executorWorld('phase_file');
  targetPool = new pg.Pool({ connectionString: w.targetDb.url, max: 2 });
  await w.targetDb.admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'); // only a superuser may create it
  await w.target.query(`CREATE TABLE quiet (id bigint PRIMARY KEY, old_col text NOT NULL);
    INSERT INTO quiet SELECT g, 'v' || g FROM generate_series(1, 200) g; ANALYZE quiet;`);
  await person('author', ['author']);
  await person('reviewer', ['reviewer']);
  await person('oncall', ['oncall', 'reviewer']);
  await w.pool.query(
    "UPDATE expand_contract.settings SET value = jsonb_build_object('startsAt', now() - interval '1 day', 'shiftDays', 7) WHERE key = 'oncall'",
  );
  await w.pool.query('INSERT INTO expand_contract.oncall_rotation (position, user_id) VALUES (0, $1)', [people.oncall!.id]);
});
afterAll(async () => {
  await targetPool.end();
  await w.close();
});

const file = (who: string, id: number, phase: FilePhase) => getPhaseFile(w.pool, targetPool, policy, people[who]!, id, phase);

describe('the contract as a migration file', () => {
  it('is refused to anyone but the author and the person on call, and to them while the gate is closed; given once it opens', async () => {
    const id = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, {
      kind: 'rename-column',
      schema: 'public',
      table: 'quiet',
      column: 'old_col',
      newName: 'new_col',
    });
    // A phase not run yet is a file that applies it: only whoever may run it now gets it, as with its button.
    const refused = async (who: string, phase: 'expand' | 'rollback' | 'restore') => ((await file(who, id, phase).catch((e: unknown) => e)) as Error).message;
    expect(await refused('reviewer', 'expand')).toMatch(/^no expand file for you yet: .*only the migration's author runs expand/);
    expect(await refused('author', 'expand')).toMatch(/the plan needs 1 approval\(s\) by a reviewer other than the author/);
    expect(await refused('author', 'restore')).toMatch(/^no restore file for you yet: .*only the person on call right now may run restore/);

    const notTheirs = await file('reviewer', id, 'contract').catch((e: unknown) => e);
    expect(notTheirs).toBeInstanceOf(ForbiddenError);
    expect((notTheirs as Error).message).toMatch(/author and the person on call/);
    const closed = await file('author', id, 'contract').catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(ForbiddenError);
    expect((closed as Error).message).toMatch(/^the gate is closed, so no contract file yet: .*backfill/);

    // The evidence, as the contract run asks for it.
    const { target: label } = await w.store.getMigration(id);
    await approvePlan(w.pool, people.reviewer!, id);
    expect((await file('author', id, 'expand')).content).toContain('ADD COLUMN IF NOT EXISTS "new_col"');
    expect(await refused('reviewer', 'expand')).toMatch(/only the migration's author runs expand/);
    await sampleStatements(w.target, w.pool, label);
    const deps = { store: w.store, target: w.target, ...policy };
    await runPhase(deps, id, 'expand');
    await runPhase(deps, id, 'backfill');
    await runPhase(deps, id, 'verify');
    // Once it ran, the expand is history: its file, with the recorded version, is anyone's.
    expect((await file('reviewer', id, 'expand')).content).toContain('ADD COLUMN IF NOT EXISTS "new_col"');
    // A rollback before the deploy is the author's; after it, deployed code reads the new column: the on-call's alone.
    expect((await file('author', id, 'rollback')).content).toContain('DROP COLUMN IF EXISTS "new_col"');
    await w.store.markDeployed(id, 'ci');
    expect(await refused('author', 'rollback')).toMatch(/the deploy is marked: only the person on call right now may roll back/);
    expect((await file('oncall', id, 'rollback')).content).toContain('DROP COLUMN IF EXISTS "new_col"');
    await ingestMetrics(w.pool, 'web', {
      batchId: 'quiet',
      points: [{ service: 'web', version: 'v2', timestamp: new Date().toISOString(), requests: 500, errors: 0 }],
    });
    await new Promise((r) => setTimeout(r, 800));
    await sampleStatements(w.target, w.pool, label);

    // Everything but the on-call's approval: no file yet, for the author or anyone (two people, as on the dashboard).
    for (const who of ['author', 'oncall']) {
      const waiting = await file(who, id, 'contract').catch((e: unknown) => e);
      expect(waiting).toBeInstanceOf(ForbiddenError);
      expect((waiting as Error).message).toMatch(/^the gate is closed, so no contract file yet: no contract approval yet/);
    }
    await approveContract(w.pool, w.target, policy, people.oncall!, id);
    for (const who of ['author', 'oncall']) expect((await file(who, id, 'contract')).content).toContain('DROP COLUMN');
    // Still nobody else's, open gate or not; nor the on-call's once the role is gone.
    expect(await file('reviewer', id, 'contract').catch((e: unknown) => e)).toBeInstanceOf(ForbiddenError);
    const demoted = { ...people.oncall!, roles: ['reviewer' as const] };
    expect(await getPhaseFile(w.pool, targetPool, policy, demoted, id, 'contract').catch((e: unknown) => e)).toBeInstanceOf(ForbiddenError);
  });
});
