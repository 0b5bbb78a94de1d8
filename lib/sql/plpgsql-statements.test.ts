import { describe, expect, it } from 'vitest';
import { EmbeddedCodeError, plpgsqlStatements, type EmbeddedCode } from './plpgsql-statements';

/** A statement as the test reads it: its node kind, then the tables and the columns it names. */
function summary(tree: unknown): string {
  const relations: string[] = [];
  const columns: string[] = [];
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (typeof n !== 'object' || n === null) return;
    for (const [key, value] of Object.entries(n)) {
      const v = value as Record<string, unknown>;
      // The relation of INSERT, UPDATE and DELETE is a RangeVar without its envelope.
      if (key === 'RangeVar' || (key === 'relation' && typeof v.relname === 'string')) relations.push(String(v.relname));
      if (key === 'ColumnRef') {
        columns.push((v.fields as Record<string, { sval?: string }>[]).map((f) => (f.String ? f.String.sval : '*')).join('.'));
      }
      visit(value);
    }
  };
  visit(tree);
  return `${Object.keys(tree as object)[0]} ${relations.join(',')} | ${columns.join(',')}`.trim();
}

async function found(code: EmbeddedCode) {
  const { statements, dynamic } = await plpgsqlStatements(code);
  return { statements: statements.map(summary), dynamic };
}

const doBlock = (body: string): EmbeddedCode => ({ kind: 'do', body });
const plpgsql = (source: string, definition?: string): EmbeddedCode => ({ kind: 'routine', language: 'plpgsql', source, definition });

