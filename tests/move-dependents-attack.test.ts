import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanValidationError } from '../lib/migrations/errors';
import type { OperationSpec, Plan } from '../lib/migrations/types';
import { planChange } from '../lib/planning/plan-change';
import { columnMustExist, columnMustNotExist, runPhases } from './helpers/plan-runner';
import { asAuthenticated, createSupabaseDatabase, type SupabaseDatabase } from './helpers/supabase-database';

/**
 * A second reader's probes of moving policies and views at contract: for each shape, what a
 * signed-in person sees (through the table under RLS and through the views) must be identical
 * before the plan, while both columns live, and after the contract; or the planner must refuse
 * up front. The `found: …` blocks are shapes where that does not hold today.
 */
let db: SupabaseDatabase;
let c: pg.Client;
const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const CAROL = '00000000-0000-4000-8000-00000000000c';
const PEOPLE = [ALICE, BOB, CAROL];

/** Queries given the column name to write with (old before the contract, new after). */
type Probe = (col: string) => string[];

/** What one person gets from each query, asked as `authenticated` under RLS; each in a savepoint, nothing kept. */
function see(uid: string, queries: string[]) {
  return asAuthenticated(c, uid, async (a) => {
    const out: unknown[] = [];
    for (const q of queries) {
      await a.query('SAVEPOINT p');
      out.push(
        await a.query(q).then(
          (r) => ({ columns: r.fields.map((f) => `${f.name}:${f.dataTypeID}`), rows: r.rows }),
          (e: { code?: string }) => `error ${e.code}`,
        ),
      );
      await a.query('ROLLBACK TO SAVEPOINT p');
    }
    return out;
  });
}
/** One person after another: they share one connection. */
async function look(queries: string[]) {
  const out: Record<string, unknown> = {};
  for (const p of PEOPLE) out[p] = await see(p, queries);
  return out;
}

async function refusalOf(spec: OperationSpec): Promise<string[] | null> {
  return planChange(c, spec).then(
    () => null,
    (e: unknown) => {
      if (e instanceof PlanValidationError) return e.errors.map((x) => `${x.message} | ${(x as { advice?: string }).advice ?? ''}`);
      throw e;
    },
  );
}

const newName = (spec: OperationSpec) => ('newName' in spec ? spec.newName : (spec as { newColumn: string }).newColumn);

/**
 * Plans, runs expand + backfill and the contract, and checks that each person sees the same
 * through `probe` at every step (written with the old name while it lives, with the new after).
 */
async function lifecycle(spec: OperationSpec & { schema: string; table: string; column: string }, probe: Probe): Promise<{ plan: Plan; before: unknown }> {
  const before = await look(probe(spec.column));
  // The first probe reads the table or a view: it must work (later ones may be refused writes).
  expect(JSON.stringify(Object.values(before).map((r) => (r as unknown[])[0]))).not.toContain('"error');
  const plan = await planChange(c, spec);
  await runPhases(c, plan, ['preflight', 'expand', 'backfill']);
  expect(await look(probe(spec.column))).toEqual(before);
  await runPhases(c, plan, ['contract']);
  await columnMustNotExist(c, spec.schema, spec.table, spec.column);
  expect(await look(probe(newName(spec)))).toEqual(before);
  return { plan, before };
}

const contractSql = (plan: Plan) => plan.steps.find((s) => s.phase === 'contract' && s.sql.includes('DROP COLUMN'))!.sql;

const rename = (table: string, column = 'user_id', newName2 = 'owner_id', schema = 'public') =>
  ({ kind: 'rename-column', schema, table, column, newName: newName2 }) as const;

/** Rows for three people: ids 1..n, owner by id % 3. */
const ownerOf = (g = 'g') => `(ARRAY['${ALICE}','${BOB}','${CAROL}']::uuid[])[${g} % 3 + 1]`;

beforeAll(async () => {
  db = await createSupabaseDatabase('move_attack');
  c = await db.client();
});
afterAll(() => db.drop());

