// The production dashboard on its embedded database, as the benchmarks that go through HTTP run
// it: built if it was not, in a data folder of its own, the worker off, and always stopped (its
// embedded Postgres too) and removed, even after Ctrl-C or a CI timeout.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ephemeralPort } from '../../lib/db/free-port';

export const root = path.resolve(import.meta.dirname, '..', '..');
export const BIN = path.join(root, 'bin/expand-contract.mjs');

export interface BenchDashboard {
  base: string;
  dataRoot: string;
  /** The server's environment, for CLI commands against the same data folder. */
  env: NodeJS.ProcessEnv;
  /** The state database as its owner, for seeding and reading back. */
  state: (max: number) => pg.Pool;
  stop: () => Promise<void>;
}

/** Stops the server (which stops its embedded Postgres); a Postgres left behind by a server that died is stopped by its own pid. */
async function stopServer(server: ChildProcess, dataRoot: string) {
  if (server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGINT');
    const timer = setTimeout(() => server.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  const pid = Number((await fs.readFile(path.join(dataRoot, 'pg', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGINT'); // fast shutdown
      for (let i = 0; i < 100; i += 1) {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 100));
      }
    } catch {
      // gone (or never there): nothing left to stop
    }
  }
}

export async function startBenchDashboard(name: string, note: (line: string) => void): Promise<BenchDashboard> {
  if (!(await fs.stat(path.join(root, '.next', 'BUILD_ID')).catch(() => null))) {
    note('no production build: running next build');
    const built = spawnSync('npx', ['next', 'build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
    if (built.status !== 0) throw new Error('next build failed');
  }
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), `ec-bench-${name}-`));
  await fs.chmod(dataRoot, 0o755);
  const [port, pgPort] = [await ephemeralPort(), await ephemeralPort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EC_DATA_DIR: dataRoot,
    EC_PG_PORT: String(pgPort),
    EC_DEMO_LEADS: '1000',
    EC_WORKER: 'off',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  delete env.DATABASE_URL;
  delete env.TARGET_DATABASE_URL;
  const server = spawn(process.execPath, [BIN, 'start', '--port', String(port)], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const pools: pg.Pool[] = [];
  const stop = async () => {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await Promise.all(pools.map((p) => p.end().catch(() => {})));
    await stopServer(server, dataRoot);
    await fs.rm(dataRoot, { recursive: true, force: true });
  };
  const interrupted = (signal: NodeJS.Signals) => {
    note(`${signal}: stopping the server and removing ${dataRoot}`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    let output = '';
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Expand/Contract is ready')) resolve();
      });
      server.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${output}`)));
    });
    const secrets = JSON.parse(await fs.readFile(path.join(dataRoot, 'secrets.json'), 'utf8')) as { password: string };
    const state = (max: number) => {
      const pool = new pg.Pool({ connectionString: `postgresql://postgres:${encodeURIComponent(secrets.password)}@127.0.0.1:${pgPort}/dashboard`, max });
      pool.on('error', () => {}); // the server stopping at the end must not crash the report
      pools.push(pool);
      return pool;
    };
    return { base: `http://127.0.0.1:${port}`, dataRoot, env, state, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
