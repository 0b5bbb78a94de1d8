import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY } from '../lib/state/migration-lock';
import { upsertUser } from '../lib/auth/manage-users';
import type { Actor, Role } from '../lib/lifecycle/permissions';
import { createMigrationAs } from '../lib/data/create-migration';
import { setMigrationServices } from '../lib/data/set-migration-services';
import { ForbiddenError, withActor } from '../lib/data/with-actor';
import { contractGate } from '../lib/signals/gate-evidence';
import { errorEvidence } from '../lib/signals/error-evidence';
import { runCli } from './helpers/cli-process';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

// Which services' error rates are a migration's evidence: every one by default, or the ones named for it.

let w: ExecutorWorld;
const people: Record<string, Actor> = {};
const at = new Date(Date.now() - 30 * 60_000); // the phase the evidence is judged around, half an hour ago
const now = new Date();
const policy = { margin: 0.25, minRequests: 100, minErrors: 5, maxWindowMinutes: 1440 };

async function person(key: string, roles: Role[]) {
  const email = `${key}@team.example`;
  const { id } = await upsertUser(w.pool, { email, roles, password: 'correct horse battery' });
  people[key] = { id, email, name: key, roles };
}

/** A minute of a service's reports, straight into the per-minute rollup the evidence reads. */
async function minute(service: string, t: Date, requests: number, errors: number, source: 'app' | 'postgres' = 'app') {
  const m = new Date(Math.floor(t.getTime() / 60_000) * 60_000);
  await w.pool.query('INSERT INTO expand_contract.metric_minutes (source, service, minute, requests, errors) VALUES ($1, $2, $3, $4, $5)', [
    source,
    service,
    m,
    requests,
    errors,
  ]);
}

beforeAll(async () => {
  w = await executorWorld('services');
  await w.target.query(
    "CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL); INSERT INTO leads SELECT g, 'e' || g FROM generate_series(1, 50) g",
  );
  for (const [key, roles] of [
    ['author', ['author']],
    ['author2', ['author']],
    ['admin', ['admin']],
    ['viewer', ['viewer']],
  ] as const)
    await person(key, [...roles]);
  // "web" (which uses the table) is steady around the phase; "batch" (which does not) fails more after it.
  for (let i = 1; i <= 20; i += 1) {
    await minute('web', new Date(at.getTime() - i * 60_000), 100, 1);
    await minute('web', new Date(at.getTime() + i * 60_000), 100, 1);
    await minute('batch', new Date(at.getTime() - i * 60_000), 100, 1);
    await minute('batch', new Date(at.getTime() + i * 60_000), 100, 20);
  }
});
afterAll(() => w.close());

describe('error evidence per migration', () => {
  it('counts every service by default, only the named ones when named (the others set aside), and the Postgres log always', async () => {
    const evidence = (services: string[] | null) => errorEvidence(w.pool, 'target-label', [{ phase: 'expand', at }], now, policy, services);
    const regressed = async (services: string[] | null) => (await evidence(services)).phases[0]!.series.filter((s) => s.regression).map((s) => s.service);
    expect(await regressed(null)).toEqual(['batch']);
    expect(await regressed(['web'])).toEqual([]);
    expect(await regressed(['batch', 'web'])).toEqual(['batch']);
    // batch's regression is not counted for a migration named for web, but is kept for the approver to see.
    expect((await evidence(['web'])).uncounted).toEqual([expect.stringMatching(/^after expand: batch: 20\.00% of 2,?000 requests after/)]);
    expect((await evidence(null)).uncounted).toEqual([]);
    // A named service that never reported is still there, as a series without volume (no evidence), not left out.
    const silent = (await evidence(['web', 'chekout'])).phases[0]!.series.find((s) => s.service === 'chekout')!;
    expect(silent).toMatchObject({ source: 'app', enoughVolume: false, regression: false });
    // The target's Postgres log is evidence whichever services are named.
    for (let i = 1; i <= 20; i += 1) await minute('target-label', new Date(at.getTime() + i * 60_000), 0, 10, 'postgres');
    const series = (await evidence(['web'])).phases[0]!.series;
    expect(series.map((s) => `${s.source}:${s.service}`).sort()).toEqual(['app:web', 'postgres:target-label']);
    await w.pool.query("DELETE FROM expand_contract.metric_minutes WHERE source = 'postgres'");
  });

  it("the contract gate judges a migration on its named services: another service's regression does not block it", async () => {
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' });
    const gateErrors = async () => {
      const migration = await w.store.getMigration(id);
      const { evidence, decision } = await contractGate(
        { store: w.store, target: w.target, regression: policy, sampleEverySeconds: 5, observationMinutes: 0, bufferMinutes: 0 },
        migration,
        now,
      );
      return { services: evidence.errors!.phases.flatMap((p) => p.series.map((s) => s.service)), reasons: decision.reasons.filter((r) => /error/i.test(r)) };
    };
    // The expand "ran" at `at`: the evidence is judged around it.
    await w.pool.query(
      "INSERT INTO expand_contract.phase_runs (migration_id, phase, status, started_at, finished_at) VALUES ($1, 'expand', 'succeeded', $2, $2)",
      [id, at],
    );
    const every = await gateErrors();
    expect(every.services.sort()).toEqual(['batch', 'web']);
    expect(every.reasons.join('\n')).toMatch(/batch/);
    await w.pool.query("UPDATE expand_contract.migrations SET services = '{web}' WHERE id = $1", [id]);
    const named = await gateErrors();
    expect(named.services).toEqual(['web']);
    expect(named.reasons).toEqual([]);
    // A named service that never reports (a typo) leaves the error evidence unknown, naming it: it is not "no regression".
    await w.pool.query("UPDATE expand_contract.migrations SET services = '{web,chekout}' WHERE id = $1", [id]);
    const typo = await gateErrors();
    expect(typo.reasons).toEqual([
      expect.stringMatching(/^chekout did not report enough requests since expand to compare error rates: each service named for this migration must/),
    ]);
  });
});