describe('policies: subqueries, self-reference, other tables with the same column names', () => {
  it('a self-referencing policy (text only), a correlated subquery on a table that has both user_id and owner_id, and a jwt claim on another column keep their meaning', async () => {
    await c.query(`
      CREATE TABLE a1_members (team_id int, user_id uuid, owner_id uuid);
      CREATE TABLE a1_notes (id int PRIMARY KEY, team_id int NOT NULL, org text NOT NULL, user_id uuid, body text);
      ALTER TABLE a1_notes ENABLE ROW LEVEL SECURITY;
      CREATE POLICY sel ON a1_notes FOR SELECT TO authenticated USING (
        user_id = auth.uid()
        OR EXISTS (SELECT 1 FROM a1_members m WHERE m.team_id = a1_notes.team_id AND m.user_id = auth.uid())
        OR EXISTS (SELECT 1 FROM a1_members WHERE a1_members.owner_id = a1_notes.user_id AND a1_members.user_id = auth.uid())
        OR (org = (auth.jwt() ->> 'sub') AND user_id IS NULL));
      CREATE POLICY ins ON a1_notes FOR INSERT TO authenticated WITH CHECK (user_id = auth.uid() AND team_id <> 7);
      -- A policy reading its own table cannot run under RLS (42P17); for a role that never meets it, only its text is checked.
      CREATE POLICY self_ref ON a1_notes FOR UPDATE TO anon USING (
        (SELECT count(*) FROM a1_notes n WHERE n.user_id = a1_notes.user_id) < 6
        AND NOT EXISTS (SELECT 1 FROM a1_notes WHERE a1_notes.user_id = auth.uid() AND a1_notes.body = 'locked'));
      INSERT INTO a1_members VALUES (1, '${BOB}', NULL), (7, NULL, NULL), (0, '${CAROL}', '${ALICE}');
      INSERT INTO a1_notes SELECT g, g % 4, CASE WHEN g = 13 THEN '${CAROL}' ELSE 'x' END, CASE WHEN g > 12 THEN NULL ELSE ${ownerOf()} END,
                                  CASE WHEN g = 5 THEN 'locked' ELSE 'b' END FROM generate_series(1, 14) g;`);
    const { plan } = await lifecycle(rename('a1_notes'), (col) => [
      'SELECT id FROM a1_notes ORDER BY id',
      ...PEOPLE.map((p, i) => `INSERT INTO a1_notes (id, team_id, org, ${col}, body) VALUES (${100 + i}, 9, 'x', '${p}', 'b')`),
    ]);
    const sql = contractSql(plan);
    // The other table's user_id and owner_id stay as they were.
    expect(sql).toMatch(/m\.user_id = auth\.uid\(\)/);
    expect(sql).toMatch(/a1_members\.owner_id = a1_notes\."owner_id"/);
    expect(sql).toMatch(/a1_members\.user_id = auth\.uid\(\)/);
    const { rows } = await c.query(`SELECT pg_get_expr(polqual, polrelid) AS q FROM pg_policy WHERE polname = 'self_ref'`);
    expect(rows[0].q).not.toMatch(/user_id/);
    expect(rows[0].q.match(/owner_id/g)).toHaveLength(3);
  });
});

