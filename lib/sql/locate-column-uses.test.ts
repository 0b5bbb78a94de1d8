import { describe, expect, it } from 'vitest';
import type { ColumnUses } from '../migrations/schema';
import { locateColumnUses, type LocateColumnUsesInput } from './locate-column-uses';

const on = { schema: 'public', table: 'leads', column: 'user_id' };

async function found(input: Omit<LocateColumnUsesInput, keyof typeof on>): Promise<ColumnUses> {
  const result = await locateColumnUses({ ...on, ...input });
  if ('refused' in result) throw new Error(`refused: ${result.refused}`);
  return result;
}

/** The text of each use, with its qualifier, and the text of the line each alias point ends. */
const picked = (r: ColumnUses) => ({
  uses: r.uses.map((u) => [r.text.slice(u.start, u.end), u.qualifier]),
  aliasesAfter: r.aliases.map((a) => r.text.slice(r.text.lastIndexOf('\n', a - 1) + 1, a).trim()),
});

describe('locateColumnUses', () => {
  // Definitions as pg_get_expr / pg_get_viewdef print them with only pg_catalog on the search path (PG 15 and 18).
  const cases: { name: string; kind: 'expression' | 'query'; text: string; uses: [string, string][]; aliasesAfter: string[] }[] = [
    { name: 'a policy comparing the column', kind: 'expression', text: '(auth.uid() = user_id)', uses: [['user_id', '']], aliasesAfter: [] },
    {
      name: 'a policy whose subquery names the table, beside a same-named column of another',
      kind: 'expression',
      text: "(EXISTS ( SELECT 1\n   FROM public.members m\n  WHERE ((m.user_id = leads.user_id) AND (m.role = 'é'::text))))",
      uses: [['leads.user_id', 'leads.']],
      aliasesAfter: [],
    },
    {
      name: 'a view on PostgreSQL 15 (qualified)',
      kind: 'query',
      text: ' SELECT leads.id,\n    leads.user_id\n   FROM public.leads\n  WHERE (leads.user_id IS NOT NULL);',
      uses: [
        ['leads.user_id', 'leads.'],
        ['leads.user_id', 'leads.'],
      ],
      aliasesAfter: ['leads.user_id'],
    },
    {
      name: 'a view on PostgreSQL 18 (bare)',
      kind: 'query',
      text: ' SELECT id,\n    user_id\n   FROM public.leads\n  WHERE (user_id IS NOT NULL);',
      uses: [
        ['user_id', ''],
        ['user_id', ''],
      ],
      aliasesAfter: ['user_id'],
    },
    {
      name: 'a self-join: both sides are the table',
      kind: 'query',
      text: ' SELECT l.id,\n    m.user_id AS mu,\n    l.user_id\n   FROM (public.leads l\n     JOIN public.leads m ON ((m.id = l.id)));',
      uses: [
        ['m.user_id', 'm.'],
        ['l.user_id', 'l.'],
      ],
      aliasesAfter: ['l.user_id'],
    },
    {
      name: 'a join with another table that has the column too',
      kind: 'query',
      text: ' SELECT l.id,\n    o.user_id AS owner,\n    l.user_id\n   FROM (public.leads l\n     JOIN public.owners o ON ((o.id = l.id)));',
      uses: [['l.user_id', 'l.']],
      aliasesAfter: ['l.user_id'],
    },
    {
      name: 'a subquery in FROM keeps its output name, so the outer reference still holds',
      kind: 'query',
      text: ' SELECT x.user_id\n   FROM ( SELECT leads.user_id\n           FROM public.leads) x;',
      uses: [['leads.user_id', 'leads.']],
      aliasesAfter: ['FROM ( SELECT leads.user_id'],
    },
    {
      name: 'the ORDER BY of a UNION names output columns',
      kind: 'query',
      text: ' SELECT leads.user_id\n   FROM public.leads\nUNION\n SELECT owners.user_id\n   FROM public.owners\n  ORDER BY 1;',
      uses: [['leads.user_id', 'leads.']],
      aliasesAfter: ['SELECT leads.user_id'],
    },
  ];
  for (const c of cases) {
    it(`finds the uses in ${c.name}`, async () => {
      expect(picked(await found({ kind: c.kind, text: c.text }))).toEqual({ uses: c.uses, aliasesAfter: c.aliasesAfter });
    });
  }

  it('keeps offsets right after multi-byte characters', async () => {
    const r = await found({ kind: 'expression', text: "((note = 'Grüße 🎉'::text) AND (user_id = auth.uid()))" });
    expect(r.uses.map((u) => r.text.slice(u.start, u.end))).toEqual(['user_id']);
  });

  it('leaves a bare name in a query over one other relation alone: it is that relation’s column', async () => {
    const r = await found({ kind: 'expression', text: '(EXISTS ( SELECT 1\n   FROM public.members\n  WHERE (user_id = auth.uid())))' });
    expect(r.uses).toEqual([]);
    const cte = await found({
      kind: 'query',
      text: ' WITH c AS (\n         SELECT leads.user_id\n           FROM public.leads\n        )\n SELECT user_id\n   FROM c;',
    });
    expect(cte.uses.map((u) => cte.text.slice(u.start, u.end))).toEqual(['leads.user_id']);
  });

  it('reads a policy on another table from that table: its bare names are its own', async () => {
    const r = await found({
      kind: 'expression',
      text: '(EXISTS ( SELECT 1\n   FROM public.leads t\n  WHERE ((t.id = docs.lead_id) AND (t.user_id = auth.uid()))))',
      root: { schema: 'public', table: 'docs' },
    });
    expect(r.uses.map((u) => r.text.slice(u.start, u.end))).toEqual(['t.user_id']);
  });

  it('finds a quoted column name', async () => {
    const r = await locateColumnUses({ schema: 'public', table: 'Leads', column: 'User Id', kind: 'expression', text: '(auth.uid() = "User Id")' });
    expect('uses' in r && r.uses.map((u) => r.text.slice(u.start, u.end))).toEqual(['"User Id"']);
  });

  const unclear: { name: string; kind: 'expression' | 'query'; text: string; refused: RegExp }[] = [
    {
      name: 'a bare use in a query that reads the table and another relation',
      kind: 'query',
      // The catalog qualifies such a use; text that does not cannot be told apart.
      text: ' SELECT user_id\n   FROM public.leads,\n    public.owners;',
      refused: /without naming its table/,
    },
    {
      name: 'an alias list over the table',
      kind: 'query',
      text: ' SELECT x.u\n   FROM public.leads x(i, u);',
      refused: /names the columns of leads by position/,
    },
    {
      name: 'a field of a row value',
      kind: 'expression',
      text: '((jsonb_populate_record(NULL::public.leads, auth.jwt())).user_id IS NULL)',
      refused: /as a field of a row value/,
    },
    {
      name: 'a JOIN … USING on the column',
      kind: 'query',
      text: ' SELECT l.id\n   FROM (public.leads l\n     JOIN public.owners o USING (user_id));',
      refused: /USING \(user_id\)/,
    },
    { name: 'a NATURAL JOIN', kind: 'query', text: ' SELECT l.id\n   FROM (public.leads l\n     NATURAL JOIN public.owners o);', refused: /NATURAL/ },
    { name: 'an unknown qualifier', kind: 'expression', text: '(zz.user_id = auth.uid())', refused: /zz names no relation/ },
  ];
  for (const c of unclear) {
    it(`refuses ${c.name}, with advice`, async () => {
      const r = await locateColumnUses({ ...on, kind: c.kind, text: c.text });
      expect(r).toMatchObject({ refused: expect.stringMatching(c.refused), advice: expect.any(String) });
    });
  }
});
