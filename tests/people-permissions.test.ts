import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY } from '../lib/state/migration-lock';
import type { Actor, PhaseName, Role } from '../lib/lifecycle/permissions';
import { approveContract } from '../lib/data/approve-contract';
import { approvePlan } from '../lib/data/approve-plan';
import { commentOnPlan } from '../lib/data/comment-on-plan';
import { createMigrationAs } from '../lib/data/create-migration';
import { markDeployedAs } from '../lib/data/mark-deployed-as';
import { unmarkDeployedAs } from '../lib/data/unmark-deployed-as';
import { pauseBackfill } from '../lib/data/pause-backfill';
import { requestPhase, type PhaseRequestDeps } from '../lib/data/request-phase';
import { ForbiddenError, withActor } from '../lib/data/with-actor';
import { ingestMetrics } from '../lib/signals/ingest-metrics';
import { sampleStatements } from '../lib/signals/sample-statements';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';
import { phaseRunner } from './helpers/phase-runner';
import { addPerson } from './helpers/people';

let w: ExecutorWorld;
const people: Record<string, Actor> = {};
const policy = { sampleEverySeconds: 5, observationMinutes: 0, bufferMinutes: 0 };
let deps: PhaseRequestDeps;
const enqueued: number[] = [];

const person = async (key: string, roles: Role[]) => (people[key] = await addPerson(w.pool, key, roles));

beforeAll(async () => {
  w = await executorWorld('people');
  await w.targetDb.admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'); // only a superuser may create it
  await w.target.query(`CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL);
    INSERT INTO leads SELECT g, 'e' || g FROM generate_series(1, 300) g; ANALYZE leads;`);
  await person('author', ['author']);
  await person('author2', ['author']);
  await person('reviewer', ['reviewer']);
  await person('oncall', ['oncall', 'reviewer']);
  await person('oncall2', ['oncall']);
  await person('viewer', ['viewer']);
  await person('admin', ['admin']);
  // oncall holds this week's shift, oncall2 next week's.
  await w.pool.query(
    "UPDATE expand_contract.settings SET value = jsonb_build_object('startsAt', now() - interval '1 day', 'shiftDays', 7) WHERE key = 'oncall'",
  );
  await w.pool.query('INSERT INTO expand_contract.oncall_rotation (position, user_id) VALUES (0, $1), (1, $2)', [people.oncall!.id, people.oncall2!.id]);
  deps = { pool: w.pool, runPhase: phaseRunner(w.pool, w.target, policy), enqueueBackfill: async (id) => (enqueued.push(id), `job-${id}`) };
});
afterAll(() => w.close());

const rename = (table: string) => ({ kind: 'rename-column', schema: 'public', table, column: 'user_email', newName: 'contact_email' }) as const;
const columns = async (table: string) =>
  (await w.target.query<{ c: string }>('SELECT column_name AS c FROM information_schema.columns WHERE table_name = $1 ORDER BY 1', [table])).rows.map(
    (r) => r.c,
  );
const refused = (p: Promise<unknown>) =>
  p.then(
    () => 'allowed',
    (e) => (e instanceof ForbiddenError ? 'refused' : `error: ${(e as Error).message}`),
  );