describe('views: CTEs, set operations, LATERAL, windows, grouping, column lists, views over views, options', () => {
  it('each view keeps its rows, column names and column types, and a LOCAL CHECK OPTION still refuses', async () => {
    await c.query(`
      CREATE TABLE a2_notes (id int PRIMARY KEY, user_id uuid NOT NULL, body text);
      CREATE TABLE a2_other (id int, user_id uuid, owner_id uuid);
      INSERT INTO a2_notes SELECT g, ${ownerOf()}, CASE WHEN g % 5 = 0 THEN 'hidden' ELSE 'b' || g END FROM generate_series(1, 15) g;
      INSERT INTO a2_other VALUES (100, '${ALICE}', '${BOB}'), (101, '${CAROL}', '${ALICE}');
      CREATE VIEW a2_cte_cols AS WITH c(i, u) AS (SELECT id, user_id FROM a2_notes) SELECT i, u FROM c WHERE u <> '${CAROL}';
      CREATE VIEW a2_union AS SELECT id, user_id FROM a2_notes UNION ALL SELECT id, owner_id FROM a2_other
        UNION SELECT id, user_id FROM a2_other ORDER BY user_id, id;
      CREATE VIEW a2_lateral AS SELECT n.id, x.u, x.o FROM a2_notes n
        CROSS JOIN LATERAL (SELECT o.user_id AS u, o.owner_id AS o FROM a2_other o WHERE o.owner_id = n.user_id OR o.user_id = n.user_id) x;
      CREATE VIEW a2_window AS SELECT id, user_id, row_number() OVER (PARTITION BY user_id ORDER BY id DESC) AS rn,
        first_value(user_id) OVER w AS firstu FROM a2_notes WINDOW w AS (ORDER BY user_id, id);
      CREATE VIEW a2_group AS SELECT user_id, count(*) AS n, user_id::text AS t FROM a2_notes GROUP BY user_id HAVING count(*) > 1 ORDER BY user_id;
      CREATE VIEW a2_cols (a, b) AS SELECT id, user_id FROM a2_notes;
      CREATE VIEW a2_over AS SELECT a, b FROM a2_cols WHERE b <> '${BOB}';
      CREATE VIEW a2_distinct AS SELECT DISTINCT ON (user_id) user_id, id FROM a2_notes ORDER BY user_id, id;
      CREATE VIEW a2_output_order AS SELECT body AS user_id, id FROM a2_notes ORDER BY user_id, id;
      CREATE VIEW a2_checked WITH (security_barrier = true) AS SELECT id, user_id, body FROM a2_notes WHERE user_id = '${ALICE}' WITH LOCAL CHECK OPTION;`);
    const { plan } = await lifecycle(rename('a2_notes'), () => [
      ...['a2_cte_cols', 'a2_union', 'a2_lateral', 'a2_window', 'a2_group', 'a2_cols', 'a2_over', 'a2_distinct', 'a2_output_order', 'a2_checked'].map(
        (v) => `SELECT * FROM ${v}`,
      ),
      `INSERT INTO a2_checked (id, user_id, body) VALUES (500, '${BOB}', 'x')`,
      `INSERT INTO a2_checked (id, user_id, body) VALUES (501, '${ALICE}', 'x')`,
    ]);
    const { rows } = await c.query(`SELECT relname, reloptions FROM pg_class WHERE relname = 'a2_checked'`);
    expect(rows[0].reloptions.sort()).toEqual(['check_option=local', 'security_barrier=true']);
    // The other table's columns and the output name in the last ORDER BY are left alone.
    expect(contractSql(plan)).toMatch(/a2_other\.owner_id/);
  });
});

describe('quoted, mixed-case, unicode and keyword names in a non-public schema', () => {
  it('two renames in a row move the policy and the view each time', async () => {
    await c.query(`
      CREATE SCHEMA "Ünï Schema";
      GRANT USAGE ON SCHEMA "Ünï Schema" TO authenticated;
      CREATE TABLE "Ünï Schema"."Nötes" (id int PRIMARY KEY, "Üser Id" uuid, "select" text);
      ALTER TABLE "Ünï Schema"."Nötes" ENABLE ROW LEVEL SECURITY;
      CREATE POLICY "Nur eigene Zeilen 😀" ON "Ünï Schema"."Nötes" FOR SELECT TO authenticated USING ("Üser Id" = auth.uid() OR "select" = 'öffentlich');
      CREATE VIEW "Ünï Schema"."Meine Nötes" WITH (security_invoker = true) AS
        SELECT n.id, n."Üser Id", n."select" FROM "Ünï Schema"."Nötes" n WHERE n."Üser Id" = auth.uid() OR n."select" = 'öffentlich';
      GRANT SELECT ON "Ünï Schema"."Nötes", "Ünï Schema"."Meine Nötes" TO authenticated;
      INSERT INTO "Ünï Schema"."Nötes" SELECT g, ${ownerOf()}, CASE WHEN g % 4 = 0 THEN 'öffentlich' ELSE 'privat' END FROM generate_series(1, 12) g;`);
    const probe = () => ['SELECT id FROM "Ünï Schema"."Nötes" ORDER BY id', 'SELECT * FROM "Ünï Schema"."Meine Nötes" ORDER BY id'];
    await lifecycle(rename('Nötes', 'Üser Id', 'Ówner Ïd', 'Ünï Schema'), probe);
    await lifecycle(rename('Nötes', 'select', 'from', 'Ünï Schema'), probe);
    const { rows } = await c.query(`SELECT pg_get_expr(polqual, polrelid) AS q FROM pg_policy WHERE polname = 'Nur eigene Zeilen 😀'`);
    expect(rows[0].q).toBe(`(("Ówner Ïd" = auth.uid()) OR ("from" = 'öffentlich'::text))`);
  });
});

