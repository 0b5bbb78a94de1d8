import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readColumnDependents } from '../lib/signals/read-column-dependents';
import { columnReaders } from '../lib/gate/column-readers';
import { describeDependent, type ColumnDependent } from '../lib/gate/describe-dependent';
import { objectNames } from '../lib/migrations/names';
import { parseSql } from '../lib/sql/parse-sql';
import { classifyStatementDeep } from '../lib/signals/classify-statement-deep';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

/**
 * One table whose user_email is used every way the catalog can show, and some ways it cannot
 * (function bodies are text to Postgres), beside objects that look alike and use something else.
 * Created as the plain target login, as a user's schema is; the product reads it as that login.
 */
const COLUMN = { schema: 'public', table: 'leads', column: 'user_email' };
const sync = objectNames('leads', 'user_email', 'contact_email');

const FIXTURE = `
CREATE SCHEMA reports;
CREATE TABLE leads (
  id int PRIMARY KEY,
  user_email text,
  contact_email text,
  email_domain text GENERATED ALWAYS AS (split_part(user_email, '@', 2)) STORED,
  id_twice int GENERATED ALWAYS AS (id * 2) STORED
);
CREATE TABLE customers (id int PRIMARY KEY, user_email text);

-- Views: on the column, on that view, with *, in another schema on the first view, and one on other columns.
CREATE VIEW lead_emails AS SELECT id, user_email FROM leads;
CREATE VIEW recent_lead_emails AS SELECT id FROM lead_emails WHERE id > 100;
CREATE VIEW all_leads AS SELECT * FROM leads;
CREATE MATERIALIZED VIEW reports.email_stats AS SELECT count(*) AS n FROM public.lead_emails;
CREATE VIEW lead_ids AS SELECT id, contact_email FROM leads;
CREATE VIEW customer_emails AS SELECT user_email FROM customers;

-- Policies: on the table, and on another table reading the column in a subquery; one on other columns.
ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_leads ON leads USING (user_email = current_user);
CREATE POLICY by_contact ON leads FOR UPDATE USING (contact_email = current_user);
CREATE POLICY customers_with_leads ON customers USING (EXISTS (SELECT 1 FROM leads l WHERE l.user_email = customers.user_email));

-- Functions: PL/pgSQL, SQL, SQL-standard (BEGIN ATOMIC), one calling another, one that builds its SQL,
-- and look-alikes that use another table's user_email or only the new column.
CREATE FUNCTION lead_count(p_domain text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  SELECT count(*) INTO n FROM leads WHERE user_email LIKE '%@' || p_domain;
  RETURN n;
END $$;
CREATE FUNCTION first_email() RETURNS text LANGUAGE sql AS $$ SELECT user_email FROM leads ORDER BY id LIMIT 1 $$;
CREATE FUNCTION email_total() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(user_email) FROM leads; END;
CREATE FUNCTION reports.lead_report() RETURNS bigint LANGUAGE plpgsql SET search_path = public AS $$
BEGIN RETURN lead_count('example.com'); END $$;
CREATE FUNCTION reports.any_column(c text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE format('SELECT %I FROM public.leads', c); END $$;
CREATE FUNCTION customer_count() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN RETURN (SELECT count(user_email) FROM customers); END $$;
CREATE FUNCTION contact_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(contact_email) FROM leads $$;

-- Triggers: UPDATE OF the column, a WHEN on it, and one whose function reads NEW.user_email; one about another column.
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION lower_email() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.contact_email := lower(NEW.user_email); RETURN NEW; END $$;
CREATE TRIGGER email_changed BEFORE UPDATE OF user_email ON leads FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER email_differs BEFORE UPDATE ON leads FOR EACH ROW WHEN (OLD.user_email IS DISTINCT FROM NEW.user_email) EXECUTE FUNCTION touch();
CREATE TRIGGER lowercase BEFORE INSERT ON leads FOR EACH ROW EXECUTE FUNCTION lower_email();
CREATE TRIGGER contact_changed BEFORE UPDATE OF contact_email ON leads FOR EACH ROW EXECUTE FUNCTION touch();

-- The product's own sync function and triggers, named as a plan names them: never dependents.
CREATE FUNCTION ${sync.syncFunction}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.contact_email := NEW.user_email; RETURN NEW; END $$;
CREATE TRIGGER ${sync.syncTrigger} BEFORE UPDATE OF user_email ON leads FOR EACH ROW
  WHEN (NEW.user_email IS DISTINCT FROM OLD.user_email) EXECUTE FUNCTION ${sync.syncFunction}();
CREATE TRIGGER ${sync.syncInsertTrigger} BEFORE INSERT ON leads FOR EACH ROW EXECUTE FUNCTION ${sync.syncFunction}();
`;

let db: TestDatabase;
let client: pg.Client;
let dependents: ColumnDependent[];

beforeAll(async () => {
  db = await createTestDatabase('column_dependents');
  await db.query(FIXTURE);
  client = await db.client();
  dependents = await readColumnDependents(client, COLUMN);
});

