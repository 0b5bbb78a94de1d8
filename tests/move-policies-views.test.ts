import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ColumnReferencedError, PlanValidationError } from '../lib/migrations/errors';
import type { Plan } from '../lib/migrations/types';
import { planChange } from '../lib/planning/plan-change';
import { columnMustExist, columnMustNotExist, runPhases } from './helpers/plan-runner';
import { asAuthenticated, createSupabaseDatabase, type SupabaseDatabase } from './helpers/supabase-database';

/**
 * A rename of the column Supabase's row-level security is usually written on (`auth.uid() =
 * user_id`), used by a policy's USING, another's WITH CHECK, a view that selects it and a view
 * made with SELECT *: planned instead of refused, and run through its whole lifecycle, with the
 * same rows visible to a signed-in person, through the table and the views, at every step.
 */
let db: SupabaseDatabase;
let c: pg.Client;
let admin: pg.Client;
let plan: Plan;
const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const spec = { kind: 'rename-column', schema: 'public', table: 'notes', column: 'user_id', newName: 'owner_id' } as const;

/** What one person sees and may do, asked as `authenticated` with their JWT claims, under RLS; nothing of it kept. */
function asUser(uid: string, writes = 'user_id') {
  return asAuthenticated(c, uid, async (a) => {
    const ids = async (sql: string) => (await a.query<{ id: string }>(sql)).rows.map((r) => Number(r.id));
    const table = await ids('SELECT id FROM notes ORDER BY id');
    const mine = await a.query('SELECT * FROM my_notes ORDER BY id');
    const all = await a.query('SELECT * FROM all_notes ORDER BY id');
    // Writing a row for someone else is refused by WITH CHECK; for oneself it is allowed. Neither is kept.
    const tryInsert = async (id: number, owner: string) => {
      await a.query('SAVEPOINT w');
      const outcome = await a.query(`INSERT INTO notes (id, ${writes}, body) VALUES (${id}, '${owner}', 'x')`).then(
        () => 'allowed',
        (e: { code?: string }) => e.code,
      );
      await a.query('ROLLBACK TO SAVEPOINT w');
      return outcome;
    };
    return {
      table,
      mine: { columns: mine.fields.map((f) => f.name), ids: mine.rows.map((r) => Number(r.id)) },
      all: { columns: all.fields.map((f) => f.name), ids: all.rows.map((r) => Number(r.id)) },
      other: await tryInsert(999, uid === ALICE ? BOB : ALICE),
      own: await tryInsert(998, uid),
    };
  });
}

const definitions = async () =>
  (
    await admin.query<{ d: string }>(`
      SELECT polname || ': ' || coalesce(pg_get_expr(polqual, polrelid), '-') || ' / ' || coalesce(pg_get_expr(polwithcheck, polrelid), '-') AS d
        FROM pg_policy WHERE polrelid = 'public.notes'::regclass
      UNION ALL
      SELECT relname || ': ' || pg_get_viewdef(oid) || coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE relname IN ('my_notes', 'all_notes')
      ORDER BY 1`)
  ).rows.map((r) => r.d);

let original: string[];
let seen: { alice: Awaited<ReturnType<typeof asUser>>; bob: Awaited<ReturnType<typeof asUser>> };
/** Old code writes user_id, new code owner_id: while both columns live, both must be judged alike. */
const sameAsBefore = async (...writers: string[]) => {
  for (const writes of writers.length ? writers : ['user_id']) expect({ alice: await asUser(ALICE, writes), bob: await asUser(BOB, writes) }).toEqual(seen);
};

beforeAll(async () => {
  // Shaped like a Supabase project (auth.uid() from the request's JWT claims, the API roles), reached as its
  // non-superuser postgres, which owns the tables and runs every phase here.
  db = await createSupabaseDatabase('move_deps');
  c = await db.client();
  admin = await db.admin.client();
  await c.query(`
    CREATE TABLE notes (id bigint PRIMARY KEY, user_id uuid NOT NULL, body text);
    ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own_read ON notes FOR SELECT TO authenticated USING (auth.uid() = user_id);
    CREATE POLICY own_write ON notes FOR INSERT TO authenticated WITH CHECK (user_id = auth.uid());
    CREATE VIEW my_notes WITH (security_invoker = true) AS SELECT id, user_id, body FROM notes WHERE user_id = auth.uid();
    CREATE VIEW all_notes WITH (security_invoker = true) AS SELECT * FROM notes;
    GRANT SELECT, INSERT ON notes TO authenticated;
    GRANT SELECT ON my_notes, all_notes TO authenticated;
    INSERT INTO notes SELECT g, CASE WHEN g % 3 = 0 THEN '${BOB}'::uuid ELSE '${ALICE}'::uuid END, 'note ' || g FROM generate_series(1, 30) g;`);
  seen = { alice: await asUser(ALICE), bob: await asUser(BOB) };
  plan = await planChange(c, spec);
});
afterAll(() => db.drop());