describe('literals that need quoting', () => {
  it('quotes, backslashes and dollar signs in a policy and a view survive the check and the rewrite', async () => {
    await c.query(`
      CREATE TABLE a4_notes (id int PRIMARY KEY, user_id uuid, body text);
      ALTER TABLE a4_notes ENABLE ROW LEVEL SECURITY;
      CREATE POLICY "it's $$ mine" ON a4_notes FOR SELECT TO authenticated USING (user_id = auth.uid() AND body !~ E'\\\\d''$$x' AND body <> '$$');
      CREATE VIEW a4_v WITH (security_invoker = true) AS SELECT id, user_id, body || E'\\\\' || '$q$' AS b FROM a4_notes WHERE body <> E'it''s';
      INSERT INTO a4_notes SELECT g, ${ownerOf()}, CASE WHEN g % 4 = 0 THEN E'\\\\d''$$x' WHEN g % 4 = 1 THEN '$$' ELSE 'it''s' END FROM generate_series(1, 12) g;`);
    await lifecycle(rename('a4_notes'), () => ['SELECT id FROM a4_notes ORDER BY id', 'SELECT * FROM a4_v ORDER BY id']);
  });
});

describe('a type change moves a policy and a view through the reverse mapping', () => {
  it('the view keeps its column type, and the policy admits the same rows', async () => {
    await c.query(`
      CREATE TABLE a5_tickets (id int PRIMARY KEY, prio varchar(10) NOT NULL, user_id uuid);
      ALTER TABLE a5_tickets ENABLE ROW LEVEL SECURITY;
      CREATE POLICY shown ON a5_tickets FOR SELECT TO authenticated USING (prio IN ('low', 'mid') OR (prio = 'high' AND user_id = auth.uid()));
      CREATE VIEW a5_v WITH (security_invoker = true) AS SELECT id, prio, upper(prio) AS up FROM a5_tickets WHERE prio <> 'mid' ORDER BY prio, id;
      INSERT INTO a5_tickets SELECT g, (ARRAY['low','mid','high','secret'])[g % 4 + 1], ${ownerOf()} FROM generate_series(1, 24) g;`);
    await lifecycle(
      {
        kind: 'change-type',
        schema: 'public',
        table: 'a5_tickets',
        column: 'prio',
        newColumn: 'prio_n',
        newType: 'integer',
        forward: "CASE {{old}} WHEN 'low' THEN 1 WHEN 'mid' THEN 2 WHEN 'high' THEN 3 WHEN 'secret' THEN 4 END",
        reverse: "CASE {{new}} WHEN 1 THEN 'low' WHEN 2 THEN 'mid' WHEN 3 THEN 'high' WHEN 4 THEN 'secret' END",
      },
      () => ['SELECT id FROM a5_tickets ORDER BY id', 'SELECT * FROM a5_v'],
    );
  });
});

