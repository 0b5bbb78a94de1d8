import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { stateSchemaLines } from '../cli/state-schema-lines';
import { sameDatabase } from '../lib/db/same-database';
import { OWN_HISTORY, SUPABASE_HISTORY } from '../lib/db/state-history';
import { applyStateSchema, readStateSchema, StateHistoryMissingError, type StateSchemaOptions } from '../lib/db/state-schema';
import { runCli } from './helpers/cli-process';
import { databaseFlag, SUPABASE } from './helpers/supabase-cli';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

const execute = promisify(execFile);
const repo = path.join(import.meta.dirname, '..');

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function database(): Promise<TestDatabase> {
  // The state's login, as on Supabase where the app's pushes and the dashboard both connect as `postgres`.
  const db = await createTestDatabase('layout', 'state');
  cleanups.push(() => db.drop());
  return db;
}

/** A project folder as the Supabase CLI wants one: supabase/config.toml and the given migration files. */
async function project(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-layout-'));
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.mkdir(path.join(dir, 'supabase', 'migrations'), { recursive: true });
  await fs.copyFile(path.join(repo, 'supabase', 'config.toml'), path.join(dir, 'supabase', 'config.toml'));
  for (const [name, sql] of Object.entries(files)) await fs.writeFile(path.join(dir, 'supabase', 'migrations', name), sql);
  return dir;
}

/** This repository's supabase/ folder, as a team pushing the state schema with the CLI has it. */
async function stateProject(): Promise<string> {
  const dir = await project({});
  await fs.cp(path.join(repo, 'supabase'), path.join(dir, 'supabase'), { recursive: true });
  return dir;
}

const APP_FILES = {
  '20250101000000_create_todos.sql': 'CREATE TABLE public.todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text NOT NULL);',
  '20250102000000_todos_done.sql': 'ALTER TABLE public.todos ADD COLUMN done boolean NOT NULL DEFAULT false;',
};

/** Runs the real Supabase CLI in `dir`; a failure is returned with its output, not thrown. */
async function supabase(dir: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await execute(SUPABASE, args, { cwd: dir, env: { ...process.env, DO_NOT_TRACK: '1' } });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message };
  }
}

const push = (dir: string, url: string) => supabase(dir, ['db', 'push', ...databaseFlag(url), '--yes']);

/** `supabase migration list`: each version, with whether it is local and whether the database has it. */
async function migrationList(dir: string, url: string): Promise<{ version: string; local: boolean; remote: boolean }[]> {
  const listed = await supabase(dir, ['migration', 'list', ...databaseFlag(url)]);
  expect(listed.ok, listed.output).toBe(true);
  return [...listed.output.matchAll(/^\s*`?(\d{14})?`?\s*\|\s*`?(\d{14})?`?\s*\|/gm)]
    .filter((m) => m[1] || m[2])
    .map((m) => ({ version: (m[1] ?? m[2])!, local: !!m[1], remote: !!m[2] }));
}

async function runner(db: TestDatabase, options: StateSchemaOptions = {}) {
  const client = await db.client();
  return applyStateSchema(client, await readStateSchema(path.join(repo, 'supabase', 'migrations')), options);
}

const versionsIn = async (db: TestDatabase, table: string) =>
  (await db.query<{ version: string }>(`SELECT version FROM ${table} ORDER BY version`)).rows.map((r) => r.version);

async function stateVersions(): Promise<string[]> {
  return (await readStateSchema(path.join(repo, 'supabase', 'migrations'))).map((f) => f.version);
}

/** The real `expand-contract migrate`, as a person runs it; resolves with its output and exit code. */
async function migrate(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
  const cli = runCli(['migrate', ...args], env);
  const code = await cli.exited;
  return { code, output: cli.output() };
}

describe('the state alone in its database: its history is the Supabase CLI’s', () => {
  it('applied by the runner: `supabase migration list` agrees, and a second run changes nothing and warns of nothing', async () => {
    const db = await database();
    const first = await runner(db);
    expect(first.applied).toHaveLength((await stateVersions()).length);
    expect(first.history).toEqual({ table: SUPABASE_HISTORY, appVersions: [], moved: [], left: [] });
    expect(await versionsIn(db, SUPABASE_HISTORY)).toEqual(await stateVersions());
    expect((await db.query(`SELECT to_regclass('${OWN_HISTORY}') AS t`)).rows[0]!.t).toBeNull();

    const dir = await stateProject();
    const list = await migrationList(dir, db.url);
    expect(list.map((r) => r.version)).toEqual(await stateVersions());
    expect(list.every((r) => r.local && r.remote)).toBe(true);
    const again = await push(dir, db.url);
    expect(again.ok, again.output).toBe(true);
    expect(again.output).toMatch(/up to date/i);

    const second = await runner(db);
    expect(second.applied).toEqual([]);
    expect(second.changedSinceApplied).toEqual([]);
    expect(second.history).toEqual({ table: SUPABASE_HISTORY, appVersions: [], moved: [], left: [] });
    expect(stateSchemaLines(second, db.url).join('\n')).not.toMatch(/warning/);
  }, 120_000);

  it('pushed by the Supabase CLI: the runner finds everything applied, moves nothing, and `migration list` agrees', async () => {
    const db = await database();
    const dir = await stateProject();
    const pushed = await push(dir, db.url);
    expect(pushed.ok, pushed.output).toBe(true);
    const report = await runner(db);
    expect(report.applied).toEqual([]);
    expect(report.alreadyApplied).toBe((await stateVersions()).length);
    expect(report.history).toEqual({ table: SUPABASE_HISTORY, appVersions: [], moved: [], left: [] });
    expect(stateSchemaLines(report, db.url).join('\n')).not.toMatch(/warning/);
    const list = await migrationList(dir, db.url);
    expect(list.every((r) => r.local && r.remote)).toBe(true);
    expect(list).toHaveLength((await stateVersions()).length);
  }, 120_000);
});

