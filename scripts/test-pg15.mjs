#!/usr/bin/env node
// `npm run test:pg15`: the integration suite once more, against PostgreSQL 15 (what
// Supabase runs), using Debian's binaries when they are installed. Starts a throwaway
// cluster in the temp folder, points TEST_DATABASE_URL at it, and removes it afterwards.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const binDir = process.env.PG15_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
// Every test file shares this server, and pg_stat_statements is per server: with its default of 5,000
// entries, the suite's many distinct statements evict entries, and a sampling interval with evictions
// rightly counts as not covered. Room for all of them keeps the sampler's own tests about the sampler.
const SHARED_SERVER_FLAGS = ['-c', 'pg_stat_statements.max=50000'];
const root = path.resolve(import.meta.dirname, '..');
// Named as on Supabase, so that `postgres` can be Supabase's non-superuser role in the Supabase-shaped tests.
const SUPERUSER = 'supabase_admin';

if (!existsSync(path.join(binDir, 'postgres'))) {
  console.log(`PostgreSQL 15 binaries not found in ${binDir}; install postgresql-15 (or set PG15_BIN_DIR) to run the suite on 15.`);
  process.exit(0);
}

// Postgres refuses to run as root: run it as the postgres user, as the embedded server does.
let ids = {};
if (process.getuid?.() === 0) {
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres']).toString());
  try {
    ids = { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', 'postgres']);
    ids = { uid: id('-u'), gid: id('-g') };
  }
}

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(path.join(os.tmpdir(), 'expand-contract-pg15-'));
const dataDir = path.join(dir, 'data');
const password = randomBytes(12).toString('hex');
const pwfile = path.join(dir, 'pw');
writeFileSync(pwfile, `${password}\n`, { mode: 0o644 });
if (ids.uid !== undefined) chownSync(dir, ids.uid, ids.gid);

execFileSync(path.join(binDir, 'initdb'), ['-D', dataDir, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], {
  ...ids,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const port = await freePort();
const server = spawn(
  path.join(binDir, 'postgres'),
  [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'shared_preload_libraries=pg_stat_statements',
    '-c',
    'max_connections=200',
    // jsonlog lines, as the embedded server writes them: the brownout watcher reads its breaks (42703) there.
    '-c',
    'logging_collector=on',
    '-c',
    'log_destination=jsonlog',
    '-c',
    'log_directory=log',
    '-c',
    'log_timezone=UTC',
    ...SHARED_SERVER_FLAGS,
  ],
  { ...ids, stdio: ['ignore', 'ignore', 'pipe'] },
);
let log = '';
server.stderr.on('data', (d) => (log += d));

const url = `postgresql://${SUPERUSER}:${password}@127.0.0.1:${port}/postgres`;
const deadline = Date.now() + 30_000;
for (;;) {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    const { rows } = await c.query('SHOW server_version');
    await c.end();
    console.log(`PostgreSQL ${rows[0].server_version} from ${binDir} on 127.0.0.1:${port}`);
    break;
  } catch {
    await c.end().catch(() => {});
    if (Date.now() > deadline || server.exitCode !== null) {
      console.error(`PostgreSQL 15 did not start:\n${log}`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const code = await new Promise((resolve) => {
  const child = spawn(process.execPath, [path.join(root, 'scripts/run-tests.mjs'), '--only', 'integration', '--label', 'pg15'], {
    cwd: root,
    env: { ...process.env, TEST_DATABASE_URL: url, TEST_LOG_DIR: path.join(dataDir, 'log') },
    stdio: 'inherit',
  });
  child.on('exit', (c) => resolve(c ?? 1));
});

server.kill('SIGINT');
await new Promise((r) => server.on('exit', r));
rmSync(dir, { recursive: true, force: true });
process.exit(code);
