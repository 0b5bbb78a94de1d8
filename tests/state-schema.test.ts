import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyStateSchema, StateSchemaFailedError, StateSchemaFileNameError, readStateSchema } from '../lib/db/state-schema';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';
import { databaseFlag, SUPABASE } from './helpers/supabase-cli';

const runFile = promisify(execFile);

let db: TestDatabase;
let dir: string;

beforeEach(async () => {
  db = await createTestDatabase('migrations', 'state');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-migrations-'));
});
afterEach(async () => {
  await db.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

const write = (file: string, sql: string) => fs.writeFile(path.join(dir, file), sql);

async function run() {
  const client = await db.client();
  return applyStateSchema(client, await readStateSchema(dir));
}

describe('state migrations runner', () => {
  it('applies pending files in version order and records them where the Supabase CLI looks', async () => {
    await write('20260102000000_second.sql', 'ALTER TABLE widgets ADD COLUMN colour text;');
    await write('20260101000000_first.sql', 'CREATE TABLE widgets (id int PRIMARY KEY);');
    const report = await run();
    expect(report.applied.map((m) => m.file)).toEqual(['20260101000000_first.sql', '20260102000000_second.sql']);
    const { rows } = await db.query('SELECT version, name, statements FROM supabase_migrations.schema_migrations ORDER BY version');
    expect(rows).toEqual([
      { version: '20260101000000', name: 'first', statements: ['CREATE TABLE widgets (id int PRIMARY KEY);'] },
      { version: '20260102000000', name: 'second', statements: ['ALTER TABLE widgets ADD COLUMN colour text;'] },
    ]);
    const columns = await db.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'widgets' ORDER BY ordinal_position");
    expect(columns.rows.map((r) => r.column_name)).toEqual(['id', 'colour']);
  });

  it('does nothing on a second run and reports files changed after they were applied', async () => {
    await write('20260101000000_first.sql', 'CREATE TABLE widgets (id int PRIMARY KEY);');
    await run();
    await write('20260101000000_first.sql', 'CREATE TABLE widgets (id bigint PRIMARY KEY);');
    const again = await run();
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBe(1);
    expect(again.changedSinceApplied).toEqual(['20260101000000_first.sql']);
  });

  it('rolls a failing file back entirely, records nothing for it, and names it', async () => {
    await write('20260101000000_ok.sql', 'CREATE TABLE a (id int);');
    await write('20260102000000_broken.sql', 'CREATE TABLE b (id int); SELECT no_such_column FROM a;');
    await write('20260103000000_later.sql', 'CREATE TABLE c (id int);');
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateSchemaFailedError);
    expect(error).toMatchObject({ file: '20260102000000_broken.sql', sqlstate: '42703' });
    const tables = await db.query("SELECT string_agg(tablename, ',' ORDER BY tablename) AS t FROM pg_tables WHERE schemaname = 'public'");
    expect(tables.rows[0]!.t).toBe('a');
    const recorded = await db.query('SELECT version FROM supabase_migrations.schema_migrations');
    expect(recorded.rows).toEqual([{ version: '20260101000000' }]);
  });

  it('applies each file once when several processes start at the same moment', async () => {
    await write('20260101000000_counter.sql', 'CREATE TABLE hits (n int); INSERT INTO hits VALUES (1);');
    const results = await Promise.all([run(), run(), run()]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, 1]);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM hits');
    expect(rows[0]!.n).toBe(1);
  });

  it('refuses files that do not follow the Supabase naming', async () => {
    await write('add_things.sql', 'SELECT 1;');
    await expect(readStateSchema(dir)).rejects.toBeInstanceOf(StateSchemaFileNameError);
  });

  it('takes a file the Supabase CLI recorded split into statements as unchanged, and still sees a real edit', async () => {
    await write('20260101000000_first.sql', '-- widgets\nCREATE TABLE widgets (id int PRIMARY KEY);\n\nCREATE INDEX ON widgets (id);\n');
    await db.query(
      'CREATE SCHEMA supabase_migrations; CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY, statements text[], name text)',
    );
    await db.query("INSERT INTO supabase_migrations.schema_migrations VALUES ('20260101000000', $1, 'first')", [
      ['-- widgets\nCREATE TABLE widgets (id int PRIMARY KEY)', 'CREATE INDEX ON widgets (id)'],
    ]);
    expect((await run()).changedSinceApplied).toEqual([]);
    await write('20260101000000_first.sql', '-- widgets\nCREATE TABLE widgets (id bigint PRIMARY KEY);\n\nCREATE INDEX ON widgets (id);\n');
    expect((await run()).changedSinceApplied).toEqual(['20260101000000_first.sql']);
  });

  it("the product's own state schema pushed by the real Supabase CLI: nothing left to apply, nothing reported changed, the hourly rollup filled", async () => {
    const project = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-state-push-'));
    try {
      await fs.cp(path.join(import.meta.dirname, '..', 'supabase'), path.join(project, 'supabase'), { recursive: true });
      // The CLI applies a file's statements without a transaction of its own: every file must hold up to that.
      await runFile(SUPABASE, ['db', 'push', ...databaseFlag(db.url), '--yes'], { cwd: project, env: { ...process.env, DO_NOT_TRACK: '1' } });
      const files = await readStateSchema(path.join(project, 'supabase', 'migrations'));
      const client = await db.client();
      const report = await applyStateSchema(client, files);
      expect(report.applied).toEqual([]);
      expect(report.alreadyApplied).toBe(files.length);
      expect(report.changedSinceApplied).toEqual([]);
      await client.query(
        "INSERT INTO expand_contract.metric_minutes (source, service, minute, requests, errors) VALUES ('app', 'web', '2026-12-01 10:07+00', 5, 1)",
      );
      const { rows } = await client.query("SELECT requests::int, minutes::int FROM expand_contract.metric_hours WHERE service = 'web'");
      expect(rows).toEqual([{ requests: 5, minutes: 1 }]);
    } finally {
      await fs.rm(project, { recursive: true, force: true });
    }
  }, 120_000);

  it("applies the product's own state schema cleanly, twice", async () => {
    const files = await readStateSchema(path.join(import.meta.dirname, '..', 'supabase', 'migrations'));
    expect(files.length).toBeGreaterThan(0);
    const client = await db.client();
    expect((await applyStateSchema(client, files)).applied).toHaveLength(files.length);
    expect((await applyStateSchema(client, files)).applied).toHaveLength(0);
    const { rows } = await client.query("SELECT value #>> '{}' AS tz FROM expand_contract.settings WHERE key = 'team_time_zone'");
    expect(rows[0]!.tz).toBe('UTC');
    expect(client).toBeInstanceOf(pg.Client);
  });
});