describe('plpgsqlStatements', () => {
  it.each<{ name: string; code: EmbeddedCode; statements: string[]; dynamic?: boolean }>([
    {
      name: 'PERFORM runs as a SELECT',
      code: doBlock('BEGIN PERFORM user_email FROM leads; END'),
      statements: ['SelectStmt leads | user_email'],
    },
    {
      name: 'SELECT … INTO, without its INTO',
      code: doBlock('DECLARE v text; BEGIN SELECT user_email INTO v FROM leads WHERE id = 1; END'),
      statements: ['SelectStmt leads | user_email,id'],
    },
    {
      name: 'UPDATE, INSERT and DELETE statements',
      code: doBlock("BEGIN UPDATE leads SET contact_email = user_email; INSERT INTO audit (note) VALUES ('x'); DELETE FROM leads WHERE id = 0; END"),
      statements: ['UpdateStmt leads | user_email', 'InsertStmt audit |', 'DeleteStmt leads | id'],
    },
    {
      name: 'an assignment from a subquery: its target and its value',
      code: doBlock('DECLARE v text; BEGIN v := (SELECT user_email FROM leads LIMIT 1); END'),
      statements: ['SelectStmt  | v', 'SelectStmt leads | user_email'],
    },
    {
      name: 'an assignment with = and a subscripted target',
      code: doBlock('DECLARE a text[]; BEGIN a[(SELECT 1)] = (SELECT user_email FROM leads LIMIT 1); END'),
      statements: ['SelectStmt  | a', 'SelectStmt leads | user_email'],
    },
    {
      name: 'an assignment in the old FROM form',
      code: doBlock('DECLARE n int; BEGIN n := count(user_email) FROM leads; END'),
      statements: ['SelectStmt  | n', 'SelectStmt leads | user_email'],
    },
    {
      name: 'a DECLARE default',
      code: doBlock('DECLARE v text := (SELECT user_email FROM leads LIMIT 1); BEGIN NULL; END'),
      statements: ['SelectStmt leads | user_email'],
    },
    {
      name: 'IF, ELSIF, WHILE and EXIT WHEN conditions',
      code: doBlock(
        'BEGIN IF EXISTS (SELECT 1 FROM leads WHERE user_email IS NULL) THEN NULL; ELSIF (SELECT count(*) FROM orders) > 0 THEN NULL; END IF; WHILE (SELECT true) LOOP EXIT WHEN (SELECT user_email IS NULL FROM leads LIMIT 1); END LOOP; END',
      ),
      statements: ['SelectStmt leads | user_email', 'SelectStmt orders |', 'SelectStmt  |', 'SelectStmt leads | user_email'],
    },
    {
      name: 'CASE, RAISE arguments and ASSERT',
      code: doBlock(
        "BEGIN CASE (SELECT 1) WHEN 1 THEN NULL; ELSE NULL; END CASE; RAISE NOTICE '%', (SELECT user_email FROM leads LIMIT 1); ASSERT (SELECT true); END",
      ),
      // PL/pgSQL runs a CASE branch as a test of its own variable.
      statements: ['SelectStmt  |', 'SelectStmt  | __Case__Variable_1__', 'SelectStmt leads | user_email', 'SelectStmt  |'],
    },
    {
      name: 'FOR … IN query LOOP and the statements of its body',
      code: doBlock('DECLARE r record; BEGIN FOR r IN SELECT user_email FROM leads LOOP PERFORM r.user_email; END LOOP; END'),
      statements: ['SelectStmt  | r.user_email', 'SelectStmt leads | user_email'],
    },
    {
      name: 'an integer FOR loop and FOREACH',
      code: doBlock(
        'DECLARE x int; BEGIN FOR i IN 1..(SELECT count(*) FROM leads) LOOP NULL; END LOOP; FOREACH x IN ARRAY (SELECT array_agg(id) FROM leads) LOOP END LOOP; END',
      ),
      statements: ['SelectStmt  |', 'SelectStmt leads |', 'SelectStmt leads | id'],
    },
    {
      name: 'cursors: declared with a query, and opened for one',
      code: doBlock('DECLARE c CURSOR FOR SELECT user_email FROM leads; d refcursor; BEGIN OPEN c; OPEN d FOR SELECT contact_email FROM leads; END'),
      statements: ['SelectStmt leads | user_email', 'SelectStmt leads | contact_email'],
    },
    {
      name: 'a nested block and its exception handler',
      code: doBlock('BEGIN BEGIN PERFORM 1; EXCEPTION WHEN others THEN UPDATE leads SET user_email = NULL; END; END'),
      statements: ['SelectStmt  |', 'UpdateStmt leads |'],
    },
    {
      name: 'CALL of a procedure',
      code: doBlock('BEGIN CALL refresh_leads(1); END'),
      statements: ['CallStmt  |'],
    },
    {
      name: 'EXECUTE of a constant string is parsed',
      code: doBlock("BEGIN EXECUTE 'SELECT user_email FROM leads'; EXECUTE $q$UPDATE leads SET user_email = NULL$q$; END"),
      statements: ['SelectStmt  |', 'SelectStmt leads | user_email', 'SelectStmt  |', 'UpdateStmt leads |'],
    },
    {
      name: 'EXECUTE of a built string is dynamic',
      code: doBlock("DECLARE c text := 'user_email'; BEGIN EXECUTE format('SELECT %I FROM leads', c); END"),
      statements: ['SelectStmt  |', 'SelectStmt  | c'],
      dynamic: true,
    },
    {
      name: 'EXECUTE … USING: its parameters are expressions',
      code: doBlock("DECLARE v text; BEGIN EXECUTE 'SELECT 1 WHERE $1 IS NULL' INTO v USING (SELECT user_email FROM leads LIMIT 1); END"),
      statements: ['SelectStmt  |', 'SelectStmt  |', 'SelectStmt leads | user_email'],
    },
    {
      name: 'FOR … IN EXECUTE of a built string',
      code: doBlock("DECLARE r record; t text := 'leads'; BEGIN FOR r IN EXECUTE 'SELECT * FROM ' || t LOOP END LOOP; END"),
      statements: ['SelectStmt  |', 'SelectStmt  | t'],
      dynamic: true,
    },
    {
      name: 'OPEN … FOR EXECUTE of a constant',
      code: doBlock("DECLARE c refcursor; BEGIN OPEN c FOR EXECUTE 'SELECT user_email FROM leads'; END"),
      statements: ['SelectStmt  |', 'SelectStmt leads | user_email'],
    },
    {
      name: 'an EXECUTE whose string does not parse cannot be seen',
      code: doBlock("BEGIN EXECUTE 'SELEC user_email FROM leads'; END"),
      statements: ['SelectStmt  |'],
      dynamic: true,
    },
    {
      name: 'a trigger function from its source alone: NEW and OLD fields',
      code: plpgsql('BEGIN NEW.contact_email := lower(NEW.user_email); RETURN NEW; END'),
      statements: ['SelectStmt  | new.contact_email', 'SelectStmt  | new.user_email'],
    },
    {
      name: 'RETURN QUERY from its source alone',
      code: plpgsql('BEGIN RETURN QUERY SELECT user_email FROM leads; RETURN QUERY EXECUTE $1; END'),
      statements: ['SelectStmt leads | user_email', 'SelectStmt  |'],
      dynamic: true,
    },
    {
      name: 'a function with its definition: parameters, RETURN and RETURN NEXT',
      code: plpgsql(
        ' DECLARE v text; BEGIN n := (SELECT count(user_email) FROM leads WHERE id = p_id); RETURN; END ',
        'CREATE OR REPLACE FUNCTION public.lead_count(p_id integer, OUT n integer)\n RETURNS integer\n LANGUAGE plpgsql\nAS $function$ DECLARE v text; BEGIN n := (SELECT count(user_email) FROM leads WHERE id = p_id); RETURN; END $function$\n',
      ),
      statements: ['SelectStmt  | n', 'SelectStmt leads | user_email,id,p_id'],
    },
    {
      name: 'a procedure with its definition',
      code: plpgsql(
        ' BEGIN UPDATE leads SET user_email = NULL WHERE id = a; COMMIT; END ',
        'CREATE OR REPLACE PROCEDURE public.clear(IN a integer)\n LANGUAGE plpgsql\nAS $procedure$ BEGIN UPDATE leads SET user_email = NULL WHERE id = a; COMMIT; END $procedure$\n',
      ),
      statements: ['UpdateStmt leads | id,a'],
    },
    {
      name: 'an SQL function: its prosrc statements',
      code: { kind: 'routine', language: 'sql', source: 'UPDATE leads SET seen = true WHERE id = $1; SELECT user_email FROM leads WHERE id = $1' },
      statements: ['UpdateStmt leads | id', 'SelectStmt leads | user_email,id'],
    },
    {
      name: 'an SQL function with a BEGIN ATOMIC body',
      code: {
        kind: 'routine',
        language: 'sql',
        source: '',
        definition:
          'CREATE OR REPLACE FUNCTION public.emails()\n RETURNS bigint\n LANGUAGE sql\nBEGIN ATOMIC\n SELECT count(leads.user_email) AS count\n    FROM public.leads;\n SELECT 1;\nEND',
      },
      statements: ['SelectStmt leads | leads.user_email', 'SelectStmt  |'],
    },
    {
      name: 'an SQL function with a RETURN body',
      code: {
        kind: 'routine',
        language: 'sql',
        source: '',
        definition: 'CREATE FUNCTION public.first_email() RETURNS text LANGUAGE sql RETURN (SELECT user_email FROM public.leads LIMIT 1)',
      },
      statements: ['ReturnStmt leads | user_email'],
    },
    {
      name: 'another language: nothing can be seen',
      code: { kind: 'routine', language: 'plpython3u', source: "plpy.execute('SELECT user_email FROM leads')" },
      statements: [],
      dynamic: true,
    },
    {
      name: 'a DO block in another language',
      code: { kind: 'do', body: "plpy.execute('SELECT 1')", language: 'plpython3u' },
      statements: [],
      dynamic: true,
    },
  ])('$name', async ({ code, statements, dynamic }) => {
    expect(await found(code)).toEqual({ statements, dynamic: dynamic ?? false });
  });

  it('refuses code that does not compile, with the compiler reason', async () => {
    const error = await plpgsqlStatements(doBlock('BEGIN PERFORM (; END')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddedCodeError);
    expect((error as EmbeddedCodeError).reason).toMatch(/parenthes|syntax/);
    await expect(plpgsqlStatements({ kind: 'routine', language: 'sql', source: 'SELEC 1' })).rejects.toBeInstanceOf(EmbeddedCodeError);
  });

  it('keeps a body safe from its own dollar quotes', async () => {
    expect(await found(doBlock("BEGIN PERFORM $$x$$ || user_email FROM leads; EXECUTE 'SELECT 1'; END"))).toEqual({
      statements: ['SelectStmt leads | user_email', 'SelectStmt  |', 'SelectStmt  |'],
      dynamic: false,
    });
  });
});