describe('the contract refuses, and changes nothing, when a planned policy or view changed, went away or came since the plan', () => {
  const setup = async (t: string) => {
    await c.query(`
      CREATE TABLE ${t} (id int PRIMARY KEY, user_id uuid, body text);
      ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own ON ${t} FOR SELECT TO authenticated USING (user_id = auth.uid());
      CREATE VIEW ${t}_v WITH (security_invoker = true) AS SELECT id, user_id FROM ${t};
      INSERT INTO ${t} SELECT g, ${ownerOf()}, 'b' FROM generate_series(1, 6) g;`);
    const plan = await planChange(c, rename(t));
    await runPhases(c, plan, ['preflight', 'expand', 'backfill']);
    return plan;
  };
  const refused = async (plan: Plan, t: string, message: RegExp) => {
    await expect(runPhases(c, plan, ['contract'])).rejects.toThrow(message);
    await columnMustExist(c, 'public', t, 'user_id');
  };

  it('a policy dropped since the plan', async () => {
    const plan = await setup('a6_dropped');
    await c.query('DROP POLICY own ON a6_dropped');
    await refused(plan, 'a6_dropped', /policy own on "public"."a6_dropped" is gone or has changed/);
  });

  it('a policy dropped and created again with another meaning under the same name', async () => {
    const plan = await setup('a6_recreated');
    await c.query('DROP POLICY own ON a6_recreated; CREATE POLICY own ON a6_recreated FOR SELECT TO authenticated USING (user_id IS NOT NULL)');
    await refused(plan, 'a6_recreated', /policy own on "public"."a6_recreated" is gone or has changed/);
  });

  it('a view redefined since the plan, with the same text but other options, or dropped', async () => {
    const plan = await setup('a6_view');
    await c.query(`CREATE OR REPLACE VIEW a6_view_v WITH (security_invoker = true) AS SELECT id, user_id FROM a6_view WHERE body = 'b'`);
    await refused(plan, 'a6_view', /view "public"."a6_view_v" is gone or has changed/);
    await c.query(`CREATE OR REPLACE VIEW a6_view_v AS SELECT id, user_id FROM a6_view; ALTER VIEW a6_view_v RESET (security_invoker)`);
    await refused(plan, 'a6_view', /view "public"."a6_view_v" is gone or has changed/);
    await c.query(`DROP VIEW a6_view_v`);
    await refused(plan, 'a6_view', /view "public"."a6_view_v" is gone or has changed/);
  });

  it('a new policy on the column since the plan: the drop refuses', async () => {
    const plan = await setup('a6_new');
    await c.query(`CREATE POLICY extra ON a6_new FOR UPDATE TO authenticated USING (user_id = auth.uid())`);
    await expect(runPhases(c, plan, ['contract'])).rejects.toThrow(/depend/);
    await columnMustExist(c, 'public', 'a6_new', 'user_id');
  });

  it('a contract run with another search_path still finds the plan unchanged, and moves them', async () => {
    const plan = await setup('a6_path');
    await c.query(`SET search_path = extensions, auth`);
    try {
      await runPhases(c, plan, ['contract']);
    } finally {
      await c.query('RESET search_path');
    }
    await columnMustNotExist(c, 'public', 'a6_path', 'user_id');
  });
});

describe('refused up front', () => {
  it('a view reading the column through a composite row only (no column use to move)', async () => {
    await c.query(`
      CREATE TABLE a7_notes (id int PRIMARY KEY, user_id uuid);
      CREATE VIEW a7_v AS SELECT id FROM a7_notes WHERE (jsonb_populate_record(NULL::a7_notes, '{}')).user_id IS NULL;`);
    expect((await refusalOf(rename('a7_notes'))) ?? []).toEqual([expect.stringMatching(/a7_v/)]);
  });
});

// ───────────────────────────── found: shapes that do not hold today ─────────────────────────────

describe('a policy on another table whose subquery reads the renamed column', () => {
  it('is moved with its own table, and admits the same rows after the contract', async () => {
    await c.query(`
      CREATE TABLE b1_teams (id int PRIMARY KEY, user_id uuid);
      CREATE TABLE b1_docs (id int PRIMARY KEY, team_id int);
      ALTER TABLE b1_docs ENABLE ROW LEVEL SECURITY;
      CREATE POLICY team_docs ON b1_docs FOR SELECT TO authenticated
        USING (EXISTS (SELECT 1 FROM b1_teams t WHERE t.id = b1_docs.team_id AND t.user_id = auth.uid()));
      INSERT INTO b1_teams SELECT g, ${ownerOf()} FROM generate_series(1, 3) g;
      INSERT INTO b1_docs SELECT g, g % 3 + 1 FROM generate_series(1, 9) g;`);
    expect(await refusalOf(rename('b1_teams'))).toBeNull();
    // Moved on b1_docs, where it lives: the docs a person sees stay the same.
    await lifecycle(rename('b1_teams'), () => ['SELECT id FROM b1_docs ORDER BY id']);
  });
});

describe('a column alias list over the table (FROM t x(a, b, c)) in a view', () => {
  it('is refused at plan: the deparsed list grows with the expanded column, and its positions would not hold', async () => {
    await c.query(`
      CREATE TABLE b2_notes (id int PRIMARY KEY, user_id uuid, body text, tag text);
      INSERT INTO b2_notes SELECT g, ${ownerOf()}, CASE WHEN g % 4 = 0 THEN 'shared' ELSE 'b' END, CASE WHEN g % 3 = 0 THEN 'shared' ELSE 't' END
        FROM generate_series(1, 12) g;
      CREATE VIEW b2_v AS SELECT x.i, x.b FROM public.b2_notes x(i, u, b)
        WHERE x.b = 'shared' OR EXISTS (SELECT 1 FROM public.b2_notes m WHERE m.id = x.i AND m.user_id = '${ALICE}');`);
    expect((await refusalOf(rename('b2_notes')))?.join('\n')).toMatch(/b2_v, which names the columns of b2_notes by position/);
  });
});

