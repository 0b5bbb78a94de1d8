import fs from 'node:fs/promises';
import path from 'node:path';
import type { ClientBase } from 'pg';
import { inTransaction } from './transaction';
import { AppError } from '../errors/app-error';
import { recordedIsFile } from './recorded-is-file';
import { moveStateHistory } from './move-state-history';
import { OWN_HISTORY, stateHistoryTable, SUPABASE_HISTORY } from './state-history';

export interface StateSchemaFile {
  version: string;
  name: string;
  file: string;
  sql: string;
}

export class StateSchemaFileNameError extends AppError {
  readonly code = 'migration-file-name';
  readonly kind = 'invalid';
  constructor(readonly file: string) {
    super(`${file}: migration files must be named <YYYYMMDDHHMMSS>_<name>.sql`);
    this.name = 'StateSchemaFileNameError';
  }
}

export class StateSchemaFailedError extends AppError {
  readonly code = 'state-migration-failed';
  readonly kind = 'conflict';
  constructor(
    readonly version: string,
    readonly file: string,
    readonly reason: string,
    readonly sqlstate: string | undefined,
  ) {
    super(`migration ${file} failed and was rolled back: ${reason}`);
    this.name = 'StateSchemaFailedError';
  }
}

/**
 * The state's tables are there, but no history records the first file that made them: applying the
 * files again would run applied SQL twice. Typically its versions were deleted from the Supabase CLI's
 * history (`supabase migration repair --status reverted`, which the CLI suggests when an app's push
 * trips on them), where the app's push shares the database.
 */
export class StateHistoryMissingError extends AppError {
  readonly code = 'state-history-missing';
  readonly kind = 'conflict';
  /** SQL that records every file as applied in the state's own history, which no app's push reads. */
  readonly repairSql: string;
  constructor(
    readonly file: string,
    files: Pick<StateSchemaFile, 'version' | 'name'>[],
  ) {
    const repairSql =
      `CREATE TABLE IF NOT EXISTS ${OWN_HISTORY} (version text NOT NULL PRIMARY KEY, statements text[], name text); ` +
      `INSERT INTO ${OWN_HISTORY} (version, name) VALUES ${files.map((f) => `('${f.version}', '${f.name}')`).join(', ')} ON CONFLICT DO NOTHING;`;
    super(
      `the state schema's tables exist in this database, but neither ${SUPABASE_HISTORY} nor ${OWN_HISTORY} records ${file}, ` +
        `so no file is applied again. If the state's versions were removed from ${SUPABASE_HISTORY} ` +
        `(\`supabase migration repair --status reverted\`, as the CLI suggests when an app's push trips on them), ` +
        `record them in the state's own history, apart from the app's, and run migrate again. ` +
        `If the schema was up to date (otherwise leave out the versions it did not have yet): ${repairSql}`,
    );
    this.name = 'StateHistoryMissingError';
    this.repairSql = repairSql;
  }
}

/**
 * Why the state keeps its history apart from the Supabase CLI's: `kept`, its own history exists
 * from an earlier run; `app-history`, the CLI's history holds versions that are no state file (an
 * application's, or phases the executor recorded there); `same-database`, DATABASE_URL and
 * TARGET_DATABASE_URL reach this one database; `requested`, `migrate --shared-with-app`.
 */
export type HistoryApartReason = 'kept' | 'app-history' | 'same-database' | 'requested';

export interface StateHistoryReport {
  /** The table this database's state history is in. */
  table: typeof SUPABASE_HISTORY | typeof OWN_HISTORY;
  /** Set when that is the state's own table, apart from the Supabase CLI's history. */
  apartBecause?: HistoryApartReason;
  /** Versions in the Supabase CLI's history that are no state file (the app's). */
  appVersions: string[];
  /** State versions moved out of the Supabase CLI's history by this run. */
  moved: string[];
  /** State versions this login could not delete from the Supabase CLI's history (copied, so still known as applied). */
  left: string[];
  /** The owner of the Supabase CLI's history, who may delete what is left (set when something is). */
  owner?: string;
}

export interface StateSchemaReport {
  applied: StateSchemaFile[];
  /** Files already recorded as applied before this run. */
  alreadyApplied: number;
  /** Applied versions whose file has changed since (applied SQL is never re-run). */
  changedSinceApplied: string[];
  history: StateHistoryReport;
}

export interface StateSchemaOptions {
  /** What the caller knows: this database also holds the application (see HistoryApartReason). */
  sharedWithApp?: Extract<HistoryApartReason, 'same-database' | 'requested'>;
}

const FILE_NAME = /^(\d{14})_([A-Za-z0-9_-]+)\.sql$/;

// Any fixed key works; it only has to be the same for every runner of this schema.
const LOCK_KEY = "hashtext('expand-contract:state-migrations')";