describe('the state and an app in one database: the state keeps its own history', () => {
  it("the app pushed first: the runner keeps the state's history apart, and the app's next push and `migration list` work", async () => {
    const db = await database();
    const app = await project(APP_FILES);
    expect((await push(app, db.url)).ok).toBe(true);

    const report = await runner(db);
    expect(report.applied).toHaveLength((await stateVersions()).length);
    expect(report.history).toMatchObject({ table: OWN_HISTORY, apartBecause: 'app-history', appVersions: Object.keys(APP_FILES).map((f) => f.slice(0, 14)) });
    expect(await versionsIn(db, SUPABASE_HISTORY)).toEqual(['20250101000000', '20250102000000']);
    expect(await versionsIn(db, OWN_HISTORY)).toEqual(await stateVersions());

    await fs.writeFile(path.join(app, 'supabase', 'migrations', '20250103000000_todos_owner.sql'), 'ALTER TABLE public.todos ADD COLUMN owner uuid;');
    const next = await push(app, db.url);
    expect(next.ok, next.output).toBe(true);
    expect(next.output).toContain('Applying migration 20250103000000_todos_owner.sql');
    const list = await migrationList(app, db.url);
    expect(list).toEqual(['20250101000000', '20250102000000', '20250103000000'].map((version) => ({ version, local: true, remote: true })));

    const again = await runner(db);
    expect(again.applied).toEqual([]);
    expect(again.changedSinceApplied).toEqual([]);
    expect(again.history).toMatchObject({ table: OWN_HISTORY, apartBecause: 'kept', moved: [], left: [] });
    expect(stateSchemaLines(again, db.url).join('\n')).not.toMatch(/warning/);
  }, 120_000);

  it('the state pushed with the CLI first: the app’s push fails, `migrate` (one database for both) moves the state’s versions, then the app pushes', async () => {
    const db = await database();
    const pushed = await push(await stateProject(), db.url);
    expect(pushed.ok, pushed.output).toBe(true);
    const app = await project(APP_FILES);
    const refused = await push(app, db.url);
    expect(refused.ok).toBe(false);
    expect(refused.output).toContain('Remote migration versions not found in local migrations directory');

    // Both variables name the one database, as a team keeping the dashboard in its app's project does.
    const first = await migrate({ DATABASE_URL: db.url, TARGET_DATABASE_URL: db.url });
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`0 applied, ${(await stateVersions()).length} already applied`);
    expect(first.output).toContain(
      `state history: ${OWN_HISTORY}, apart from the app's ${SUPABASE_HISTORY} (DATABASE_URL and TARGET_DATABASE_URL reach this one database)`,
    );
    expect(first.output).toContain(`moved ${(await stateVersions()).length} state version(s) out of ${SUPABASE_HISTORY}`);
    expect(first.output).not.toMatch(/warning/);
    expect(await versionsIn(db, SUPABASE_HISTORY)).toEqual([]);
    expect(await versionsIn(db, OWN_HISTORY)).toEqual(await stateVersions());
    // Recorded as the CLI split them, and still not taken for edited files.
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${OWN_HISTORY} WHERE cardinality(statements) > 1`)).rows[0]!.n).toBeGreaterThan(0);

    const appPush = await push(app, db.url);
    expect(appPush.ok, appPush.output).toBe(true);
    expect((await migrationList(app, db.url)).every((r) => r.local && r.remote)).toBe(true);

    const second = await migrate({ DATABASE_URL: db.url });
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain(`0 applied, ${(await stateVersions()).length} already applied`);
    expect(second.output).toContain('(kept there since an earlier run)');
    expect(second.output).not.toMatch(/moved|warning/);
  }, 120_000);

  it('with no privilege to delete from the Supabase history: the versions are kept as applied, and the exact repair is printed and works', async () => {
    const db = await database();
    // The history belongs to another role (on Supabase, `postgres`), which lets the state's login read and add rows only.
    const app = await project(APP_FILES);
    expect((await push(await stateProject(), db.url)).ok).toBe(true);
    const login = (await db.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
    const owner = `ec_history_owner_${db.name.slice(-10)}`;
    const ownerPassword = 'owner-secret';
    await db.admin.query(`CREATE ROLE ${owner} LOGIN PASSWORD '${ownerPassword}'`);
    cleanups.push(() => db.admin.query(`DROP OWNED BY ${owner}; DROP ROLE ${owner}`));
    await db.admin.query(`ALTER SCHEMA supabase_migrations OWNER TO ${owner}; ALTER TABLE ${SUPABASE_HISTORY} OWNER TO ${owner};
                          GRANT USAGE ON SCHEMA supabase_migrations TO ${login}; GRANT SELECT, INSERT ON ${SUPABASE_HISTORY} TO ${login}`);

    const first = await migrate({ DATABASE_URL: db.url }, ['--shared-with-app']);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`0 applied, ${(await stateVersions()).length} already applied`);
    expect(first.output).toContain(`state version(s) stay in ${SUPABASE_HISTORY}, which this login may not delete from`);
    expect(first.output).toContain(`As ${owner}, its owner, run:`);
    const command = /supabase migration repair --status reverted ([\d ]+) --remote="([^"]+)"/.exec(first.output);
    expect(command?.[1]?.split(' ')).toEqual(await stateVersions());
    expect(await versionsIn(db, OWN_HISTORY)).toEqual(await stateVersions());

    // Still said on the next run, and nothing applied twice.
    const second = await runner(db);
    expect(second.applied).toEqual([]);
    expect(second.history.left).toEqual(await stateVersions());

    // The printed command, with the owner's password filled in.
    const ownerUrl = new URL(command![2]!);
    ownerUrl.password = ownerPassword;
    // --yes: the CLI asks first at a terminal, and refuses without it where there is none.
    const repaired = await supabase(app, [
      'migration',
      'repair',
      '--status',
      'reverted',
      ...command![1]!.split(' '),
      ...databaseFlag(ownerUrl.toString()),
      '--yes',
    ]);
    expect(repaired.ok, repaired.output + first.output).toBe(true);
    const appPush = await push(app, db.url);
    expect(appPush.ok, appPush.output).toBe(true);
    const third = await runner(db);
    expect(third.applied).toEqual([]);
    expect(third.history).toMatchObject({ table: OWN_HISTORY, apartBecause: 'kept', moved: [], left: [] });
  }, 120_000);

  it("the state's versions reverted from the Supabase history, as the CLI suggests: nothing applied twice, and the way back is said", async () => {
    const db = await database();
    expect((await runner(db)).history.table).toBe(SUPABASE_HISTORY);
    const app = await project(APP_FILES);
    const versions = await stateVersions();
    expect((await supabase(app, ['migration', 'repair', '--status', 'reverted', ...versions, ...databaseFlag(db.url), '--yes'])).ok).toBe(true);

    const refused = await runner(db).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StateHistoryMissingError);
    const repairSql = (refused as StateHistoryMissingError).repairSql;
    expect((refused as Error).message).toContain(repairSql);
    expect((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM expand_contract.settings WHERE key = 'team_time_zone'")).rows[0]!.n).toBe(1);
    expect(await versionsIn(db, SUPABASE_HISTORY)).toEqual([]);

    // What it says to do: the app's history stays the app's, and the state is known as applied again.
    await db.query(repairSql);
    const back = await runner(db);
    expect(back.applied).toEqual([]);
    expect(back.alreadyApplied).toBe(versions.length);
    expect(back.history).toMatchObject({ table: OWN_HISTORY, apartBecause: 'kept', moved: [], left: [] });
    expect((await push(app, db.url)).ok).toBe(true);
  }, 120_000);

  it('runners starting at once move each version once and apply nothing twice', async () => {
    const db = await database();
    expect((await push(await stateProject(), db.url)).ok).toBe(true);
    await db.query(`INSERT INTO ${SUPABASE_HISTORY} (version, name) VALUES ('20250101000000', 'create_todos')`);
    const reports = await Promise.all([runner(db), runner(db), runner(db)]);
    expect(reports.flatMap((r) => r.applied)).toEqual([]);
    expect(reports.flatMap((r) => r.history.moved).sort()).toEqual(await stateVersions());
    expect(await versionsIn(db, SUPABASE_HISTORY)).toEqual(['20250101000000']);
    expect(await versionsIn(db, OWN_HISTORY)).toEqual(await stateVersions());
  }, 120_000);
});

describe('one database or two', () => {
  it('is asked of the servers: two logins reach one database, and two databases are two', async () => {
    const db = await database();
    const other = await database();
    expect(await sameDatabase(db.url, db.admin.url)).toBe(true);
    expect(await sameDatabase(db.url, other.url)).toBe(false);
  });
});