describe('who may do what, checked by the server', () => {
  it('RBAC matrix: every mutating action × every role, and nothing reaches the target when refused', async () => {
    const id = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, rename('leads'));
    const matrix: Record<string, Record<string, string>> = {};
    const actions: Record<string, (a: Actor) => Promise<unknown>> = {
      'migration.create': (a) =>
        createMigrationAs(w.pool, w.target, w.targetDb.url, a, {
          kind: 'add-column',
          schema: 'public',
          table: 'leads',
          column: `c_${a.name}`,
          type: 'text',
          notNull: false,
        }),
      'plan.comment': (a) => commentOnPlan(w.pool, a, id, `looks fine, ${a.name}`),
      'phase.expand (no approval yet)': (a) => requestPhase(deps, a, id, 'expand'),
      'plan.approve': (a) => approvePlan(w.pool, a, id),
      'contract.approve': (a) => approveContract(w.pool, w.target, policy, a, id),
      'phase.contract': (a) => requestPhase(deps, a, id, 'contract'),
    };
    for (const [key, actor] of Object.entries(people)) {
      matrix[key] = {};
      for (const [name, act] of Object.entries(actions)) matrix[key]![name] = await refused(act(actor));
    }
    expect(matrix).toEqual({
      author: {
        'migration.create': 'allowed',
        'plan.comment': 'allowed',
        'phase.expand (no approval yet)': 'refused',
        'plan.approve': 'refused',
        'contract.approve': 'refused',
        'phase.contract': 'refused',
      },
      author2: {
        'migration.create': 'allowed',
        'plan.comment': 'allowed',
        'phase.expand (no approval yet)': 'refused',
        'plan.approve': 'refused',
        'contract.approve': 'refused',
        'phase.contract': 'refused',
      },
      reviewer: {
        'migration.create': 'refused',
        'plan.comment': 'allowed',
        'phase.expand (no approval yet)': 'refused',
        'plan.approve': 'allowed',
        'contract.approve': 'refused',
        'phase.contract': 'refused',
      },
      // On call, but the evidence does not allow a contract yet (nothing expanded): refused with the reasons.
      oncall: {
        'migration.create': 'refused',
        'plan.comment': 'allowed',
        'phase.expand (no approval yet)': 'refused',
        'plan.approve': 'allowed',
        'contract.approve': 'refused',
        // Who may, but not in this state: the database refuses the request itself, before any run.
        'phase.contract': 'refused',
      },
      oncall2: {
        'migration.create': 'refused',
        'plan.comment': 'allowed',
        'phase.expand (no approval yet)': 'refused',
        'plan.approve': 'refused',
        'contract.approve': 'refused',
        'phase.contract': 'refused',
      },
      viewer: {
        'migration.create': 'refused',
        'plan.comment': 'refused',
        'phase.expand (no approval yet)': 'refused',
        'plan.approve': 'refused',
        'contract.approve': 'refused',
        'phase.contract': 'refused',
      },
      admin: {
        'migration.create': 'refused',
        'plan.comment': 'allowed',
        'phase.expand (no approval yet)': 'refused',
        'plan.approve': 'refused',
        'contract.approve': 'refused',
        'phase.contract': 'refused',
      },
    });
    // Nothing ran on the target: no new column, no sync trigger.
    expect(await columns('leads')).toEqual(['id', 'user_email']);
    // Once approved by two reviewers, only the author may expand.
    expect(await refused(requestPhase(deps, people.author2!, id, 'expand'))).toBe('refused');
    expect(await refused(requestPhase(deps, people.author!, id, 'expand'))).toBe('allowed');
    expect(await columns('leads')).toEqual(['contact_email', 'id', 'user_email']);
    // A backfill goes to the job queue, never into the request.
    expect(await requestPhase(deps, people.author!, id, 'backfill')).toEqual({ queued: true, jobId: `job-${id}` });
    expect(enqueued).toEqual([id]);
  });
});