export async function readStateSchema(dir: string): Promise<StateSchemaFile[]> {
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new StateSchemaFileNameError(file);
      return { version: match[1]!, name: match[2]!, file, sql: await fs.readFile(path.join(dir, file), 'utf8') };
    }),
  );
}

/**
 * Applies pending files in version order, one transaction each, and records them in a history.
 * A database that is the state's alone keeps it in supabase_migrations.schema_migrations: the same
 * table `supabase db push` writes, so the Supabase CLI and this runner agree on what it has. A database
 * that also holds an application keeps it in expand_contract.schema_migrations instead, and the state's
 * versions found in the CLI's history are moved there: the app's `supabase db push` refuses a history
 * with versions its repository has no file for. Once the state's own history exists it stays the one.
 * A session advisory lock makes concurrent starts apply each file once and move each version once.
 */
export async function applyStateSchema(client: ClientBase, files: StateSchemaFile[], options: StateSchemaOptions = {}): Promise<StateSchemaReport> {
  await client.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
  try {
    const history = await chooseHistory(client, files, options);
    const { rows } = await client.query<{ version: string; statements: string[] | null }>(`SELECT version, statements FROM ${history.table}`);
    const recorded = new Map(rows.map((r) => [r.version, r.statements]));
    const first = files[0];
    if (first && !recorded.has(first.version) && (await stateTablesExist(client))) {
      throw new StateHistoryMissingError(first.file, files);
    }

    const report: StateSchemaReport = { applied: [], alreadyApplied: 0, changedSinceApplied: [], history };
    for (const migration of files) {
      if (recorded.has(migration.version)) {
        report.alreadyApplied += 1;
        const stored = recorded.get(migration.version);
        if (stored && !recordedIsFile(stored, migration.sql)) report.changedSinceApplied.push(migration.file);
        continue;
      }
      await applyOne(client, migration, history.table);
      report.applied.push(migration);
    }
    return report;
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
  }
}

async function chooseHistory(client: ClientBase, files: StateSchemaFile[], options: StateSchemaOptions): Promise<StateHistoryReport> {
  const own = (await stateHistoryTable(client)) === OWN_HISTORY;
  const { rows: cli } = await client.query<{ present: boolean }>(`SELECT to_regclass('${SUPABASE_HISTORY}') IS NOT NULL AS present`);
  const inCli = cli[0]!.present
    ? (await client.query<{ version: string }>(`SELECT version FROM ${SUPABASE_HISTORY} ORDER BY version`)).rows.map((r) => r.version)
    : [];
  const stateVersions = new Set(files.map((f) => f.version));
  const appVersions = inCli.filter((v) => !stateVersions.has(v));
  const apartBecause: HistoryApartReason | undefined = own ? 'kept' : appVersions.length > 0 ? 'app-history' : options.sharedWithApp;

  if (!apartBecause) {
    await client.query(`
      CREATE SCHEMA IF NOT EXISTS supabase_migrations;
      CREATE TABLE IF NOT EXISTS ${SUPABASE_HISTORY} (
        version text NOT NULL PRIMARY KEY,
        statements text[],
        name text
      )`);
    return { table: SUPABASE_HISTORY, appVersions, moved: [], left: [] };
  }
  // The first state file creates this schema IF NOT EXISTS too, so making it first changes nothing it does.
  await client.query(`
    CREATE SCHEMA IF NOT EXISTS expand_contract;
    CREATE TABLE IF NOT EXISTS ${OWN_HISTORY} (
      version text NOT NULL PRIMARY KEY,
      statements text[],
      name text
    )`);
  const moved = await moveStateHistory(
    client,
    inCli.filter((v) => stateVersions.has(v)),
  );
  return { table: OWN_HISTORY, apartBecause, appVersions, ...moved };
}

/** Whether the state schema's tables are here already (its own history table aside). */
async function stateTablesExist(client: ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>(
    `SELECT EXISTS (
       SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'expand_contract' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
     ) AS present`,
  );
  return rows[0]!.present;
}

async function applyOne(client: ClientBase, migration: StateSchemaFile, history: string): Promise<void> {
  try {
    await inTransaction(client, async () => {
      // The state schema is small; a migration that waits longer than this for a lock
      // is queued behind something and would block the dashboard's own queries.
      await client.query("SET LOCAL lock_timeout = '5s'; SET LOCAL statement_timeout = '120s'");
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${history} (version, statements, name) VALUES ($1, $2, $3)`, [migration.version, [migration.sql], migration.name]);
    });
  } catch (error) {
    const pgError = error as { message: string; code?: string };
    throw new StateSchemaFailedError(migration.version, migration.file, pgError.message, pgError.code);
  }
}