describe('a view over a JOIN with an alias (… ) j', () => {
  it('reads the same rows and columns after the contract (or is refused at plan)', async () => {
    await c.query(`
      CREATE TABLE b3_notes (id int PRIMARY KEY, user_id uuid, body text, tag text);
      CREATE TABLE b3_teams (tid int, lead uuid, label text);
      INSERT INTO b3_notes SELECT g, ${ownerOf()}, 'body' || g, 'tag' || g FROM generate_series(1, 6) g;
      INSERT INTO b3_teams VALUES (1, '${ALICE}', 'a'), (2, '${BOB}', 'b');
      CREATE VIEW b3_v AS SELECT j.id, j.body, j.label FROM (b3_notes n JOIN b3_teams t ON n.user_id = t.lead) j;`);
    expect(await refusalOf(rename('b3_notes'))).toBeNull();
    await lifecycle(rename('b3_notes'), () => ['SELECT * FROM b3_v ORDER BY id']);
  });
});

describe('a field of the table’s row type, (… ::table).column, beside a plain use', () => {
  it('is refused at plan, rather than failing the drop at contract', async () => {
    await c.query(`
      CREATE TABLE b4_notes (id int PRIMARY KEY, user_id uuid);
      ALTER TABLE b4_notes ENABLE ROW LEVEL SECURITY;
      CREATE POLICY sel ON b4_notes FOR SELECT TO authenticated
        USING (user_id = auth.uid() AND (jsonb_populate_record(NULL::public.b4_notes, auth.jwt())).user_id IS NULL);
      INSERT INTO b4_notes SELECT g, ${ownerOf()} FROM generate_series(1, 6) g;`);
    expect((await refusalOf(rename('b4_notes')))?.join('\n')).toMatch(/used by policy sel, which selects user_id as a field of a row value/);
  });
});

describe('a rename keeps the column’s collation, so a policy comparing it admits the same rows', () => {
  it('code COLLATE "und-x-icu" < \'b\' admits the same rows once the policy reads the new column, which has the same collation', async () => {
    await c.query(`
      CREATE TABLE b5_codes (id int PRIMARY KEY, code text COLLATE "und-x-icu" NOT NULL);
      ALTER TABLE b5_codes ENABLE ROW LEVEL SECURITY;
      CREATE POLICY low ON b5_codes FOR SELECT TO authenticated USING (code < 'b');
      INSERT INTO b5_codes VALUES (1, 'a'), (2, 'B'), (3, 'c'), (4, 'A'), (5, 'Z');`);
    expect(await refusalOf(rename('b5_codes', 'code', 'code2'))).toBeNull();
    await lifecycle(rename('b5_codes', 'code', 'code2'), () => ['SELECT id FROM b5_codes ORDER BY id']);
  });
});

describe('a view whose CTE is named like the table, over which PostgreSQL 18 deparses the outer query unqualified', () => {
  it('is moved: its outer query reads only the CTE', async () => {
    await c.query(`
      CREATE TABLE b8_notes (id int PRIMARY KEY, user_id uuid NOT NULL, body text);
      INSERT INTO b8_notes SELECT g, ${ownerOf()}, CASE WHEN g % 5 = 0 THEN 'hidden' ELSE 'b' END FROM generate_series(1, 10) g;
      CREATE VIEW b8_cte AS WITH b8_notes AS (SELECT n.id, n.user_id FROM public.b8_notes n WHERE n.body <> 'hidden')
        SELECT b8_notes.id, b8_notes.user_id FROM b8_notes;
      CREATE VIEW b8_cte2 AS WITH c AS (SELECT user_id FROM b8_notes) SELECT user_id FROM c;`);
    await lifecycle(rename('b8_notes'), () => ['SELECT * FROM b8_cte ORDER BY id', 'SELECT * FROM b8_cte2 ORDER BY 1']);
  });
});