describe('who may do what, checked again by the database', () => {
  // Straight inserts as each person, skipping the server's checks: the policies and triggers must refuse the same.
  const asPerson = (key: string, sql: string, values: unknown[]) => refused(withActor(w.pool, people[key]!, (c) => c.query(sql, values)));
  let id: number;
  beforeAll(async () => {
    await w.target.query("CREATE TABLE db_only (id bigint PRIMARY KEY, user_email text NOT NULL); INSERT INTO db_only VALUES (1, 'a')");
    id = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, rename('db_only'));
  });
  const approval = "INSERT INTO expand_contract.approvals (migration_id, kind, approver_id, evidence_fingerprint) VALUES ($1, $2, $3, 'x')";
  const request = 'INSERT INTO expand_contract.phase_requests (migration_id, phase, requested_by) VALUES ($1, $2, $3)';

  it.each([
    ['a viewer approving a plan', 'viewer', approval, (i: number) => [i, 'plan', people.viewer!.id]],
    ['the author approving their own plan (reviewer role or not)', 'author', approval, (i: number) => [i, 'plan', people.author!.id]],
    ['someone approving in another name', 'reviewer', approval, (i: number) => [i, 'plan', people.oncall!.id]],
    ['a reviewer approving a contract', 'reviewer', approval, (i: number) => [i, 'contract', people.reviewer!.id]],
    ['an on-call engineer who is not on call now approving a contract', 'oncall2', approval, (i: number) => [i, 'contract', people.oncall2!.id]],
    ['the author asking for expand before any plan approval', 'author', request, (i: number) => [i, 'expand', people.author!.id]],
    ['another author asking for expand', 'author2', request, (i: number) => [i, 'expand', people.author2!.id]],
    ['the author asking for the contract', 'author', request, (i: number) => [i, 'contract', people.author!.id]],
    ['a reviewer asking for the contract', 'reviewer', request, (i: number) => [i, 'contract', people.reviewer!.id]],
    [
      'a viewer commenting',
      'viewer',
      'INSERT INTO expand_contract.comments (migration_id, author_id, body) VALUES ($1, $2, $3)',
      (i: number) => [i, people.viewer!.id, 'hi'],
    ],
    [
      'a viewer creating a migration',
      'viewer',
      "INSERT INTO expand_contract.migrations (plan_id, slug, title, spec, plan, target, author_id) VALUES ('p', 's', 't', '{}', '{}', 'x', $1)",
      () => [people.viewer!.id],
    ],
    [
      'a non-admin granting themselves admin',
      'author',
      "UPDATE expand_contract.users SET roles = '{admin}' WHERE id = $1 RETURNING id",
      () => [people.author!.id],
    ],
    ['anyone reading password hashes', 'admin', 'SELECT password_hash FROM expand_contract.users WHERE id = $1', () => [people.admin!.id]],
    [
      'a non-admin creating an API token',
      'oncall',
      "INSERT INTO expand_contract.api_tokens (scope, service, token_hash) VALUES ('ingest', 'web', '\\x00')",
      () => [],
    ],
  ])('refuses %s', async (_name, who, sql, values) => {
    const outcome = await asPerson(who, sql, values(id));
    // An UPDATE that RLS hides from the person changes no row instead of failing: that is a refusal too.
    if (sql.startsWith('UPDATE'))
      expect((await w.pool.query('SELECT roles FROM expand_contract.users WHERE id = $1', [people.author!.id])).rows[0].roles).toEqual(['author']);
    else expect(outcome).toBe('refused');
  });

  it('allows the same statements to the right people, and keeps the audit log append-only for everyone', async () => {
    expect(await asPerson('reviewer', approval, [id, 'plan', people.reviewer!.id])).toBe('allowed');
    expect(await asPerson('author', request, [id, 'expand', people.author!.id])).toBe('allowed');
    expect(await asPerson('admin', "UPDATE expand_contract.users SET name = 'Vi' WHERE id = $1", [people.viewer!.id])).toBe('allowed');
    expect(await asPerson('author', "INSERT INTO expand_contract.audit_log (actor_id, actor, action) VALUES ($1, 'admin', 'forged')", [people.admin!.id])).toBe(
      'refused',
    );
    // Its own id, someone else's name in the text the audit page shows: refused too.
    expect(
      await asPerson('viewer', "INSERT INTO expand_contract.audit_log (actor_id, actor, action) VALUES ($1, 'oncall@team.example', 'contract.approved')", [
        people.viewer!.id,
      ]),
    ).toBe('refused');
    expect(
      await asPerson('author', "INSERT INTO expand_contract.audit_log (actor_id, actor, action) VALUES ($1, 'author@team.example', 'x')", [people.author!.id]),
    ).toBe('allowed');
    for (const sql of ["UPDATE expand_contract.audit_log SET action = 'nothing happened'", 'DELETE FROM expand_contract.audit_log']) {
      expect(await asPerson('admin', sql, [])).toBe('refused');
      await expect(w.pool.query(sql)).rejects.toThrow('the audit log is append-only'); // the server's own login too
    }
    await expect(w.pool.query('TRUNCATE expand_contract.audit_log')).rejects.toThrow('append-only');
    // An admin revokes a token; nobody brings a revoked one back.
    const token = (await w.pool.query("INSERT INTO expand_contract.api_tokens (scope, service, token_hash) VALUES ('ingest', 'web', '\\x01') RETURNING id"))
      .rows[0].id;
    expect(await asPerson('admin', 'UPDATE expand_contract.api_tokens SET revoked_at = now() WHERE id = $1', [token])).toBe('allowed');
    await asPerson('admin', 'UPDATE expand_contract.api_tokens SET revoked_at = NULL WHERE id = $1', [token]); // no row it may change
    expect((await w.pool.query('SELECT revoked_at FROM expand_contract.api_tokens WHERE id = $1', [token])).rows[0].revoked_at).toBeInstanceOf(Date);
  });
});