describe('naming the services', () => {
  let id: number;
  const services = async () => (await w.pool.query('SELECT services FROM expand_contract.migrations WHERE id = $1', [id])).rows[0].services as string[] | null;
  beforeAll(async () => {
    await w.target.query('CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL)');
    id = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, {
      kind: 'rename-column',
      schema: 'public',
      table: 'orders',
      column: 'status',
      newName: 'state',
    });
  });

  it('by the author or an admin, while planned, checked by the server and again by the database; audited', async () => {
    expect(await setMigrationServices(w.pool, people.author!, id, ' web, api ,web')).toEqual(['web', 'api']);
    expect(await services()).toEqual(['web', 'api']);
    for (const key of ['author2', 'viewer']) await expect(setMigrationServices(w.pool, people[key]!, id, 'web')).rejects.toBeInstanceOf(ForbiddenError);
    expect(await setMigrationServices(w.pool, people.admin!, id, '')).toBeNull(); // every service again
    await expect(setMigrationServices(w.pool, people.author!, id, 'bad\u0007name')).rejects.toThrow('must not contain control characters');
    const audit = await w.pool.query(
      "SELECT actor, detail->'services' AS services FROM expand_contract.audit_log WHERE action = 'services.changed' AND migration_id = $1 ORDER BY id",
      [id],
    );
    expect(audit.rows).toEqual([
      { actor: 'author@team.example', services: ['web', 'api'] },
      { actor: 'admin@team.example', services: null },
    ]);
    // Straight as another author: the row is not theirs to change.
    await withActor(w.pool, people.author2!, (c) => c.query("UPDATE expand_contract.migrations SET services = '{x}' WHERE id = $1", [id])).catch(() => {});
    expect(await services()).toBeNull();
  });

  it('are fixed once the first expand begins (even one that failed), and not changed while a phase runs', async () => {
    await setMigrationServices(w.pool, people.author!, id, 'web');
    // While a phase of it runs (its runner holds the migration's lock): busy.
    const runner = await w.pool.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY}, $1::int)`, [id]);
      await expect(setMigrationServices(w.pool, people.author!, id, 'web, batch')).rejects.toThrow('is being run by another process right now');
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY}, $1::int)`, [id]);
      runner.release();
    }
    // An expand that failed: still planned, but the evidence window has begun.
    await w.pool.query(
      "INSERT INTO expand_contract.phase_runs (migration_id, phase, status, started_at, finished_at) VALUES ($1, 'expand', 'failed', now(), now())",
      [id],
    );
    expect((await w.store.getMigration(id)).status).toBe('planned');
    await expect(setMigrationServices(w.pool, people.author!, id, 'web, batch')).rejects.toThrow('its services are fixed once its expand has begun');
    // An admin passes the row policy; the trigger still refuses (a regression must not be argued away by leaving its service out).
    await expect(withActor(w.pool, people.admin!, (c) => c.query('UPDATE expand_contract.migrations SET services = NULL WHERE id = $1', [id]))).rejects.toThrow(
      'are fixed once its expand has begun',
    );
    await w.pool.query("UPDATE expand_contract.migrations SET status = 'expanded' WHERE id = $1", [id]);
    await expect(
      withActor(w.pool, people.author!, (c) => c.query("UPDATE expand_contract.migrations SET services = '{web,batch}' WHERE id = $1", [id])),
    ).rejects.toThrow('are fixed once its expand has begun');
    expect(await services()).toEqual(['web']);
  });

  it('from the command line at creation, with the same checks on the names', async () => {
    const env = { DATABASE_URL: w.stateDb.url, TARGET_DATABASE_URL: w.targetDb.url };
    await w.target.query('CREATE TABLE accounts (id bigint PRIMARY KEY, plan text)');
    const bad = runCli(['create', 'rename', 'public.accounts.plan', 'tier', '--services', `web,${'x'.repeat(101)}`], env);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('--services: a service name is longer than 100 characters');
    const made = runCli(['create', 'rename', 'public.accounts.plan', 'tier', '--services', 'web, billing'], env);
    expect(await made.exited).toBe(0);
    expect(made.output()).toContain("error evidence: web, billing, and the target's Postgres log");
    const created = Number(/created migration (\d+)/.exec(made.output())![1]);
    expect((await w.store.getMigration(created)).services).toEqual(['web', 'billing']);
  });
});
