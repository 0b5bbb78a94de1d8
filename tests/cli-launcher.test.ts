import fs from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralPort } from '../lib/db/free-port';
import { runCli } from './helpers/cli-process';
import { loginUrl } from './helpers/test-database';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const postmasterPid = (dataRoot: string) => Number(readFileSync(path.join(dataRoot, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
const migrationFiles = readdirSync(path.join(import.meta.dirname, '..', 'supabase', 'migrations')).filter((f) => f.endsWith('.sql')).length;
const urlFrom = (output: string, db: string) => output.match(new RegExp(`psql "(postgresql://[^"]+/${db})"`))![1]!;

describe('the embedded default, through the real command', () => {
  let dataRoot: string;
  let pgPort: number;
  beforeAll(async () => {
    dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-launcher-'));
    await fs.chmod(dataRoot, 0o755);
    pgPort = await ephemeralPort();
  });
  afterAll(() => fs.rm(dataRoot, { recursive: true, force: true }));

  const env = () => ({ EC_DATA_DIR: dataRoot, EC_PG_PORT: String(pgPort), EC_DEMO_LEADS: '2000' });

  it('starts, survives SIGKILL of the launcher without manual cleanup, keeps data, and stops Postgres on Ctrl-C', async () => {
    const first = runCli(['db'], env());
    const out1 = await first.waitFor(/ready; press Ctrl-C/);
    expect(out1).toContain('initialising a new PostgreSQL cluster');
    expect(out1).toContain(`state schema: ${migrationFiles} migration(s) applied now`);
    expect(out1).toContain('demo data: seeded 2,000 leads');
    const orphan = postmasterPid(dataRoot);

    // Leave a mark in the data, then kill the launcher the hard way.
    const c = new pg.Client({ connectionString: urlFrom(out1, 'demo') });
    await c.connect();
    await c.query('CREATE TABLE survives_restart (id int); INSERT INTO survives_restart VALUES (42)');
    await c.end();
    first.child.kill('SIGKILL');
    await first.exited;
    expect(alive(orphan)).toBe(true); // the scenario is real: Postgres outlived its parent

    const second = runCli(['db'], env());
    const out2 = await second.waitFor(/ready; press Ctrl-C/);
    expect(out2).toContain(`stopping a Postgres server (pid ${orphan}) left running by an earlier run that was killed`);
    expect(out2).toContain(`state schema: 0 migration(s) applied now, ${migrationFiles} already applied`);
    expect(out2).toContain('demo data: present');
    expect(alive(orphan)).toBe(false);
    const d = new pg.Client({ connectionString: urlFrom(out2, 'demo') });
    await d.connect();
    expect((await d.query('SELECT id FROM survives_restart')).rows).toEqual([{ id: 42 }]);
    await d.end();

    const running = postmasterPid(dataRoot);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(130); // 128 + SIGINT, as for any Ctrl-C
    await until(() => !alive(running));
    await expect(fs.access(path.join(dataRoot, 'owner.pid'))).rejects.toThrow();
  });

  it('refuses a second live instance on the same data directory, naming its pid', async () => {
    const first = runCli(['db'], env());
    await first.waitFor(/ready; press Ctrl-C/);
    const second = runCli(['db'], env());
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`error: another Expand/Contract process (pid ${first.child.pid}) is already using ${dataRoot}`);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(130);
  });

  it('moves to a free port when its usual one is taken, instead of colliding', async () => {
    const blocker = net.createServer().listen(pgPort, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const run = runCli(['db'], env());
      const out = await run.waitFor(/ready; press Ctrl-C/);
      expect(out).toContain('the usual port was taken, so another free one was chosen');
      expect(urlFrom(out, 'dashboard')).not.toContain(`:${pgPort}/`);
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(130);
    } finally {
      blocker.close();
    }
  });
});

describe('configured databases', () => {
  it('db never prints the connection string of a configured database', async () => {
    const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-db-external-'));
    await fs.chmod(dataRoot, 0o755);
    try {
      const targetUrl = loginUrl('target');
      const run = runCli(['db'], { EC_DATA_DIR: dataRoot, EC_PG_PORT: String(await ephemeralPort()), TARGET_DATABASE_URL: targetUrl, EC_DEMO_LEADS: '1000' });
      const out = await run.waitFor(/ready; press Ctrl-C/);
      run.child.kill('SIGINT');
      await run.exited;
      expect(out).toContain('psql "postgresql://expand_contract_state:'); // the embedded state database's own URL, as its plain login
      expect(out).not.toContain(decodeURIComponent(new URL(targetUrl).password));
    } finally {
      await fs.rm(dataRoot, { recursive: true, force: true });
    }
  });
});

describe('bad configuration gets one clear line and a non-zero exit', () => {
  it('names a malformed variable', async () => {
    const run = runCli(['db'], { DATABASE_URL: 'mysql://root@db.internal/app' });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toBe('error: DATABASE_URL: has scheme "mysql", expected postgresql://');
  });

  it.each([
    [['db'], {}],
    // Both databases configured: commands that never start the embedded server refuse it too.
    [['run', '1', 'expand'], { TARGET_DATABASE_URL: 'postgresql://app:pw@127.0.0.1:1/app' }],
  ])("refuses Supabase's transaction pooler for the state database (%s), before connecting, without the password", async (args, more) => {
    const run = runCli(args, { DATABASE_URL: 'postgresql://postgres.abcd:hunter2@aws-0-eu-central-1.pooler.supabase.com:6543/postgres', ...more });
    expect(await run.exited).toBe(1);
    const out = run.output().trim();
    expect(out).toBe(
      "error: DATABASE_URL: is Supabase's transaction pooler (port 6543), which does not keep the session the per-migration run lock needs: use the session pooler (port 5432) or the direct connection",
    );
    expect(out).not.toContain('hunter2');
  });

  it('names the variable and host of an unreachable server, never its password', async () => {
    const port = await ephemeralPort();
    const run = runCli(['db'], { TARGET_DATABASE_URL: `postgresql://app:hunter2@127.0.0.1:${port}/app` });
    expect(await run.exited).toBe(1);
    const out = run.output().trim();
    expect(out).toBe(`error: TARGET_DATABASE_URL: cannot connect to 127.0.0.1:${port}: connection refused (is the server running and listening on that port?)`);
    expect(out).not.toContain('hunter2');
  });

  it('says what to do when the dashboard port is taken', async () => {
    const port = await ephemeralPort();
    const blocker = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const run = runCli(['dev', '--port', String(port)], {});
      expect(await run.exited).toBe(1);
      expect(run.output().trim()).toBe(
        `error: PORT ${port} on 127.0.0.1 is already in use: stop whatever listens there or choose another, e.g. PORT=${port + 1} npm run dev`,
      );
    } finally {
      blocker.close();
    }
  });

  it('rejects an invalid port number with the variable name', async () => {
    const run = runCli(['db'], { EC_PG_PORT: '70000' });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toBe('error: EC_PG_PORT: must be between 1 and 65535');
  });
});
