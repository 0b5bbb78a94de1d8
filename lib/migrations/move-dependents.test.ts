import { describe, expect, it } from 'vitest';
import { planOperation } from './plan-operation';
import { moveDependentsSql, restoreDependentsSql, rewriteUses, type MoveTarget } from './move-dependents';
import type { ColumnUses, DependentRewrite, SchemaSnapshot, TableInfo } from './schema';

/** Uses as the locator finds them (lib/sql/locate-column-uses.ts), given here by the text they cover. */
function usesOf(text: string, uses: string[], aliasAfter: string[] = []): ColumnUses {
  let from = 0;
  const located = uses.map((u) => {
    const start = text.indexOf(u, from);
    from = start + u.length;
    return { start, end: start + u.length, qualifier: u.includes('.') ? u.slice(0, u.lastIndexOf('.') + 1) : '' };
  });
  return { text, uses: located, aliases: aliasAfter.map((u) => text.indexOf(u) + u.length) };
}

const rename: MoveTarget = { schema: 'public', table: 'notes', oldColumn: 'user_id', replacement: (q) => `${q}"owner_id"` };

describe('rewriteUses', () => {
  it('replaces each use and keeps output names, whatever the order of edits', () => {
    const view = usesOf(' SELECT n.id,\n    n.user_id\n   FROM public.notes n\n  WHERE (n.user_id IS NOT NULL);', ['n.user_id', 'n.user_id'], ['n.user_id']);
    expect(rewriteUses(view, rename.replacement, 'user_id')).toBe(
      ' SELECT n.id,\n    n."owner_id" AS "user_id"\n   FROM public.notes n\n  WHERE (n."owner_id" IS NOT NULL);',
    );
  });

  it('leaves text around multi-byte characters intact', () => {
    const policy = usesOf("((body <> 'Grüße 🎉'::text) AND (user_id = auth.uid()))", ['user_id']);
    expect(rewriteUses(policy, rename.replacement, 'user_id')).toBe('((body <> \'Grüße 🎉\'::text) AND ("owner_id" = auth.uid()))');
  });
});

describe('moveDependentsSql and restoreDependentsSql', () => {
  const policy: DependentRewrite = {
    kind: 'policy',
    schema: 'public',
    table: 'notes',
    name: 'own',
    using: usesOf('(auth.uid() = user_id)', ['user_id']),
    withCheck: usesOf('(true)', []),
  };
  const view: DependentRewrite = {
    kind: 'view',
    schema: 'api',
    name: "it's",
    query: usesOf(' SELECT user_id\n   FROM public.notes;', ['user_id'], ['user_id']),
    options: ['security_invoker=true', 'check_option=local'],
  };

  it('checks every one unchanged since the plan, then rewrites only the clauses that use the column', () => {
    const [check, alter, create] = moveDependentsSql(rename, [policy, view]);
    expect(check).toContain("PERFORM set_config('search_path', 'pg_catalog', true);");
    expect(check).toContain("AND pg_get_expr(polqual, polrelid) IS NOT DISTINCT FROM '(auth.uid() = user_id)'");
    expect(check).toContain("AND pg_get_expr(polwithcheck, polrelid) IS NOT DISTINCT FROM '(true)'");
    expect(check).toContain(`to_regclass('"api"."it''s"')`);
    expect(check).toContain(`coalesce(reloptions, '{}') = '{"security_invoker=true","check_option=local"}'::text[]`);
    // The search path is put back for the statements that follow in the same transaction.
    expect(check).toContain("PERFORM set_config('search_path', saved, true);");
    expect(alter).toBe('ALTER POLICY "own" ON "public"."notes" USING ((auth.uid() = "owner_id"))');
    expect(create).toBe(
      `CREATE OR REPLACE VIEW "api"."it's" WITH ("security_invoker" = 'true', "check_option" = 'local') AS\nSELECT "owner_id" AS "user_id"\n   FROM public.notes`,
    );
  });

  it('restores the texts as planned, once each is found as the contract left it', () => {
    const [check, ...statements] = restoreDependentsSql(rename, [policy, view]);
    // Each rewrite is applied again in a subtransaction, read and rolled back: what the contract left, to compare.
    expect(check).toContain(`EXECUTE 'ALTER POLICY "own" ON "public"."notes" USING ((auth.uid() = "owner_id"))';`);
    expect(check).toContain("RAISE EXCEPTION 'ec: probe done';");
    expect(check).toContain('IF found_def IS DISTINCT FROM contracted_def THEN');
    expect(statements).toEqual([
      'ALTER POLICY "own" ON "public"."notes" USING ((auth.uid() = user_id))',
      `CREATE OR REPLACE VIEW "api"."it's" WITH ("security_invoker" = 'true', "check_option" = 'local') AS\nSELECT user_id\n   FROM public.notes`,
    ]);
  });

  it('has nothing to do when nothing moves', () => {
    expect(moveDependentsSql(rename, [])).toEqual([]);
  });
});

describe('a type change reads the new column back through the reverse mapping, as the old type', () => {
  const table: TableInfo = {
    schema: 'public',
    name: 'tickets',
    columns: [
      { name: 'id', type: 'bigint', nullable: false, defaultExpression: null, position: 1, identity: '', generated: '' },
      { name: 'prio', type: 'text', nullable: true, defaultExpression: null, position: 2, identity: '', generated: '' },
    ],
    primaryKey: ['id'],
    estimatedRows: 10,
    totalBytes: 8192,
    rlsEnabled: true,
    dependents: [
      {
        column: 'prio',
        kind: 'policy',
        name: 'visible',
        definition: "USING ((prio <> 'hidden'::text))",
        rewrite: { kind: 'policy', schema: 'public', table: 'tickets', name: 'visible', using: usesOf("(prio <> 'hidden'::text)", ['prio']), withCheck: null },
      },
    ],
  };
  const snapshot: SchemaSnapshot = { schemas: ['public'], tables: [table] };
  const spec = {
    kind: 'change-type',
    schema: 'public',
    table: 'tickets',
    column: 'prio',
    newColumn: 'prio_n',
    newType: 'integer',
    forward: "CASE {{old}} WHEN 'hidden' THEN 0 ELSE 1 END",
    reverse: "CASE {{new}} WHEN 0 THEN 'hidden' ELSE 'shown' END",
  } as const;

  it('moves the policy in the contract, and names it in the notes', () => {
    const plan = planOperation(spec, snapshot);
    const drop = plan.steps.find((s) => s.phase === 'contract' && s.sql.includes('DROP COLUMN'))!;
    expect(drop.sql).toContain(
      `ALTER POLICY "visible" ON "public"."tickets" USING ((CAST((CASE "prio_n" WHEN 0 THEN 'hidden' ELSE 'shown' END) AS text) <> 'hidden'::text))`,
    );
    expect(plan.notes).toContainEqual(expect.stringMatching(/^policy "visible" uses prio: the contract rewrites it to use prio_n/));
  });

  it('is refused as before where the policy was not read for moving, or could not be', () => {
    const unread = { ...table, dependents: [{ ...table.dependents[0]!, rewrite: undefined }] };
    expect(() => planOperation(spec, { ...snapshot, tables: [unread] })).toThrow(/used by policy visible/);
    const unclear = { ...table, dependents: [{ ...table.dependents[0]!, rewrite: { refused: 'joins tickets NATURAL', advice: 'join with ON' } }] };
    expect(() => planOperation(spec, { ...snapshot, tables: [unclear] })).toThrow(/used by policy visible, which joins tickets NATURAL/);
  });
});
