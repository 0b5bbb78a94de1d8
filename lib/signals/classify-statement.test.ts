import { describe, expect, it } from 'vitest';
import { parseSql } from '../sql/parse-sql';
import { classifyStatement, type ClassifyOptions, type ColumnTarget, type Usage } from './classify-statement';

const TARGET: ColumnTarget = { schema: 'public', table: 'leads', column: 'user_email' };

const NONE: Usage = { reads: false, writes: false, star: false };
const READ: Usage = { reads: true, writes: false, star: false };
const WRITE: Usage = { reads: false, writes: true, star: false };
const READ_WRITE: Usage = { reads: true, writes: true, star: false };
const STAR: Usage = { reads: true, writes: false, star: true };

async function classifyWith(sql: string, options: ClassifyOptions): Promise<Usage> {
  const { statements } = await parseSql(sql);
  expect(statements).toHaveLength(1);
  return classifyStatement(statements[0]!.stmt, TARGET, options);
}

const classify = (sql: string, searchPath?: string[]) => classifyWith(sql, searchPath ? { searchPath } : {});

describe('classifyStatement', () => {
  it.each<{ name: string; sql: string; expected: Usage; searchPath?: string[] }>([
    // SELECT basics
    { name: 'a sampled lookup', sql: 'SELECT user_email FROM leads WHERE id = $1', expected: READ },
    { name: 'only the new column', sql: 'SELECT id, contact_email FROM leads WHERE id = $1', expected: NONE },
    { name: 'the column in WHERE only', sql: 'SELECT id FROM leads WHERE user_email = $1', expected: READ },
    { name: 'through an alias', sql: 'SELECT l.user_email FROM leads l WHERE l.id = $1', expected: READ },
    { name: 'an alias, other columns only', sql: 'SELECT l.id FROM leads AS l WHERE l.contact_email = $1', expected: NONE },
    { name: 'qualified by the table name', sql: 'SELECT leads.user_email FROM leads', expected: READ },
    { name: 'qualified by schema and table', sql: 'SELECT public.leads.user_email FROM public.leads', expected: READ },
    { name: 'quoted names in their catalog case', sql: 'SELECT "user_email" FROM "public"."leads"', expected: READ },
    { name: 'unquoted upper case folds to lower case', sql: 'SELECT USER_EMAIL FROM PUBLIC.LEADS', expected: READ },
    { name: 'a quoted "Leads" is another table', sql: 'SELECT user_email FROM "public"."Leads"', expected: NONE },
    { name: 'a leads table in another schema', sql: 'SELECT user_email FROM other.leads', expected: NONE },
    {
      name: "the other schema's leads named by schema",
      sql: 'SELECT other.leads.user_email FROM public.leads, other.leads WHERE other.leads.id = public.leads.id',
      expected: NONE,
    },
    { name: "another table's user_email", sql: 'SELECT user_email FROM customers', expected: NONE },
    { name: 'a string literal', sql: "SELECT id FROM leads WHERE note = 'user_email'", expected: NONE },
    { name: 'an output alias named user_email, also in ORDER BY', sql: 'SELECT email AS user_email FROM leads ORDER BY user_email', expected: NONE },
    { name: 'ORDER BY the column', sql: 'SELECT id FROM leads ORDER BY user_email DESC NULLS LAST', expected: READ },
    { name: 'GROUP BY and HAVING', sql: 'SELECT count(*) FROM leads GROUP BY lower(user_email) HAVING count(*) > $1', expected: READ },
    { name: 'a window partition', sql: 'SELECT row_number() OVER (PARTITION BY user_email ORDER BY id) FROM leads', expected: READ },
    { name: 'CASE and COALESCE arguments', sql: 'SELECT CASE WHEN id > $1 THEN COALESCE(contact_email, user_email) END FROM leads', expected: READ },
    { name: 'a JSON builder argument', sql: "SELECT jsonb_build_object('email', user_email) FROM leads WHERE id = $1", expected: READ },
    { name: 'a JSON key that is only a string', sql: "SELECT data ->> 'user_email' FROM leads WHERE (data -> 'user_email') IS NOT NULL", expected: NONE },
    { name: 'count(*) reads no column', sql: 'SELECT count(*) FROM leads', expected: NONE },
    { name: 'not about leads at all', sql: 'SELECT 1', expected: NONE },
    { name: 'a search path without the target schema', sql: 'SELECT user_email FROM leads', expected: NONE, searchPath: ['app'] },
    { name: 'a search path with the target schema second', sql: 'SELECT user_email FROM leads', expected: READ, searchPath: ['app', 'public'] },

    // stars and whole rows
    { name: 'SELECT *', sql: 'SELECT * FROM leads WHERE id = $1', expected: STAR },
    { name: 'SELECT * with the column in WHERE is a named read', sql: 'SELECT * FROM leads WHERE user_email = $1', expected: READ },
    { name: 'alias.*', sql: 'SELECT l.*, c.name FROM leads l JOIN customers c ON c.id = l.customer_id', expected: STAR },
    { name: "another table's star", sql: 'SELECT c.* FROM leads l JOIN customers c ON c.id = l.customer_id', expected: NONE },
    { name: 'a whole-row reference', sql: 'SELECT to_jsonb(l) FROM leads l WHERE l.id = $1', expected: STAR },
    {
      name: 'SELECT * inside EXISTS returns nothing',
      sql: 'SELECT c.id FROM customers c WHERE EXISTS (SELECT * FROM leads l WHERE l.id = c.lead_id)',
      expected: NONE,
    },
    { name: 'column aliases by position', sql: 'SELECT a FROM leads AS l(a, b)', expected: STAR },

    // joins and subqueries
    {
      name: 'an unqualified column with two tables in scope counts',
      sql: 'SELECT user_email, name FROM leads JOIN customers USING (customer_id)',
      expected: READ,
    },
    { name: "the joined table's user_email, qualified", sql: 'SELECT c.user_email FROM leads l JOIN customers c ON c.id = l.customer_id', expected: NONE },
    { name: 'JOIN … USING (user_email)', sql: 'SELECT l.id FROM leads l JOIN customers c USING (user_email)', expected: READ },
    { name: 'an aliased join', sql: 'SELECT j.user_email FROM (leads JOIN customers c ON c.id = leads.customer_id) AS j', expected: READ },
    {
      name: 'a correlated subquery reads the table',
      sql: 'SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM leads l WHERE l.user_email = c.email)',
      expected: READ,
    },
    {
      name: 'a subquery reads the outer row',
      sql: 'SELECT l.id FROM leads l WHERE EXISTS (SELECT 1 FROM orders o WHERE o.lead_id = l.id AND o.email = l.user_email)',
      expected: READ,
    },
    {
      name: 'an inner alias shadows the outer one',
      sql: 'SELECT l.id FROM leads l WHERE EXISTS (SELECT 1 FROM customers l WHERE l.user_email = $1)',
      expected: NONE,
    },
    { name: 'a scalar subquery', sql: 'SELECT o.id, (SELECT user_email FROM leads WHERE id = o.lead_id) FROM orders o', expected: READ },
    { name: 'IN (subquery)', sql: 'SELECT * FROM customers WHERE email IN (SELECT user_email FROM leads)', expected: READ },
    { name: 'a FROM subquery passing * on, then naming the column', sql: 'SELECT x.user_email FROM (SELECT * FROM leads) x', expected: READ },
    { name: 'a FROM subquery passing * on, nothing named', sql: 'SELECT x.id FROM (SELECT * FROM leads) x', expected: STAR },
    {
      name: "a FROM subquery's own user_email",
      sql: 'SELECT s.user_email, l.id FROM leads l JOIN (SELECT lead_id, email AS user_email FROM customers) s ON s.lead_id = l.id',
      expected: NONE,
    },
    {
      name: 'a non-lateral FROM subquery does not see the table beside it',
      sql: 'SELECT l.id, c.user_email FROM leads l, (SELECT user_email FROM customers) c',
      expected: NONE,
    },
    {
      name: "a subquery's known output column hides the outer table's",
      sql: 'SELECT l.id FROM leads l WHERE l.contact_email IN (SELECT user_email FROM (SELECT email AS user_email FROM customers) c)',
      expected: NONE,
    },
    { name: 'NATURAL JOIN may join on the column', sql: 'SELECT id FROM leads NATURAL JOIN customers', expected: READ },
    { name: 'a LATERAL subquery', sql: 'SELECT x.n FROM leads l, LATERAL (SELECT length(l.user_email) AS n) x', expected: READ },

    // CTEs and set operations
    { name: 'a CTE reading the table', sql: 'WITH recent AS (SELECT user_email FROM leads WHERE created_at > $1) SELECT count(*) FROM recent', expected: READ },
    { name: 'a CTE named leads from elsewhere', sql: 'WITH leads AS (SELECT email AS user_email FROM customers) SELECT user_email FROM leads', expected: NONE },
    {
      name: 'a CTE named leads beside the qualified table',
      sql: 'WITH leads AS (SELECT 1 AS id) SELECT p.user_email FROM public.leads p JOIN leads ON leads.id = p.id',
      expected: READ,
    },
    { name: 'a CTE passing * on', sql: 'WITH l AS (SELECT * FROM leads) SELECT id FROM l', expected: STAR },
    { name: 'a CTE passing * on, then naming the column', sql: 'WITH l AS (SELECT * FROM leads) SELECT user_email FROM l', expected: READ },
    {
      name: 'a data-modifying CTE',
      sql: 'WITH moved AS (UPDATE leads SET contact_email = user_email WHERE contact_email IS NULL RETURNING id) SELECT count(*) FROM moved',
      expected: READ,
    },
    { name: 'UNION ALL', sql: 'SELECT email FROM customers UNION ALL SELECT user_email FROM leads', expected: READ },
    {
      name: "a UNION's ORDER BY names its output",
      sql: 'SELECT user_email FROM customers UNION SELECT contact_email FROM leads ORDER BY user_email',
      expected: NONE,
    },
    {
      name: "a nested UNION's ORDER BY names its output, not the outer table's column",
      sql: 'SELECT l.id FROM leads l WHERE l.contact_email IN (SELECT email AS user_email FROM customers UNION SELECT email FROM staged ORDER BY user_email)',
      expected: NONE,
    },

    // INSERT
    { name: 'INSERT naming the column', sql: 'INSERT INTO leads (id, user_email) VALUES ($1, $2)', expected: WRITE },
    { name: 'INSERT naming the new column only', sql: 'INSERT INTO leads (id, contact_email) VALUES ($1, $2)', expected: NONE },
    { name: 'INSERT without a column list', sql: 'INSERT INTO leads VALUES ($1, $2, $3)', expected: WRITE },
    {
      name: 'INSERT into the table under a CTE of the same name',
      sql: 'WITH leads AS (SELECT 1 AS id) INSERT INTO leads (id, user_email) VALUES ($1, $2)',
      expected: WRITE,
    },
    { name: 'INSERT DEFAULT VALUES', sql: 'INSERT INTO leads DEFAULT VALUES', expected: NONE },
    { name: 'INSERT … SELECT from the table', sql: 'INSERT INTO archive (id, email) SELECT id, user_email FROM leads WHERE id = $1', expected: READ },
    { name: 'INSERT … SELECT from another table', sql: 'INSERT INTO leads (id, user_email) SELECT id, user_email FROM customers', expected: WRITE },
    { name: 'INSERT … RETURNING the column', sql: 'INSERT INTO leads (id, contact_email) VALUES ($1, $2) RETURNING user_email', expected: READ },
    { name: 'INSERT … RETURNING *', sql: 'INSERT INTO leads (id, contact_email) VALUES ($1, $2) RETURNING *', expected: STAR },
    { name: 'ON CONFLICT on the column', sql: 'INSERT INTO leads (id, contact_email) VALUES ($1, $2) ON CONFLICT (user_email) DO NOTHING', expected: READ },
    {
      name: 'ON CONFLICT DO UPDATE SET the column',
      sql: 'INSERT INTO leads (id, contact_email) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET user_email = EXCLUDED.contact_email',
      expected: WRITE,
    },
    {
      name: 'ON CONFLICT DO UPDATE reading EXCLUDED.user_email',
      sql: 'INSERT INTO leads (id, contact_email) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET contact_email = EXCLUDED.user_email',
      expected: READ,
    },
    {
      name: 'ON CONFLICT DO UPDATE reading EXCLUDED and the row',
      sql: 'INSERT INTO leads AS l (id, user_email) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET contact_email = excluded.contact_email WHERE l.user_email IS NULL',
      expected: READ_WRITE,
    },

    // UPDATE, DELETE, MERGE, COPY
    { name: 'UPDATE SET the column', sql: 'UPDATE leads SET user_email = $1 WHERE id = $2', expected: WRITE },
    { name: 'UPDATE reading it in SET', sql: 'UPDATE leads SET contact_email = lower(user_email) WHERE contact_email IS NULL', expected: READ },
    { name: 'UPDATE reading it in WHERE', sql: 'UPDATE leads SET contact_email = $1 WHERE user_email = $2', expected: READ },
    { name: 'UPDATE … FROM', sql: 'UPDATE leads l SET contact_email = c.email FROM customers c WHERE c.email = l.user_email', expected: READ },
    { name: 'UPDATE SET (a, b) = (…)', sql: 'UPDATE leads SET (contact_email, user_email) = ($1, $2) WHERE id = $3', expected: WRITE },
    { name: "UPDATE of another table's user_email", sql: 'UPDATE customers SET user_email = $1 WHERE id = $2', expected: NONE },
    { name: 'UPDATE … RETURNING old.user_email', sql: 'UPDATE leads SET contact_email = $1 WHERE id = $2 RETURNING old.user_email', expected: READ },
    { name: 'DELETE by the column', sql: 'DELETE FROM leads WHERE user_email = $1', expected: READ },
    { name: 'DELETE by id', sql: 'DELETE FROM leads WHERE id = $1', expected: NONE },
    { name: 'DELETE … USING', sql: 'DELETE FROM leads l USING customers c WHERE c.email = l.user_email', expected: READ },
    { name: "DELETE … USING another table's user_email", sql: 'DELETE FROM leads USING customers c WHERE c.user_email = leads.contact_email', expected: NONE },
    { name: 'DELETE … RETURNING *', sql: 'DELETE FROM leads WHERE id = $1 RETURNING *', expected: STAR },
    {
      name: 'MERGE … UPDATE SET the column',
      sql: 'MERGE INTO leads l USING staged s ON l.id = s.id WHEN MATCHED THEN UPDATE SET user_email = s.email WHEN NOT MATCHED THEN INSERT (id, contact_email) VALUES (s.id, s.email)',
      expected: WRITE,
    },
    { name: 'MERGE joining on the column', sql: 'MERGE INTO leads l USING staged s ON l.user_email = s.email WHEN MATCHED THEN DELETE', expected: READ },
    {
      name: 'MERGE … INSERT without a column list',
      sql: 'MERGE INTO leads l USING staged s ON l.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.email)',
      expected: WRITE,
    },
    { name: 'COPY TO with the column', sql: 'COPY leads (id, user_email) TO STDOUT', expected: READ },
    { name: 'COPY FROM without a column list', sql: 'COPY leads FROM STDIN', expected: WRITE },
    { name: 'COPY TO without a column list', sql: 'COPY leads TO STDOUT', expected: STAR },
    { name: 'COPY FROM without the column', sql: 'COPY leads (id, contact_email) FROM STDIN', expected: NONE },
    { name: 'EXPLAIN of a read', sql: 'EXPLAIN SELECT user_email FROM leads', expected: READ },
  ])('$name', async ({ sql, expected, searchPath }) => {
    expect(await classify(sql, searchPath)).toEqual(expected);
  });

  describe('views and functions built on the column', () => {
    const options: ClassifyOptions = {
      searchPath: ['public'],
      readers: [
        { schema: 'public', name: 'lead_emails' },
        { schema: 'reports', name: 'lead_stats' },
      ],
      readerFunctions: [
        { schema: 'public', name: 'lead_count' },
        { schema: 'reports', name: 'refresh_leads' },
      ],
    };
    it.each<{ name: string; sql: string; expected: Usage }>([
      { name: 'count(*) of a view that selects the column', sql: 'SELECT count(*) FROM lead_emails', expected: READ },
      { name: 'the view qualified', sql: 'SELECT id FROM public.lead_emails WHERE id = $1', expected: READ },
      { name: 'the view joined', sql: 'SELECT c.id FROM customers c JOIN lead_emails e ON e.id = c.lead_id', expected: READ },
      { name: 'the view in a subquery', sql: 'SELECT id FROM customers WHERE EXISTS (SELECT 1 FROM lead_emails WHERE id = customers.lead_id)', expected: READ },
      { name: 'the view in a CTE', sql: 'WITH e AS (SELECT id FROM lead_emails) SELECT count(*) FROM e', expected: READ },
      { name: 'an update through the view', sql: 'UPDATE lead_emails SET note = $1 WHERE id = $2', expected: READ },
      { name: 'COPY of the view', sql: 'COPY (SELECT * FROM lead_emails) TO STDOUT', expected: READ },
      { name: 'a reader in a schema off the search path, unqualified', sql: 'SELECT count(*) FROM lead_stats', expected: NONE },
      { name: 'a reader in another schema, qualified', sql: 'SELECT count(*) FROM reports.lead_stats', expected: READ },
      { name: 'a view of the same name in another schema', sql: 'SELECT count(*) FROM other.lead_emails', expected: NONE },
      { name: 'a CTE named like the view', sql: 'WITH lead_emails AS (SELECT 1 AS id) SELECT id FROM lead_emails', expected: NONE },
      { name: 'a call of a function that reads the column', sql: 'SELECT lead_count()', expected: READ },
      { name: 'the function qualified, in WHERE', sql: 'SELECT id FROM customers WHERE public.lead_count($1) > 0', expected: READ },
      { name: 'the function in FROM', sql: 'SELECT * FROM lead_count() AS n', expected: READ },
      { name: 'the function as an argument', sql: 'SELECT coalesce(lead_count(), 0)', expected: READ },
      { name: 'a procedure CALL', sql: 'CALL reports.refresh_leads()', expected: READ },
      { name: 'a function of the same name in another schema', sql: 'SELECT other.lead_count()', expected: NONE },
      { name: 'a function off the search path, unqualified', sql: 'CALL refresh_leads()', expected: NONE },
      { name: 'other functions and tables', sql: 'SELECT lower(name), count(*) FROM customers GROUP BY 1', expected: NONE },
    ])('$name', async ({ sql, expected }) => {
      expect(await classifyWith(sql, options)).toEqual(expected);
    });
  });

  describe('NEW and OLD of a trigger function on the table', () => {
    const options: ClassifyOptions = { searchPath: ['public'], rowVariables: ['new', 'old'] };
    it.each<{ name: string; sql: string; expected: Usage }>([
      { name: 'a field of NEW', sql: 'SELECT lower(NEW.user_email)', expected: READ },
      { name: 'a field of OLD in a statement', sql: 'INSERT INTO audit (email) VALUES (OLD.user_email)', expected: READ },
      { name: 'another field', sql: 'SELECT NEW.contact_email IS NULL', expected: NONE },
      { name: 'NEW.*', sql: 'INSERT INTO audit SELECT NEW.*', expected: STAR },
      { name: 'the bare row variable', sql: 'SELECT NEW', expected: NONE },
      { name: "a bare user_email is another table's or a variable", sql: 'SELECT user_email FROM customers WHERE id = NEW.customer_id', expected: NONE },
      { name: 'SELECT * of another table', sql: 'SELECT * FROM customers', expected: NONE },
    ])('$name', async ({ sql, expected }) => {
      expect(await classifyWith(sql, options)).toEqual(expected);
    });

    it('are ordinary names without the option', async () => {
      expect(await classify('SELECT lower(NEW.user_email)')).toEqual(NONE);
    });
  });

  it('reads nothing from a tree it does not know', () => {
    expect(classifyStatement(null, TARGET)).toEqual(NONE);
    expect(classifyStatement({ Unknown: { fields: [1] } }, TARGET)).toEqual(NONE);
  });
});