describe('marking a deploy and pausing a backfill, checked by the server and again by the database', () => {
  let id: number;
  const deployedBy = async () =>
    (await w.pool.query('SELECT deployed_by FROM expand_contract.migrations WHERE id = $1', [id])).rows[0].deployed_by as string | null;
  const requested = async () =>
    (await w.pool.query('SELECT requested FROM expand_contract.backfills WHERE migration_id = $1', [id])).rows[0].requested as string | null;
  /** Straight as the person, skipping the server: 'changed' only if the database let the write through. */
  const direct = async (key: string, sql: string, values: unknown[], effect: () => Promise<unknown>) => {
    const before = await effect();
    await withActor(w.pool, people[key]!, (c) => c.query(sql, values)).catch((e) => {
      if (!(e instanceof ForbiddenError)) throw e;
    });
    return (await effect()) === before ? 'unchanged' : 'changed';
  };

  beforeAll(async () => {
    await w.target.query('CREATE TABLE deploys (id bigint PRIMARY KEY, user_email text NOT NULL)');
    id = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, rename('deploys'));
    // As if expand had run and a backfill were under way (the executor's own login writes these).
    await w.pool.query("UPDATE expand_contract.migrations SET status = 'expanded' WHERE id = $1", [id]);
    await w.pool.query("INSERT INTO expand_contract.backfills (migration_id, status, batch_size) VALUES ($1, 'running', 100)", [id]);
  });

  it('refuses a deploy mark by anyone but the author or an on-call engineer, in their own name, once', async () => {
    const mark = 'UPDATE expand_contract.migrations SET deployed_at = now(), deployed_by = $2 WHERE id = $1';
    for (const key of ['author2', 'reviewer', 'viewer', 'admin']) {
      expect(await direct(key, mark, [id, people[key]!.email], deployedBy), key).toBe('unchanged');
      expect(await refused(markDeployedAs(w.pool, people[key]!, id)), key).toBe('refused');
    }
    expect(await direct('author', mark, [id, people.oncall!.email], deployedBy)).toBe('unchanged'); // in someone else's name
    // An on-call engineer may move the deploy, not the schedule the author set.
    expect(
      await direct('oncall', "UPDATE expand_contract.migrations SET schedule = '{}' WHERE id = $1", [id], async () =>
        JSON.stringify((await w.pool.query('SELECT schedule FROM expand_contract.migrations WHERE id = $1', [id])).rows[0].schedule),
      ),
    ).toBe('unchanged');
    // Dated back four days (to skip the buffer before the contract): recorded as now instead.
    const backdated = "UPDATE expand_contract.migrations SET deployed_at = now() - interval '4 days', deployed_by = $2 WHERE id = $1";
    expect(await direct('oncall', backdated, [id, people.oncall!.email], deployedBy)).toBe('changed');
    expect(await deployedBy()).toBe(people.oncall!.email);
    const { rows } = await w.pool.query('SELECT extract(epoch FROM now() - deployed_at)::float AS age FROM expand_contract.migrations WHERE id = $1', [id]);
    expect(rows[0].age).toBeLessThan(60);
    // Once marked, it stays: not even the author moves it.
    expect(await direct('author', mark, [id, people.author!.email], deployedBy)).toBe('unchanged');
  });

  it('takes back a mark made by mistake: the same people, before the contract, and the server as the person', async () => {
    const unmark = 'UPDATE expand_contract.migrations SET deployed_at = NULL, deployed_by = NULL WHERE id = $1';
    for (const key of ['author2', 'reviewer', 'viewer', 'admin']) {
      expect(await direct(key, unmark, [id], deployedBy), key).toBe('unchanged');
      expect(await refused(unmarkDeployedAs(w.pool, people[key]!, id)), key).toBe('refused');
    }
    expect(await unmarkDeployedAs(w.pool, people.author!, id)).toMatchObject({ deployedBy: people.oncall!.email });
    expect(await deployedBy()).toBeNull();
    expect(await unmarkDeployedAs(w.pool, people.author!, id)).toBeNull();
    const audit = await w.pool.query(
      "SELECT actor, detail->>'deployedBy' AS was FROM expand_contract.audit_log WHERE action = 'deploy.unmarked' AND migration_id = $1",
      [id],
    );
    expect(audit.rows).toEqual([{ actor: people.author!.email, was: people.oncall!.email }]);
    // The author marks again, through the server, as themselves.
    await markDeployedAs(w.pool, people.author!, id);
    expect(await deployedBy()).toBe(people.author!.email);
    // Not while a phase of it runs (a contract holds the migration's lock from its first gate check to its last).
    const runner = await w.pool.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY}, $1::int)`, [id]);
      await expect(unmarkDeployedAs(w.pool, people.author!, id)).rejects.toThrow(`migration ${id} is being run by another process right now`);
      await expect(w.store.unmarkDeployed(id)).rejects.toThrow('is being run by another process');
      expect(await deployedBy()).toBe(people.author!.email);
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY}, $1::int)`, [id]);
      runner.release();
    }
    // After the contract nobody takes it back, not even straight.
    await w.pool.query("UPDATE expand_contract.migrations SET status = 'contracted' WHERE id = $1", [id]);
    try {
      expect(await direct('oncall', unmark, [id], deployedBy)).toBe('unchanged');
      await expect(unmarkDeployedAs(w.pool, people.oncall!, id)).rejects.toThrow(`migration ${id} is contracted`);
    } finally {
      await w.pool.query("UPDATE expand_contract.migrations SET status = 'expanded' WHERE id = $1", [id]);
    }
  });

  it('refuses a pause by anyone but the author or the person on call now, and anything but a pause', async () => {
    const pause = "UPDATE expand_contract.backfills SET requested = 'pause' WHERE migration_id = $1";
    for (const key of ['author2', 'reviewer', 'viewer', 'admin', 'oncall2']) {
      expect(await direct(key, pause, [id], requested), key).toBe('unchanged');
      expect(await refused(pauseBackfill(w.pool, people[key]!, id)), key).toBe('refused');
    }
    expect(await direct('author', "UPDATE expand_contract.backfills SET requested = 'cancel' WHERE migration_id = $1", [id], requested)).toBe('unchanged');
    expect(
      await direct('author', 'UPDATE expand_contract.backfills SET rows_changed = 0, status = $2 WHERE migration_id = $1', [id, 'done'], async () =>
        JSON.stringify((await w.pool.query('SELECT status FROM expand_contract.backfills WHERE migration_id = $1', [id])).rows[0]),
      ),
    ).toBe('unchanged');
    expect(await direct('oncall', pause, [id], requested)).toBe('changed');
    // A pending cancel (from the command line) is not turned into a pause, by the server or straight.
    await w.pool.query("UPDATE expand_contract.backfills SET requested = 'cancel' WHERE migration_id = $1", [id]);
    expect(await direct('author', pause, [id], requested)).toBe('unchanged');
    expect(await pauseBackfill(w.pool, people.author!, id)).toBe(false);
    expect(await requested()).toBe('cancel');
    // Nor is a backfill that is not running paused.
    await w.pool.query("UPDATE expand_contract.backfills SET requested = NULL, status = 'done' WHERE migration_id = $1", [id]);
    expect(await direct('author', pause, [id], requested)).toBe('unchanged');
    await w.pool.query("UPDATE expand_contract.backfills SET status = 'running' WHERE migration_id = $1", [id]);
    expect(await pauseBackfill(w.pool, people.author!, id)).toBe(true);
    expect(await requested()).toBe('pause');
  });
});

