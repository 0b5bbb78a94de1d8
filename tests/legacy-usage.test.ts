import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyUsage } from '../lib/signals/legacy-usage';
import { sampleStatements } from '../lib/signals/sample-statements';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
const label = 'usage-target';
const column = { schema: 'public', table: 'leads', column: 'user_email' };

beforeAll(async () => {
  w = await executorWorld('usage');
  await w.targetDb.admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'); // only a superuser may create it
  await w.target.query(`CREATE TABLE leads (id int PRIMARY KEY, user_email text, contact_email text);
    CREATE TABLE customers (id int PRIMARY KEY, user_email text);
    CREATE SCHEMA archive; CREATE TABLE archive.leads (id int PRIMARY KEY, user_email text);
    CREATE TABLE "Leads" (id int PRIMARY KEY, user_email text);
    INSERT INTO leads SELECT g, 'e' || g, 'e' || g FROM generate_series(1, 50) g;`);
});
afterAll(() => w.close());

describe('legacy-column usage from sampled traffic', () => {
  it('counts reads and writes of the old column by parse tree, ignores look-alikes, and reports coverage', async () => {
    // The first sample of a process loads the parser: not inside the window, or it eats into the coverage on a busy machine.
    await sampleStatements(w.target, w.pool, 'warm-up');
    const from = new Date();
    await sampleStatements(w.target, w.pool, label); // baseline
    const q = (sql: string, values: unknown[] = []) => w.target.query(sql, values);
    for (let i = 1; i <= 5; i += 1) await q('SELECT l.user_email FROM leads l WHERE l.id = $1', [i]); // old code read
    for (let i = 1; i <= 2; i += 1) await q('UPDATE leads SET user_email = $1 WHERE id = $2', ['x', i]); // old code write
    for (let i = 1; i <= 3; i += 1) await q('SELECT * FROM leads WHERE id = $1', [i]); // star: a read
    for (let i = 1; i <= 4; i += 1) await q('SELECT contact_email FROM leads WHERE id = $1', [i]); // new code: not legacy
    for (let i = 1; i <= 6; i += 1) await q('SELECT user_email FROM customers WHERE id = $1', [i]); // another table's column
    for (let i = 1; i <= 2; i += 1) await q('WITH recent AS (SELECT user_email FROM leads WHERE id < $1) SELECT count(*) FROM recent', [i]); // CTE: a read
    for (let i = 1; i <= 3; i += 1) await q('SELECT "user_email", "id" FROM "public"."leads" WHERE "id" = $1', [i]); // quoted and qualified: a read
    for (let i = 1; i <= 7; i += 1) await q('SELECT user_email FROM archive.leads WHERE id = $1', [i]); // same name, another schema
    for (let i = 1; i <= 2; i += 1) await q('SELECT user_email FROM "Leads" WHERE id = $1', [i]); // "Leads" is another table
    // A window of a second between the samples: the few milliseconds each sample takes at the edges are uncovered, and
    // on a window of only the queries' ~100 ms they could be half of it.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await sampleStatements(w.target, w.pool, label);
    const to = new Date();

    const usage = await legacyUsage(w.pool, label, column, from, to);
    expect(usage.reads).toBe(5 + 3 + 2 + 3);
    expect(usage.writes).toBe(2);
    expect(usage.unknown).toBe(0);
    const byQuery = Object.fromEntries(usage.statements.map((s) => [s.query, `${s.kind}${s.star ? '*' : ''}:${s.calls}`]));
    expect(byQuery).toMatchObject({
      'SELECT l.user_email FROM leads l WHERE l.id = $1': 'read:5',
      'UPDATE leads SET user_email = $1 WHERE id = $2': 'write:2',
      'SELECT * FROM leads WHERE id = $1': 'read*:3',
      'WITH recent AS (SELECT user_email FROM leads WHERE id < $1) SELECT count(*) FROM recent': 'read:2',
      'SELECT "user_email", "id" FROM "public"."leads" WHERE "id" = $1': 'read:3',
    });
    expect(Object.keys(byQuery).some((k) => k.includes('contact_email') || k.includes('customers') || k.includes('archive') || k.includes('"Leads"'))).toBe(
      false,
    );
    expect(usage.samples).toBe(2);
    expect(usage.coverage).toBeGreaterThan(0.5);

    // A second interval with only old-code reads: the per-interval series keeps them apart, and first/last seen move.
    for (let i = 1; i <= 4; i += 1) await q('SELECT l.user_email FROM leads l WHERE l.id = $1', [i]);
    await sampleStatements(w.target, w.pool, label);
    const later = await legacyUsage(w.pool, label, column, from, new Date());
    expect(later.intervals.map(({ reads, writes, unknown }) => ({ reads, writes, unknown }))).toEqual([
      { reads: 13, writes: 2, unknown: 0 },
      { reads: 4, writes: 0, unknown: 0 },
    ]);
    const read = later.statements.find((s) => s.query === 'SELECT l.user_email FROM leads l WHERE l.id = $1')!;
    expect(read.calls).toBe(9);
    expect(read.firstSeen.getTime()).toBe(later.intervals[0]!.at.getTime());
    expect(read.lastSeen.getTime()).toBe(later.intervals[1]!.at.getTime());
  });

  it('shows statements it cannot parse as unknown instead of dropping them, and no coverage without samples', async () => {
    const at = new Date(Date.now() + 3_600_000); // a window of its own, after the first test's traffic
    await w.pool.query("INSERT INTO expand_contract.statements (target, queryid, query) VALUES ($1, 42, 'SELEKT user_email FROM leads')", [label]);
    await w.pool.query("INSERT INTO expand_contract.statement_calls (target, sampled_at, queryid, role, calls) VALUES ($1, $2, 42, 'app', 9)", [label, at]);
    const usage = await legacyUsage(w.pool, label, column, new Date(at.getTime() - 1000), new Date(at.getTime() + 1000));
    expect(usage.unknown).toBe(9);
    expect(usage.statements).toEqual([expect.objectContaining({ kind: 'unknown', calls: 9, query: 'SELEKT user_email FROM leads' })]);
    expect(usage.coverage).toBe(0); // nothing sampled then: "no reads" could not be claimed
  });

  it('does not count an interval that lost calls (evictions or a reset) as observed', async () => {
    const t = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));
    await w.pool.query(
      `INSERT INTO expand_contract.sampler_runs (target, sampled_at, status, lossy) VALUES
         ('lossy-target', $1, 'baseline', false), ('lossy-target', $2, 'ok', true), ('lossy-target', $3, 'ok', false)`,
      [t(0), t(10), t(20)],
    );
    const usage = await legacyUsage(w.pool, 'lossy-target', column, t(0), t(20), 30);
    expect(usage.coverage).toBeCloseTo(0.5, 5);
  });
});