describe('policies and views on a renamed column: planned, moved at contract, put back by restore', () => {
  it('sees what a signed-in person sees before anything runs', () => {
    expect(seen.alice.table).toHaveLength(20);
    expect(seen.bob.table).toHaveLength(10);
    expect(seen.alice.mine).toEqual({ columns: ['id', 'user_id', 'body'], ids: seen.alice.table });
    expect(seen.alice.all).toEqual({ columns: ['id', 'user_id', 'body'], ids: seen.alice.table });
    expect([seen.alice.other, seen.alice.own]).toEqual(['42501', 'allowed']);
  });

  it('plans the rename, and shows the rewritten policies and views in the contract', () => {
    const drop = plan.steps.find((s) => s.phase === 'contract' && s.sql.includes('DROP COLUMN'))!;
    expect(drop.sql).toContain('ALTER POLICY "own_read" ON "public"."notes" USING ((auth.uid() = "owner_id"))');
    expect(drop.sql).toContain('ALTER POLICY "own_write" ON "public"."notes" WITH CHECK (("owner_id" = auth.uid()))');
    expect(drop.sql).toMatch(
      /CREATE OR REPLACE VIEW "public"\."my_notes" WITH \("security_invoker" = 'true'\) AS\nSELECT (notes\.)?id,\n {4}(notes\.)?"owner_id" AS "user_id",/,
    );
    expect(drop.sql).toMatch(
      /CREATE OR REPLACE VIEW "public"\."all_notes" WITH \("security_invoker" = 'true'\) AS\nSELECT (notes\.)?id,\n {4}(notes\.)?"owner_id" AS "user_id",\n {4}(notes\.)?body\n {3}FROM public\.notes/,
    );
    // The moves come before the drop, in its transaction.
    expect(drop.sql.indexOf('ALTER POLICY')).toBeLessThan(drop.sql.indexOf('DROP COLUMN'));
    expect(plan.notes.join('\n')).toMatch(/policy "own_read" uses user_id: the contract rewrites it to use owner_id/);
    expect(plan.notes.join('\n')).toMatch(/view public\.all_notes uses user_id/);
    const restore = plan.steps.find((s) => s.phase === 'restore' && s.id.includes('restore_dependents'))!;
    expect(restore.sql).toContain('ALTER POLICY "own_read" ON "public"."notes" USING ((auth.uid() = user_id))');
  });

  it('expand and rollback leave the policies and views alone, and the same rows visible', async () => {
    original = await definitions();
    const before = original;
    await runPhases(c, plan, ['preflight', 'expand']);
    await sameAsBefore();
    expect(await definitions()).toEqual(before);
    await runPhases(c, plan, ['rollback']);
    await columnMustNotExist(c, 'public', 'notes', 'owner_id');
    expect(await definitions()).toEqual(before);
    await sameAsBefore();
  });

  it('expand and backfill again: the same rows visible while both columns live', async () => {
    await runPhases(c, plan, ['preflight', 'expand', 'backfill']);
    await sameAsBefore('user_id', 'owner_id');
  });

  it('a contract refuses, and changes nothing, when a policy changed since the plan', async () => {
    await c.query('ALTER POLICY own_read ON notes USING (auth.uid() = user_id AND body IS NOT NULL)');
    await expect(runPhases(c, plan, ['contract'])).rejects.toThrow(/policy own_read on "public"."notes" is gone or has changed since the plan/);
    await columnMustExist(c, 'public', 'notes', 'user_id');
    await c.query('ALTER POLICY own_read ON notes USING (auth.uid() = user_id)');
  });

  it('contract: the policies and views use the new column, and the same rows are visible', async () => {
    const before = await definitions();
    await runPhases(c, plan, ['contract']);
    await columnMustNotExist(c, 'public', 'notes', 'user_id');
    const after = await definitions();
    // user_id is left only as the views' output name.
    expect(after.join('\n').replaceAll('AS user_id', '')).not.toContain('user_id');
    expect(after.join('\n')).toMatch(/own_read: \(auth\.uid\(\) = owner_id\)/);
    expect(after).not.toEqual(before);
    // The views keep their column names (user_id) and options, reading owner_id; RLS judges owner_id.
    await sameAsBefore('owner_id');
  });

  it('a restore refuses, before changing anything, when a policy was tightened since the contract', async () => {
    await c.query('ALTER POLICY own_read ON notes USING (auth.uid() = owner_id AND body IS NOT NULL)');
    await expect(runPhases(c, plan, ['restore'])).rejects.toThrow(/policy own_read on "public"."notes" is gone or has changed since the contract/);
    await columnMustNotExist(c, 'public', 'notes', 'user_id');
    expect((await definitions()).join('\n')).toContain('body IS NOT NULL');
    await c.query('ALTER POLICY own_read ON notes USING (auth.uid() = owner_id)');
  });

  it('restore: the old column is back, and so are the original policies and views', async () => {
    await runPhases(c, plan, ['restore']);
    await columnMustExist(c, 'public', 'notes', 'user_id');
    expect((await definitions()).join('\n')).toMatch(/own_read: \(auth\.uid\(\) = user_id\)/);
    expect(await definitions()).toEqual(original);
    await sameAsBefore('user_id', 'owner_id');
    // The originals are back as planned, so a second contract finds them unchanged and moves them again.
    await runPhases(c, plan, ['contract']);
    await columnMustNotExist(c, 'public', 'notes', 'user_id');
    await sameAsBefore('owner_id');
  });
});

