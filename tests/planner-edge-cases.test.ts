import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckFailedError, runStep } from '../lib/executor/run-step';
import { generatedName } from '../lib/migrations/names';
import { PlanValidationError } from '../lib/migrations/errors';
import type { Plan } from '../lib/migrations/types';
import { planChange } from '../lib/planning/plan-change';
import { parity, planFor, runPhases } from './helpers/plan-runner';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

let db: TestDatabase;
let c: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase('edges');
  c = await db.client();
});
afterAll(() => db.drop());

const rename = (table: string, column: string, newName: string) => ({ kind: 'rename-column', schema: 'public', table, column, newName }) as const;

describe('edge cases a production rename meets', () => {
  it('old code can write after every single expand step, not just after the whole phase', async () => {
    await c.query("CREATE TABLE steps (id int PRIMARY KEY, email text NOT NULL); INSERT INTO steps VALUES (1, 'a')");
    const plan = await planFor(c, rename('steps', 'email', 'contact'));
    let n = 10;
    for (const step of plan.steps.filter((s) => s.phase === 'expand')) {
      await runStep(c, step);
      n += 1;
      await c.query('INSERT INTO steps (id, email) VALUES ($1, $2)', [n, `e${n}`]);
      await c.query("UPDATE steps SET email = email || '!' WHERE id = 1");
    }
  });

  it('a lossy reverse mapping never lets the backfill overwrite what new code wrote', async () => {
    await c.query('CREATE TABLE prices (id int PRIMARY KEY, price text); INSERT INTO prices SELECT g, (g * 1.5)::text FROM generate_series(1, 50) g');
    const plan = await planFor(c, {
      kind: 'change-type',
      schema: 'public',
      table: 'prices',
      column: 'price',
      newColumn: 'price_num',
      newType: 'numeric',
      forward: '{{old}}::numeric',
      reverse: 'round({{new}}, 1)::text',
    });
    await runPhases(c, plan, ['expand']);
    await c.query('UPDATE prices SET price_num = 1.25 WHERE id = 7');
    expect((await c.query('SELECT price, price_num FROM prices WHERE id = 7')).rows[0]).toEqual({ price: '1.3', price_num: '1.25' });
    await runPhases(c, plan, ['backfill']);
    expect((await c.query('SELECT price_num FROM prices WHERE id = 7')).rows[0]!.price_num).toBe('1.25');
    expect(await parity(c, plan)).toBe(0);
  });

  it('renames a json column (a type without "=") without breaking updates', async () => {
    await c.query(`CREATE TABLE docs (id int PRIMARY KEY, body json); INSERT INTO docs VALUES (1, '{"a":1}')`);
    const plan = await planFor(c, rename('docs', 'body', 'content'));
    await runPhases(c, plan, ['expand', 'backfill']);
    await c.query(`UPDATE docs SET body = '{"b":2}' WHERE id = 1`);
    expect((await c.query('SELECT content::text FROM docs')).rows[0]!.content).toBe('{"b":2}');
    expect(await parity(c, plan)).toBe(0);
  });

  it('keeps the column default through a type change, mapped', async () => {
    await c.query("CREATE TABLE tickets (id serial PRIMARY KEY, state text NOT NULL DEFAULT 'open')");
    const plan = await planFor(c, {
      kind: 'change-type',
      schema: 'public',
      table: 'tickets',
      column: 'state',
      newColumn: 'state_code',
      newType: 'smallint',
      forward: "CASE {{old}} WHEN 'open' THEN 1 WHEN 'closed' THEN 2 END",
      reverse: "CASE {{new}} WHEN 1 THEN 'open' WHEN 2 THEN 'closed' END",
    });
    await runPhases(c, plan, ['expand', 'backfill', 'contract']);
    expect((await c.query('INSERT INTO tickets DEFAULT VALUES RETURNING state_code')).rows[0]!.state_code).toBe(1);
  });

  it('keeps archives away from API roles: row-level security on, nothing granted', async () => {
    await c.query("CREATE TABLE secrets (id int PRIMARY KEY, token text); INSERT INTO secrets VALUES (1, 's3cret')");
    const plan = await planFor(c, { kind: 'drop-column', schema: 'public', table: 'secrets', column: 'token' });
    await runPhases(c, plan, ['expand', 'contract']);
    const archive = generatedName('ec_archive', 'secrets', 'token');
    const { rows } = await c.query('SELECT relrowsecurity FROM pg_class WHERE relname = $1', [archive]);
    expect(rows[0]!.relrowsecurity).toBe(true);
    const admin = await db.admin.client(); // creates and switches to another role
    await admin.query('DROP ROLE IF EXISTS ec_api_reader; CREATE ROLE ec_api_reader');
    await admin.query('GRANT USAGE ON SCHEMA public TO ec_api_reader; SET ROLE ec_api_reader');
    const denied = await admin.query(`SELECT * FROM "${archive}"`).catch((e: { code: string }) => e.code);
    await admin.query('RESET ROLE; REVOKE USAGE ON SCHEMA public FROM ec_api_reader; DROP ROLE ec_api_reader');
    expect(denied).toBe('42501');
  });
});

