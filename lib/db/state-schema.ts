import fs from 'node:fs/promises';
import path from 'node:path';
import type { ClientBase } from 'pg';
import { inTransaction } from './transaction';
import { AppError } from '../errors/app-error';
import { recordedIsFile } from './recorded-is-file';

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

export interface StateSchemaReport {
  applied: StateSchemaFile[];
  /** Files already recorded as applied before this run. */
  alreadyApplied: number;
  /** Applied versions whose file has changed since (applied SQL is never re-run). */
  changedSinceApplied: string[];
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
 * Applies pending files in version order, one transaction each, and records them in
 * supabase_migrations.schema_migrations: the same table `supabase db push` writes,
 * so the Supabase CLI and this runner agree on what a state database has.
 * A session advisory lock makes concurrent starts apply each file once.
 */
export async function applyStateSchema(client: ClientBase, files: StateSchemaFile[]): Promise<StateSchemaReport> {
  await client.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
  try {
    await client.query(`
      CREATE SCHEMA IF NOT EXISTS supabase_migrations;
      CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (
        version text NOT NULL PRIMARY KEY,
        statements text[],
        name text
      )`);
    const { rows } = await client.query<{ version: string; statements: string[] | null }>(
      'SELECT version, statements FROM supabase_migrations.schema_migrations',
    );
    const recorded = new Map(rows.map((r) => [r.version, r.statements]));

    const report: StateSchemaReport = { applied: [], alreadyApplied: 0, changedSinceApplied: [] };
    for (const migration of files) {
      if (recorded.has(migration.version)) {
        report.alreadyApplied += 1;
        const stored = recorded.get(migration.version);
        if (stored && !recordedIsFile(stored, migration.sql)) report.changedSinceApplied.push(migration.file);
        continue;
      }
      await applyOne(client, migration);
      report.applied.push(migration);
    }
    return report;
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
  }
}

async function applyOne(client: ClientBase, migration: StateSchemaFile): Promise<void> {
  try {
    await inTransaction(client, async () => {
      // The state schema is small; a migration that waits longer than this for a lock
      // is queued behind something and would block the dashboard's own queries.
      await client.query("SET LOCAL lock_timeout = '5s'; SET LOCAL statement_timeout = '120s'");
      await client.query(migration.sql);
      await client.query('INSERT INTO supabase_migrations.schema_migrations (version, statements, name) VALUES ($1, $2, $3)', [
        migration.version,
        [migration.sql],
        migration.name,
      ]);
    });
  } catch (error) {
    const pgError = error as { message: string; code?: string };
    throw new StateSchemaFailedError(migration.version, migration.file, pgError.message, pgError.code);
  }
}