describe('what cannot be moved is refused with the reason', () => {
  it('a materialized view and a join USING the column; a policy whose subquery reads another table’s column of that name is not in the way', async () => {
    await c.query(`
      CREATE TABLE teams (id bigint PRIMARY KEY, user_id uuid);
      CREATE TABLE docs (id bigint PRIMARY KEY, user_id uuid);
      ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
      CREATE POLICY team_docs ON docs USING (EXISTS (SELECT 1 FROM teams WHERE user_id = auth.uid()) AND docs.user_id IS NOT NULL);
      CREATE MATERIALIZED VIEW doc_owners AS SELECT DISTINCT user_id FROM docs;
      CREATE VIEW doc_teams AS SELECT d.id FROM docs d JOIN teams t USING (user_id);`);
    const refusal = await planChange(c, { ...spec, table: 'docs' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(PlanValidationError);
    const reasons = (refusal as PlanValidationError).errors.map((e) => (e instanceof ColumnReferencedError ? `${e.message} | ${e.advice}` : e.message));
    expect(reasons).toEqual([
      expect.stringMatching(/used by view public\.doc_owners, which is a materialized view[\s\S]*\| drop it in a change of its own/),
      expect.stringMatching(/used by view public\.doc_teams, which joins docs USING \(user_id\)[\s\S]*\| join with ON/),
    ]);

    // Without the two views, the policy moves, and the other table's user_id in it stays as it is.
    await c.query('DROP MATERIALIZED VIEW doc_owners; DROP VIEW doc_teams');
    const docs = await planChange(c, { ...spec, table: 'docs' });
    const drop = docs.steps.find((s) => s.phase === 'contract' && s.sql.includes('DROP COLUMN'))!;
    expect(drop.sql).toMatch(
      /ALTER POLICY "team_docs" ON "public"."docs" USING \(\(\(EXISTS \( SELECT 1\n\s+FROM public\.teams\n\s+WHERE \(teams\.user_id = auth\.uid\(\)\)\)\) AND \("owner_id" IS NOT NULL\)\)\)/,
    );
  });
});

describe('a type change moves a policy through the reverse mapping', () => {
  it('the same rows are visible before and after the contract of tickets.prio text → prio_n integer', async () => {
    await c.query(`
      CREATE TABLE tickets (id bigint PRIMARY KEY, prio text NOT NULL);
      ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;
      CREATE POLICY shown ON tickets FOR SELECT TO authenticated USING (prio <> 'hidden');
      GRANT SELECT ON tickets TO authenticated;
      INSERT INTO tickets SELECT g, CASE WHEN g % 4 = 0 THEN 'hidden' ELSE 'shown' END FROM generate_series(1, 20) g;`);
    const visible = async () => {
      await admin.query('BEGIN');
      try {
        await admin.query('SET LOCAL ROLE authenticated');
        return (await admin.query<{ id: string }>('SELECT id FROM tickets ORDER BY id')).rows.map((r) => Number(r.id));
      } finally {
        await admin.query('ROLLBACK');
      }
    };
    const before = await visible();
    expect(before).toHaveLength(15);
    const retype = await planChange(c, {
      kind: 'change-type',
      schema: 'public',
      table: 'tickets',
      column: 'prio',
      newColumn: 'prio_n',
      newType: 'integer',
      forward: "CASE {{old}} WHEN 'hidden' THEN 0 ELSE 1 END",
      reverse: "CASE {{new}} WHEN 0 THEN 'hidden' ELSE 'shown' END",
    });
    await runPhases(c, retype, ['preflight', 'expand', 'backfill']);
    expect(await visible()).toEqual(before);
    await runPhases(c, retype, ['contract']);
    await columnMustNotExist(c, 'public', 'tickets', 'prio');
    expect(await visible()).toEqual(before);
    const { rows } = await admin.query("SELECT pg_get_expr(polqual, polrelid) AS q FROM pg_policy WHERE polname = 'shown'");
    expect(rows[0].q).toContain('prio_n');
  });
});