describe('indexes on the renamed column', () => {
  let plan: Plan;
  beforeAll(async () => {
    await c.query(`CREATE TABLE skus (id int PRIMARY KEY, sku text NOT NULL CONSTRAINT skus_sku_key UNIQUE);
                   INSERT INTO skus SELECT g, 'sku-' || g FROM generate_series(1, 200) g`);
    plan = await planFor(c, rename('skus', 'sku', 'code'));
    await runPhases(c, plan, ['expand']);
  });

  it('replaces an INVALID leftover of an interrupted build instead of keeping it', async () => {
    const index = plan.steps.find((s) => s.sql.startsWith('CREATE UNIQUE INDEX CONCURRENTLY'))!.sql.match(/EXISTS "([^"]+)"/)![1]!;
    // Simulate a build that failed half-way: an index marked invalid under the planned name.
    await c.query(`UPDATE skus SET code = sku; CREATE UNIQUE INDEX "${index}" ON skus (code)`);
    // Writing the catalog takes the superuser.
    await db.admin.query(`UPDATE pg_index SET indisvalid = false WHERE indexrelid = '"${index}"'::regclass`);
    const check = plan.steps.find((s) => s.id.endsWith('-indexes_valid'))!;
    await expect(runStep(c, check)).rejects.toBeInstanceOf(CheckFailedError);
    await runPhases(c, plan, ['backfill']);
    expect((await c.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = '"${index}"'::regclass`)).rows[0]!.indisvalid).toBe(true);
  });

  it('brings the UNIQUE constraint back under its own name after the contract', async () => {
    await runPhases(c, plan, ['contract']);
    const { rows } = await c.query("SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'skus_sku_key'");
    expect(rows).toEqual([{ def: 'UNIQUE (code)' }]);
    const inserted = await c.query("INSERT INTO skus (id, code) VALUES (1000, 'sku-1') ON CONFLICT ON CONSTRAINT skus_sku_key DO NOTHING");
    expect(inserted.rowCount).toBe(0);
  });

  it('refuses to rebuild an index with options it would lose (order, operator class)', async () => {
    await c.query('CREATE TABLE names (id int PRIMARY KEY, name text); CREATE INDEX names_name_desc ON names (name DESC)');
    const error = await planFor(c, rename('names', 'name', 'label')).catch((e) => e);
    expect(error).toBeInstanceOf(PlanValidationError);
    expect(error.errors[0].dependent).toMatchObject({ kind: 'index', name: 'names_name_desc' });
  });
});

describe('volatile defaults', () => {
  it('are refused with the safe alternative, because they rewrite the table', async () => {
    await c.query('CREATE TABLE events (id int PRIMARY KEY)');
    const error = await planChange(c, {
      kind: 'add-column',
      schema: 'public',
      table: 'events',
      column: 'uid',
      type: 'uuid',
      notNull: true,
      default: 'gen_random_uuid()',
    }).catch((e) => e);
    expect(error).toBeInstanceOf(PlanValidationError);
    expect(error.errors[0].message).toContain('computed per row');
    expect(error.errors[0].advice).toContain('--backfill');
    await planChange(c, { kind: 'add-column', schema: 'public', table: 'events', column: 'kind', type: 'text', notNull: true, default: "'click'" });
  });
});

describe('extension types', () => {
  it('renames a citext column: the trigger compares with the type’s own operators', async () => {
    await c.query('CREATE EXTENSION IF NOT EXISTS citext');
    await c.query("CREATE TABLE logins (id int PRIMARY KEY, handle citext NOT NULL); INSERT INTO logins VALUES (1, 'Ada')");
    const plan = await planFor(c, rename('logins', 'handle', 'username'));
    await runPhases(c, plan, ['expand', 'backfill']);
    // Same value in another case: equal for citext, so nothing is rewritten.
    await c.query("UPDATE logins SET username = 'ADA' WHERE id = 1");
    expect((await c.query('SELECT handle::text AS h, username::text AS u FROM logins')).rows[0]).toEqual({ h: 'Ada', u: 'ADA' });
    expect(await parity(c, plan)).toBe(0);
  });

  it("pins every function it creates to a search_path, with the column type's schema for a rename of an extension's type", async () => {
    // As on Supabase: the extension in a schema of its own, off the writers' search path.
    // (Moving an extension takes its owner: the database's superuser.)
    await c.query('CREATE EXTENSION IF NOT EXISTS citext; CREATE SCHEMA IF NOT EXISTS ext');
    await db.admin.query('ALTER EXTENSION citext SET SCHEMA ext');
    const extSchema = 'ext';
    expect((await c.query('SELECT current_schemas(true)::text AS path')).rows[0].path).not.toContain('ext');
    // Through two domains in another schema: the operators are still the base type's, in ext.
    await c.query(`CREATE SCHEMA IF NOT EXISTS doms; CREATE DOMAIN doms.handle_text AS ${extSchema}.citext; CREATE DOMAIN public.handle AS doms.handle_text;
      CREATE TABLE handles (id int PRIMARY KEY, handle public.handle NOT NULL, note text); INSERT INTO handles VALUES (1, 'Ada', 'x')`);
    const rename = await planFor(c, { kind: 'rename-column', schema: 'public', table: 'handles', column: 'handle', newName: 'nick' });
    const retype = await planFor(c, {
      kind: 'change-type',
      schema: 'public',
      table: 'handles',
      column: 'note',
      newColumn: 'note_short',
      newType: 'varchar(10)',
      forward: '{{old}}::varchar(10)',
      reverse: '{{new}}::text',
    });
    await runPhases(c, rename, ['expand', 'backfill']);
    await runPhases(c, retype, ['expand']);
    const { rows } = await c.query<{ fn: string; config: string[] | null }>(
      `SELECT p.proname AS fn, p.proconfig AS config FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proname LIKE 'ec\\_%' AND (p.proname LIKE '%handles%')`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const r of rows)
      expect(
        r.config?.some((setting) => setting.startsWith('search_path=')),
        r.fn,
      ).toBe(true);
    const renameFns = rows.filter((r) => r.fn.includes('handle_nick') || r.fn.includes('nick'));
    expect(renameFns.length).toBeGreaterThan(0);
    for (const r of renameFns) expect(r.config).toContain(`search_path=pg_catalog, ${extSchema}, pg_temp`);
    // The writers' search path does not reach the type's schema, and a rename still compares as citext does.
    await c.query("UPDATE handles SET nick = 'ADA' WHERE id = 1");
    expect((await c.query('SELECT handle::text AS h, nick::text AS n FROM handles')).rows[0]).toEqual({ h: 'Ada', n: 'ADA' });
  });
});