describe('the contract: two people, the one on call, on the evidence it was approved on', () => {
  let id: number;
  let label: string;
  /** A sample right before judging: "zero reads" is only evidence up to the last sample. */
  const fresh = () => sampleStatements(w.target, w.pool, label);
  const report = async (requests: number, batch: string) =>
    ingestMetrics(w.pool, 'web', { batchId: batch, points: [{ service: 'web', version: 'v2', timestamp: new Date().toISOString(), requests, errors: 0 }] });
  const contractRuns = async () =>
    (
      await w.pool.query<{ status: string; n: number }>(
        "SELECT status, count(*)::int AS n FROM expand_contract.phase_runs WHERE migration_id = $1 AND phase = 'contract' GROUP BY status ORDER BY status",
        [id],
      )
    ).rows;

  beforeAll(async () => {
    await w.target.query(
      "CREATE TABLE flow (id bigint PRIMARY KEY, user_email text NOT NULL); INSERT INTO flow SELECT g, 'e' || g FROM generate_series(1, 100) g",
    );
    id = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, rename('flow'));
    label = (await w.pool.query('SELECT target FROM expand_contract.migrations WHERE id = $1', [id])).rows[0].target;
    await sampleStatements(w.target, w.pool, label);
    await approvePlan(w.pool, people.reviewer!, id);
    for (const phase of ['expand', 'backfill'] as PhaseName[]) {
      // The queue would run the backfill; here it runs directly, as the worker would.
      if (phase === 'backfill') await (await import('../lib/executor/run-phase')).runPhase({ store: w.store, target: w.target, ...policy }, id, 'backfill');
      else await requestPhase(deps, people.author!, id, phase);
    }
    await w.store.markDeployed(id, 'ci');
    await report(500, `flow-${id}`);
    // A window long enough that the moments between the last sample and a (contended) gate check stay under 5% of it.
    await new Promise((r) => setTimeout(r, 6000));
  });

  it('refuses a contract without an approval, and an approval by the author or someone off call', async () => {
    await fresh();
    const error = await requestPhase(deps, people.oncall!, id, 'contract').catch((e) => e);
    expect(error.decision.reasons).toEqual(['no contract approval yet: the person on call approves it on the evidence above']);
    expect(await refused(approveContract(w.pool, w.target, policy, people.oncall2!, id))).toBe('refused');
    expect(await refused(approveContract(w.pool, w.target, policy, people.author!, id))).toBe('refused');
    expect(await columns('flow')).toEqual(['contact_email', 'id', 'user_email']);
  });

  it('rejects a stale approval with the reason, and one whose approver is no longer on call', async () => {
    await fresh();
    await approveContract(w.pool, w.target, policy, people.oncall!, id);
    // The approval recorded other evidence than the run sees (as if given before something changed).
    await w.pool.query(
      "UPDATE expand_contract.approvals SET evidence_fingerprint = evidence_fingerprint || ' ' WHERE migration_id = $1 AND kind = 'contract'",
      [id],
    );
    await fresh();
    const stale = await requestPhase(deps, people.oncall!, id, 'contract').catch((e) => e);
    expect(stale.decision.reasons).toEqual([`the approval by ${people.oncall!.email} was given on different evidence: approve again`]);

    await fresh();
    await approveContract(w.pool, w.target, policy, people.oncall!, id);
    // A swap: oncall2 takes over now. The approval stays, but its approver is not on call, and only oncall2 may run it.
    await w.pool.query(
      "INSERT INTO expand_contract.oncall_overrides (user_id, starts_at, ends_at, reason) VALUES ($1, now() - interval '1 minute', now() + interval '1 hour', 'swap')",
      [people.oncall2!.id],
    );
    expect(await refused(requestPhase(deps, people.oncall!, id, 'contract'))).toBe('refused');
    await fresh();
    const offCall = await requestPhase(deps, people.oncall2!, id, 'contract').catch((e) => e);
    expect(offCall.decision.reasons).toEqual([`approved by ${people.oncall!.email}, who is not on call now: the person on call approves again`]);
    await w.pool.query('DELETE FROM expand_contract.oncall_overrides');
    expect(await columns('flow')).toEqual(['contact_email', 'id', 'user_email']);
  });

  it('50 concurrent contract requests by the person on call: exactly one contract runs, 49 clear refusals', async () => {
    await fresh();
    await approveContract(w.pool, w.target, policy, people.oncall!, id);
    const before = await contractRuns();
    await fresh();
    // Each request on its own target connection, as 50 HTTP requests would have.
    const targets = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const c = new pg.Client({ connectionString: w.targetDb.url });
        await c.connect();
        return c;
      }),
    );
    try {
      const results = await Promise.all(
        targets.map((target) =>
          requestPhase({ ...deps, runPhase: phaseRunner(w.pool, target, policy) }, people.oncall!, id, 'contract').then(
            () => 'ran',
            (e: Error) => `${e.name}: ${e.message}`,
          ),
        ),
      );
      expect(
        results.filter((r) => r === 'ran'),
        [...new Set(results)].join('\n'),
      ).toHaveLength(1);
      const refusals = results.filter((r) => r !== 'ran');
      expect(refusals).toHaveLength(49);
      for (const r of refusals)
        expect(r).toMatch(
          /^(MigrationBusyError: migration \d+ is being run by another process right now|PhaseNotAllowedError: migration \d+ is contracted: contract runs only when)/,
        );
    } finally {
      await Promise.all(targets.map((c) => c.end()));
    }
    // One run recorded; the 49 were turned away before starting one.
    expect(await contractRuns()).toEqual([...before, { status: 'succeeded', n: 1 }]);
    expect(await columns('flow')).toEqual(['contact_email', 'id']);
    const audit = await w.pool.query(
      "SELECT actor, action FROM expand_contract.audit_log WHERE migration_id = $1 AND action IN ('contract.approved', 'phase.succeeded') ORDER BY id",
      [id],
    );
    expect(audit.rows.at(-1)).toEqual({ actor: people.oncall!.email, action: 'phase.succeeded' });
  });
});

