import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspectSchema } from '../lib/db/introspect-schema';
import { findTable } from '../lib/migrations/schema';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('introspect');
  await db.query(`
    CREATE TABLE public.leads (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_email text NOT NULL, note varchar(40) DEFAULT 'x');
    CREATE TABLE public.memberships (org_id uuid, user_id bigint, role text, PRIMARY KEY (user_id, org_id));
    CREATE TABLE public.events_log (at timestamptz, payload jsonb);
    CREATE TABLE public."Odd ""Name""" ("Mixed Case" int PRIMARY KEY);
    CREATE TABLE public.measurements (id int, taken date, PRIMARY KEY (id, taken)) PARTITION BY RANGE (taken);
    CREATE TABLE public.measurements_2026 PARTITION OF public.measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    CREATE SCHEMA other;
    CREATE TABLE other.hidden (id int PRIMARY KEY);
    CREATE VIEW public.lead_emails AS SELECT user_email FROM public.leads;
    ALTER TABLE public.leads DROP COLUMN note;
    ALTER TABLE public.leads ADD COLUMN score numeric(5,2) NOT NULL DEFAULT 0;
    INSERT INTO public.leads (user_email) SELECT 'x' || g FROM generate_series(1, 500) g;
    ANALYZE public.leads;
  `);
});
afterAll(() => db.drop());

describe('introspectSchema', () => {
  it('lists tables of the chosen schemas only, with partitions folded into their parent', async () => {
    const snapshot = await introspectSchema(await db.client(), ['public']);
    expect(snapshot.tables.map((t) => t.name)).toEqual(['Odd "Name"', 'events_log', 'leads', 'measurements', 'memberships']);
    const both = await introspectSchema(await db.client(), ['public', 'other']);
    expect(findTable(both, 'other', 'hidden')?.primaryKey).toEqual(['id']);
  });

  it('reads columns in order with types, nullability and defaults, skipping dropped ones', async () => {
    const leads = findTable(await introspectSchema(await db.client(), ['public']), 'public', 'leads')!;
    expect(leads.columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
      ['id', 'bigint', false],
      ['user_email', 'text', false],
      ['score', 'numeric(5,2)', false],
    ]);
    expect(leads.columns[2]!.defaultExpression).toBe('0');
    expect(leads.primaryKey).toEqual(['id']);
    expect(leads.estimatedRows).toBe(500);
    expect(leads.totalBytes).toBeGreaterThan(0);
  });

  it('keeps composite key order, reports tables without a key, and unknown row counts as null', async () => {
    const snapshot = await introspectSchema(await db.client(), ['public']);
    expect(findTable(snapshot, 'public', 'memberships')!.primaryKey).toEqual(['user_id', 'org_id']);
    expect(findTable(snapshot, 'public', 'events_log')!.primaryKey).toEqual([]);
    expect(findTable(snapshot, 'public', 'events_log')!.estimatedRows).toBeNull();
    expect(findTable(snapshot, 'public', 'Odd "Name"')!.columns[0]!.name).toBe('Mixed Case');
  });
});
