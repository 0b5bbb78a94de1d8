import { statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../lib/config/env';
import { bootstrap, DEMO_DATABASE, STATE_DATABASE, type Bootstrapped } from '../lib/boot/bootstrap';
import { describeUrl } from '../lib/db/connection-url';
import { startEmbeddedServer } from '../lib/db/embedded-server';
import { ephemeralPort } from '../lib/db/free-port';
import { probeStatStatements } from '../lib/db/probe-stat-statements';
import { applyStateSchema, readStateSchema } from '../lib/db/state-schema';
import { seedDemoHistory } from '../lib/demo/seed-demo-history';
import { seedDemoTarget } from '../lib/demo/seed-demo-target';
import { seedDemoUsers } from '../lib/demo/seed-demo-users';
import { enqueuePhase, openJobQueue } from '../lib/executor/job-queue';
import { runPhase } from '../lib/executor/run-phase';
import { StateStore } from '../lib/state/state-store';
import { targetIdentity } from '../lib/db/target-identity';
import { planChange } from '../lib/planning/plan-change';
import { sampleStatements } from '../lib/signals/sample-statements';

const projectDir = path.join(import.meta.dirname, '..');
const migrationsDir = path.join(projectDir, 'supabase', 'migrations');
const rename = { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' } as const;

async function newDataRoot(prefix: string): Promise<string> {
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.chmod(dataRoot, 0o755); // Postgres may run as another OS user (see data-dir.ts)
  return dataRoot;
}

const envFor = async (dataRoot: string) => parseEnv({ EC_DATA_DIR: dataRoot, EC_PG_PORT: String(await ephemeralPort()), EC_DEMO_LEADS: '1000' });

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Tables, sequences, views, functions, types and schemas the superuser still owns (extension members aside). */
const OWNED_BY_SUPERUSER = `
  WITH su AS (SELECT oid FROM pg_roles WHERE rolname = 'postgres'),
       ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'),
       user_schemas AS (SELECT oid, nspname, nspowner FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema')
  SELECT 'schema ' || nspname AS object FROM user_schemas n
   WHERE nspowner = (SELECT oid FROM su) AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_namespace'::regclass AND objid = n.oid)
  UNION ALL
  SELECT 'relation ' || n.nspname || '.' || c.relname FROM pg_class c JOIN user_schemas n ON n.oid = c.relnamespace
   WHERE c.relowner = (SELECT oid FROM su) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
     AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_class'::regclass AND objid = c.oid)
  UNION ALL
  SELECT 'function ' || n.nspname || '.' || p.proname FROM pg_proc p JOIN user_schemas n ON n.oid = p.pronamespace
   WHERE p.proowner = (SELECT oid FROM su) AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_proc'::regclass AND objid = p.oid)
  UNION ALL
  SELECT 'type ' || n.nspname || '.' || t.typname FROM pg_type t JOIN user_schemas n ON n.oid = t.typnamespace
   WHERE t.typowner = (SELECT oid FROM su) AND t.typtype IN ('e', 'd', 'r')
     AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_type'::regclass AND objid = t.oid)
  ORDER BY 1`;

const ownedBySuperuser = (adminUrl: string) =>
  withClient(adminUrl, async (c) => (await c.query<{ object: string }>(OWNED_BY_SUPERUSER)).rows.map((r) => r.object));
const databaseOwner = (adminUrl: string, database: string) =>
  withClient(
    adminUrl,
    async (c) => (await c.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [database])).rows[0]!.owner,
  );

describe('the embedded default connects as plain logins, never as the superuser', () => {
  let dataRoot: string;
  let boot: Bootstrapped;
  let admin: (database: string) => string;
  beforeAll(async () => {
    dataRoot = await newDataRoot('ec-logins-');
    boot = await bootstrap(await envFor(dataRoot), { projectDir });
    admin = (database) => boot.embedded!.url(database);
  }, 120_000);
  afterAll(async () => {
    await boot?.stop();
    await fs.rm(dataRoot, { recursive: true, force: true });
  });

  it('gives the state and target URLs non-superuser logins with exactly the attributes they need', async () => {
    expect(new URL(boot.stateUrl).username).toBe('expand_contract_state');
    expect(new URL(boot.targetUrl).username).toBe('expand_contract_target');
    for (const url of [boot.stateUrl, boot.targetUrl]) {
      const me = await withClient(
        url,
        async (c) => (await c.query('SELECT current_user AS name, rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0],
      );
      expect(me).toEqual({ name: new URL(url).username, rolsuper: false });
    }

    const { rows } = await withClient(admin('postgres'), (c) =>
      c.query(`SELECT rolname, rolsuper, rolcanlogin, rolinherit, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
                      ARRAY(SELECT pg_get_userbyid(m.roleid)::text FROM pg_auth_members m WHERE m.member = r.oid ORDER BY 1) AS member_of,
                      ARRAY(SELECT pg_get_userbyid(m.member)::text FROM pg_auth_members m WHERE m.roleid = r.oid ORDER BY 1) AS members
                 FROM pg_roles r WHERE rolname IN ('expand_contract_state', 'expand_contract_target', 'expand_contract_probe') ORDER BY rolname`),
    );
    const no = { rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false };
    expect(rows).toEqual([
      // Switched to (SET LOCAL ROLE) by the expression probe: no login, inherits nothing, holds nothing.
      {
        rolname: 'expand_contract_probe',
        ...no,
        rolcanlogin: false,
        rolinherit: false,
        rolbypassrls: false,
        member_of: [],
        members: ['expand_contract_target'],
      },
      // Owns the state database's objects and acts as each person through `authenticated`.
      { rolname: 'expand_contract_state', ...no, rolcanlogin: true, rolinherit: true, rolbypassrls: false, member_of: ['authenticated'], members: [] },
      // Owns the demo tables, reads every row under FORCE RLS, and every role's statements.
      {
        rolname: 'expand_contract_target',
        ...no,
        rolcanlogin: true,
        rolinherit: true,
        rolbypassrls: true,
        member_of: ['expand_contract_probe', 'pg_read_all_stats'],
        members: [],
      },
    ]);
    const probeGrants = await withClient(admin(DEMO_DATABASE), (c) =>
      c.query("SELECT count(*)::int AS n FROM information_schema.role_table_grants WHERE grantee = 'expand_contract_probe'"),
    );
    expect(probeGrants.rows[0]!.n).toBe(0);

    expect(await databaseOwner(admin('postgres'), STATE_DATABASE)).toBe('expand_contract_state');
    expect(await databaseOwner(admin('postgres'), DEMO_DATABASE)).toBe('expand_contract_target');
    expect(await ownedBySuperuser(admin(STATE_DATABASE))).toEqual([]);
    expect(await ownedBySuperuser(admin(DEMO_DATABASE))).toEqual([]);

    const secrets = path.join(dataRoot, 'secrets.json');
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await fs.readFile(secrets, 'utf8'));
    expect(decodeURIComponent(new URL(boot.stateUrl).password)).toBe(saved.logins.expand_contract_state);
    expect(decodeURIComponent(new URL(boot.targetUrl).password)).toBe(saved.logins.expand_contract_target);
    expect(saved.password).toBe(decodeURIComponent(new URL(admin('postgres')).password));
  });

  it("does not let the state login switch off the audit log's append-only trigger", async () => {
    await withClient(boot.stateUrl, async (c) => {
      const before = (await c.query('SELECT count(*)::int AS n FROM expand_contract.audit_log')).rows[0]!.n as number;
      expect(before).toBeGreaterThan(0); // the seeded week's entries
      await c.query('BEGIN');
      // A superuser may set this, and then no trigger fires: the append-only rule would be gone.
      await expect(c.query('SET LOCAL session_replication_role = replica')).rejects.toMatchObject({ code: '42501' });
      await c.query('ROLLBACK');
      await c.query('BEGIN');
      await expect(c.query('DELETE FROM expand_contract.audit_log')).rejects.toThrow();
      await c.query('ROLLBACK');
      expect((await c.query('SELECT count(*)::int AS n FROM expand_contract.audit_log')).rows[0]!.n).toBe(before);
    });
  });

  it("samples other roles' statements as the target login", async () => {
    await withClient(admin(DEMO_DATABASE), (c) =>
      c.query('DROP ROLE IF EXISTS ec_other_app; CREATE ROLE ec_other_app; GRANT SELECT ON public.leads TO ec_other_app'),
    );
    const state = new pg.Pool({ connectionString: boot.stateUrl, max: 2 });
    // A session still closing when the embedded server shuts down is told so (57P01): expected here, not a failure.
    state.on('error', () => {});
    const target = new pg.Client({ connectionString: boot.targetUrl });
    await target.connect();
    try {
      expect(await probeStatStatements(target)).toEqual({ state: 'ready', schema: 'public' });
      await sampleStatements(target, state, 'logins-test');
      await withClient(admin(DEMO_DATABASE), async (c) => {
        await c.query('SET ROLE ec_other_app');
        for (let i = 1; i <= 3; i += 1) await c.query('SELECT user_email FROM public.leads WHERE id = $1', [i]);
      });
      expect((await sampleStatements(target, state, 'logins-test')).status).toBe('ok');
      const { rows } = await state.query(
        `SELECT c.role, s.query, sum(c.calls)::int AS calls FROM expand_contract.statement_calls c JOIN expand_contract.statements s USING (target, queryid)
          WHERE c.target = 'logins-test' AND s.query LIKE '%user_email FROM public.leads%' GROUP BY 1, 2`,
      );
      expect(rows).toEqual([{ role: 'ec_other_app', query: 'SELECT user_email FROM public.leads WHERE id = $1', calls: 3 }]);
    } finally {
      await target.end();
      await state.end();
    }
  });
});

describe('a data folder from a version that ran everything as the superuser', () => {
  let dataRoot: string;
  let boot: Bootstrapped | undefined;
  afterAll(async () => {
    await boot?.stop();
    await fs.rm(dataRoot, { recursive: true, force: true });
  });

  it('keeps working: the logins are added and take over what the superuser created', async () => {
    dataRoot = await newDataRoot('ec-logins-upgrade-');
    const server = await startEmbeddedServer({ dataRoot, preferredPort: await ephemeralPort() });
    let migrationId: number;
    try {
      // What the earlier bootstrap did: databases, schema, demo, accounts, history and a run, all as the superuser.
      await withClient(server.url('postgres'), (c) => c.query(`CREATE DATABASE ${STATE_DATABASE}; `).then(() => c.query(`CREATE DATABASE ${DEMO_DATABASE}`)));
      await withClient(server.url(STATE_DATABASE), async (c) => applyStateSchema(c, await readStateSchema(migrationsDir)));
      const state = new pg.Pool({ connectionString: server.url(STATE_DATABASE), max: 2 });
      const target = new pg.Client({ connectionString: server.url(DEMO_DATABASE) });
      await target.connect();
      try {
        await target.query('CREATE EXTENSION pg_stat_statements');
        await seedDemoTarget(target, 1000);
        await seedDemoUsers(state, dataRoot);
        await seedDemoHistory(state, target, server.url(DEMO_DATABASE));
        const store = new StateStore(state);
        const plan = await planChange(target, rename);
        migrationId = (await store.createMigration(plan, describeUrl(server.url(DEMO_DATABASE)), await targetIdentity(target))).id;
        expect((await runPhase({ store, target, signals: false }, migrationId, 'expand')).status).toBe('succeeded');
        const boss = await openJobQueue(server.url(STATE_DATABASE));
        await boss.stop({ graceful: false });
      } finally {
        await target.end();
        await state.end();
      }
      // The expand's sync function and the target's history table, among others.
      const before = await ownedBySuperuser(server.url(DEMO_DATABASE));
      expect(before.filter((o) => o.startsWith('function public.')).length).toBeGreaterThan(0);
      expect(before).toContain('relation supabase_migrations.schema_migrations');
    } finally {
      await server.stop();
    }
    const secrets = path.join(dataRoot, 'secrets.json');
    const superuserPassword = JSON.parse(await fs.readFile(secrets, 'utf8')).password as string;
    await fs.writeFile(secrets, `${JSON.stringify({ password: superuserPassword })}\n`, { mode: 0o644 }); // the earlier format

    const lines: string[] = [];
    boot = await bootstrap(await envFor(dataRoot), { projectDir, log: (l) => lines.push(l) });
    const admin = (database: string) => boot!.embedded!.url(database);
    expect(new URL(boot.stateUrl).username).toBe('expand_contract_state');
    expect(new URL(boot.targetUrl).username).toBe('expand_contract_target');
    const saved = JSON.parse(await fs.readFile(secrets, 'utf8'));
    expect(saved.password).toBe(superuserPassword);
    expect(Object.keys(saved.logins).sort()).toEqual(['expand_contract_state', 'expand_contract_target']);
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(lines.some((l) => /^dashboard: \d+ object\(s\) created by the superuser in an earlier version now belong to its login$/.test(l))).toBe(true);
    expect(await databaseOwner(admin('postgres'), STATE_DATABASE)).toBe('expand_contract_state');
    expect(await databaseOwner(admin('postgres'), DEMO_DATABASE)).toBe('expand_contract_target');
    expect(await ownedBySuperuser(admin(STATE_DATABASE))).toEqual([]);
    expect(await ownedBySuperuser(admin(DEMO_DATABASE))).toEqual([]);

    // The migration expanded by the superuser is rolled back, and expanded again, by the plain logins.
    const state = new pg.Pool({ connectionString: boot.stateUrl, max: 4 });
    state.on('error', () => {});
    const target = new pg.Client({ connectionString: boot.targetUrl });
    await target.connect();
    try {
      const store = new StateStore(state);
      expect((await runPhase({ store, target, signals: false }, migrationId!, 'rollback')).status).toBe('succeeded');
      const column = await target.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'leads' AND column_name = 'contact_email'");
      expect(column.rowCount).toBe(0);
      expect((await runPhase({ store, target, signals: false }, migrationId!, 'expand')).status).toBe('succeeded');
      const boss = await openJobQueue(boot.stateUrl);
      try {
        expect(await enqueuePhase(boss, { migrationId: migrationId!, phase: 'backfill', actor: 'upgrade test' })).toMatch(/^[0-9a-f-]{36}$/);
      } finally {
        await boss.stop({ graceful: false });
      }
      await state.query("INSERT INTO expand_contract.audit_log (actor, action) VALUES ('upgrade test', 'test.written')");
    } finally {
      await target.end();
      await state.end();
    }
  }, 180_000);
});