describe('the schedule', () => {
  it('is proposed at creation, and moved by its author or an admin only, in order', async () => {
    const { updateSchedule } = await import('../lib/data/update-schedule');
    await w.target.query('CREATE TABLE sched (id bigint PRIMARY KEY, user_email text NOT NULL)');
    const id = await createMigrationAs(w.pool, w.target, w.targetDb.url, people.author!, rename('sched'));
    const stored = (await w.pool.query('SELECT schedule FROM expand_contract.migrations WHERE id = $1', [id])).rows[0].schedule;
    // One of the team's default expand slots, Monday to Wednesday at 10:00 (the team zone is UTC here), still to come.
    expect([1, 2, 3]).toContain(new Date(stored.expandAt).getUTCDay());
    expect(new Date(stored.expandAt).getUTCHours()).toBe(10);
    expect(new Date(stored.expandAt).getTime()).toBeGreaterThan(Date.now());
    const move = { expandAt: '2026-12-07T09:00', deployAt: '2026-12-07T15:00', contractAt: '2026-12-11T11:00' };
    expect(await refused(updateSchedule(w.pool, people.author2!, id, move))).toBe('refused');
    expect(await refused(updateSchedule(w.pool, people.viewer!, id, move))).toBe('refused');
    expect(await refused(updateSchedule(w.pool, people.author!, id, { ...move, contractAt: '2026-12-07T08:00' }))).toBe('refused');
    await updateSchedule(w.pool, people.author!, id, move);
    await updateSchedule(w.pool, people.admin!, id, { ...move, contractAt: '2026-12-11T12:00' });
    const after = (await w.pool.query('SELECT schedule FROM expand_contract.migrations WHERE id = $1', [id])).rows[0].schedule;
    expect(after).toEqual({
      expandAt: '2026-12-07T09:00:00.000Z',
      deployAt: '2026-12-07T15:00:00.000Z',
      monitorFrom: '2026-12-08T00:00:00.000Z',
      contractAt: '2026-12-11T12:00:00.000Z',
    });
  });
});