afterAll(async () => {
  await db?.drop();
});

describe('readColumnDependents', () => {
  it('finds each object that uses the column, with how, and nothing else', () => {
    expect(dependents).toEqual<ColumnDependent[]>([
      { kind: 'view', schema: 'public', name: 'all_leads' },
      { kind: 'view', schema: 'public', name: 'lead_emails' },
      { kind: 'view', schema: 'public', name: 'recent_lead_emails', via: ['public.lead_emails'] },
      { kind: 'materialized view', schema: 'reports', name: 'email_stats', via: ['public.lead_emails'] },
      { kind: 'policy', schema: 'public', name: 'customers_with_leads', table: 'customers' },
      { kind: 'policy', schema: 'public', name: 'own_leads', table: 'leads' },
      { kind: 'trigger', schema: 'public', name: 'email_changed', table: 'leads' },
      { kind: 'trigger', schema: 'public', name: 'email_differs', table: 'leads' },
      { kind: 'trigger', schema: 'public', name: 'lowercase', table: 'leads', via: ['public.lower_email()'] },
      { kind: 'generated column', schema: 'public', name: 'email_domain', table: 'leads' },
      { kind: 'function', schema: 'public', name: 'email_total', arguments: '' },
      { kind: 'function', schema: 'public', name: 'first_email', arguments: '' },
      { kind: 'function', schema: 'public', name: 'lead_count', arguments: 'p_domain text' },
      { kind: 'function', schema: 'public', name: 'lower_email', arguments: '' },
      { kind: 'function', schema: 'reports', name: 'any_column', arguments: 'c text', dynamic: true },
      { kind: 'function', schema: 'reports', name: 'lead_report', arguments: '', via: ['public.lead_count(p_domain text)'] },
    ]);
  });

  it('says what each one needs before the contract', () => {
    const lines = dependents.map((d) => describeDependent(d, COLUMN));
    expect(lines).toContain(
      'view public.lead_emails reads public.leads.user_email: recreate it on the new column before the contract (or let the plan move it)',
    );
    expect(lines).toContain(
      'view public.recent_lead_emails reads public.leads.user_email through public.lead_emails: recreate it on the new column before the contract (or let the plan move it)',
    );
    expect(lines).toContain('function public.lead_count(p_domain text) uses public.leads.user_email: update it to the new column');
    expect(lines).toContain(
      'function reports.lead_report() uses public.leads.user_email through public.lead_count(p_domain text): update it to the new column',
    );
    expect(lines).toContain(
      'trigger lowercase on public.leads runs public.lower_email(), which uses public.leads.user_email: update the function to the new column',
    );
    expect(lines).toContain(
      'trigger email_changed on public.leads fires on public.leads.user_email (UPDATE OF or WHEN): recreate it on the new column before the contract',
    );
    expect(lines).toContain(
      'generated column public.leads.email_domain is computed from public.leads.user_email: recreate it from the new column before the contract',
    );
    expect(lines).toContain(
      'function reports.any_column(c text) runs SQL built at run time that mentions public.leads: check whether it uses user_email, and update it to the new column if it does',
    );
  });

  it('gives the views and functions a sampled statement can read the column through', async () => {
    const options = { searchPath: ['public'], ...columnReaders(dependents) };
    expect(options.readers).toEqual([
      { schema: 'public', name: 'all_leads' },
      { schema: 'public', name: 'lead_emails' },
      { schema: 'public', name: 'recent_lead_emails' },
      { schema: 'reports', name: 'email_stats' },
    ]);
    const reads = async (sql: string) => {
      const { statements } = await parseSql(sql);
      return classifyStatementDeep(statements[0]!.stmt, COLUMN, options).reads;
    };
    expect(await reads('SELECT count(*) FROM lead_emails')).toBe(true);
    expect(await reads('SELECT lead_count($1)')).toBe(true);
    expect(await reads('SELECT reports.lead_report()')).toBe(true);
    expect(await reads('DO $$ BEGIN PERFORM first_email(); END $$')).toBe(true);
    expect(await reads('SELECT count(*) FROM lead_ids')).toBe(false);
    expect(await reads('SELECT customer_count()')).toBe(false);
  });

  it('reads in a read-only transaction and leaves none open', async () => {
    expect((await client.query<{ s: string }>('SELECT pg_catalog.current_setting($1) AS s', ['transaction_read_only'])).rows[0]!.s).toBe('off');
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM leads');
    expect(rows[0]!.n).toBe('0');
  });

  it('finds nothing for a column that is not there, or a column nothing uses', async () => {
    expect(await readColumnDependents(client, { ...COLUMN, column: 'gone' })).toEqual([]);
    expect(await readColumnDependents(client, { ...COLUMN, table: 'nowhere' })).toEqual([]);
    // customer_count() names the table and reads another column of it.
    expect(await readColumnDependents(client, { schema: 'public', table: 'customers', column: 'id' })).toEqual([]);
  });
});
