import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../lib/db/transaction';
import { applyStateSchema, readStateSchema } from '../lib/db/state-schema';
import { SQL_STATE } from '../lib/db/sql-state';
import { SUPABASE_ADMIN } from './setup/provision-supabase-roles';
import { createSupabaseDatabase } from './helpers/supabase-database';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

const ALICE = '6f1d2c3b-0000-4000-8000-00000000a11c';
const MALLORY = '6f1d2c3b-0000-4000-8000-0000000ba11e';
const MIGRATIONS = path.join(import.meta.dirname, '..', 'supabase', 'migrations');

// pg-boss's own functions, generated from pg-boss into 20261204010000_job_queue_pg_boss_12.sql and left as pg-boss defines them.
const PG_BOSS_SCHEMA = 'expand_contract_jobs';

interface StateFunction {
  fn: string;
  searchPath: string | null;
}

/** Every function in the database but PostgreSQL's own and extensions' members, with its pinned search_path (null: none). */
async function stateFunctions(client: pg.ClientBase): Promise<StateFunction[]> {
  const { rows } = await client.query<StateFunction>(
    `SELECT p.oid::regprocedure::text AS fn,
            (SELECT substr(c, length('search_path=') + 1) FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%') AS "searchPath"
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
      ORDER BY 1`,
  );
  return rows;
}

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('search_paths', 'state');
  client = await db.client();
  await applyStateSchema(client, await readStateSchema(MIGRATIONS));
});
afterAll(async () => {
  await db?.drop();
});

describe("the state schema's functions pin their search_path", () => {
  it('every function the state files create has one, naming only pg_catalog and pg_temp (or nothing)', async () => {
    const all = await stateFunctions(client);
    const pgBoss = all.filter((f) => f.fn.startsWith(`${PG_BOSS_SCHEMA}.`));
    expect(pgBoss.map((f) => f.fn)).toEqual(
      [
        'create_queue(text,jsonb)',
        'delete_queue(text)',
        'job_now()',
        'job_table_format(text,text)',
        'job_table_run(text,text,text)',
        'job_table_run_async(text,integer,text,text,text)',
      ].map((fn) => `${PG_BOSS_SCHEMA}.${fn}`),
    );
    const ours = all.filter((f) => !pgBoss.includes(f));
    expect(ours.map((f) => f.fn)).toEqual(
      expect.arrayContaining(['auth.uid()', 'expand_contract.audit_log_is_append_only()', 'expand_contract.current_roles()']),
    );
    expect(ours.filter((f) => f.searchPath === null)).toEqual([]);
    // A schema a caller could create in (public, "$user") would bring the hijack back.
    expect(ours.filter((f) => !['pg_catalog, pg_temp', '""'].includes(f.searchPath!))).toEqual([]);
  });

  it('pins them again, unchanged, when the file runs a second time', async () => {
    const file = (await readStateSchema(MIGRATIONS)).find((f) => f.name === 'function_search_paths')!;
    const before = await stateFunctions(client);
    await inTransaction(client, () => client.query(file.sql));
    expect(await stateFunctions(client)).toEqual(before);
  });

  describe('called through a hostile search_path', () => {
    beforeAll(async () => {
      // A schema of the caller's, first on their search_path, shadowing names the functions use.
      await client.query(`
        CREATE SCHEMA hostile;
        GRANT USAGE ON SCHEMA hostile TO authenticated;
        CREATE TABLE hostile.audit_log (id bigint, actor text);
        CREATE FUNCTION hostile.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
        CREATE FUNCTION hostile.current_setting(text, boolean) RETURNS text LANGUAGE sql AS $$ SELECT '${MALLORY}'::text $$;`);
      await client.query("INSERT INTO expand_contract.audit_log (actor, action) VALUES ('alice@example.com', 'sign-in')");
    });

    it('the audit log still refuses an UPDATE, a DELETE and a TRUNCATE', async () => {
      for (const statement of [
        "UPDATE expand_contract.audit_log SET actor = 'someone else'",
        'DELETE FROM expand_contract.audit_log',
        'TRUNCATE expand_contract.audit_log',
      ]) {
        const error = await inTransaction(client, async () => {
          await client.query('SET LOCAL search_path = hostile, pg_catalog, expand_contract, public');
          await client.query(statement);
        }).catch((e: unknown) => e);
        expect(error, statement).toMatchObject({ code: SQL_STATE.insufficientPrivilege, message: 'the audit log is append-only' });
      }
      const { rows } = await client.query('SELECT actor FROM expand_contract.audit_log');
      expect(rows).toEqual([{ actor: 'alice@example.com' }]);
    });

    it("auth.uid() still answers the request's subject, not what a shadowing current_setting() says", async () => {
      const uid = await inTransaction(client, async () => {
        await client.query('SET LOCAL ROLE authenticated');
        await client.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: ALICE, role: 'authenticated' })]);
        await client.query('SET LOCAL search_path = hostile, pg_catalog, public');
        // The shadow is really there for unpinned code.
        expect((await client.query("SELECT current_setting('request.jwt.claims', true) AS claims")).rows[0].claims).toBe(MALLORY);
        return (await client.query('SELECT auth.uid()::text AS uid')).rows[0].uid;
      });
      expect(uid).toBe(ALICE);
    });
  });

  it("on Supabase, applying the state schema pins its own functions and leaves Supabase's auth.uid() as Supabase defines it", async () => {
    const supabase = await createSupabaseDatabase('search_paths_supabase');
    try {
      const c = await supabase.client();
      await applyStateSchema(c, await readStateSchema(MIGRATIONS));
      const all = await stateFunctions(c);
      const unpinned = all.filter((f) => f.searchPath === null && !f.fn.startsWith(`${PG_BOSS_SCHEMA}.`));
      expect(unpinned.map((f) => f.fn)).toEqual(['auth.jwt()', 'auth.role()', 'auth.uid()']);
      const owner = await c.query("SELECT proowner::regrole::text AS owner FROM pg_proc WHERE oid = 'auth.uid()'::regprocedure");
      expect(owner.rows).toEqual([{ owner: SUPABASE_ADMIN }]);
    } finally {
      await supabase.drop();
    }
  });
});
