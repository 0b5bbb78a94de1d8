import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFor, runPhases, columnsOf, parity } from './helpers/plan-runner';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

let db: TestDatabase;
let c: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase('hostile');
  c = await db.client();
});
afterAll(() => db.drop());

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

describe('hostile identifiers plan and run correctly, and never inject', () => {
  it.each([
    { schema: 'Sales Dept', table: 'we"ird table', column: 'select', newName: 'Ünïcödé ✉ e-mail' },
    { schema: 'public', table: 'T'.repeat(63), column: 'c'.repeat(63), newName: 'n'.repeat(63) },
    { schema: 'public', table: 'mixedCase', column: 'UserEmail', newName: '$ec$ end $$' },
  ])('rename $column → $newName on $schema.$table', async ({ schema, table, column, newName }) => {
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${q(schema)}`);
    await c.query(`CREATE TABLE ${q(schema)}.${q(table)} (id int PRIMARY KEY, ${q(column)} text NOT NULL)`);
    await c.query(`INSERT INTO ${q(schema)}.${q(table)} SELECT g, 'v' || g FROM generate_series(1, 300) g`);
    const plan = await planFor(c, { kind: 'rename-column', schema, table, column, newName });
    await runPhases(c, plan, ['expand']);
    await c.query(`INSERT INTO ${q(schema)}.${q(table)} (id, ${q(newName)}) VALUES (1000, 'via new')`);
    await runPhases(c, plan, ['backfill']);
    expect(await parity(c, plan)).toBe(0);
    await runPhases(c, plan, ['contract']);
    expect(await columnsOf(c, schema, table)).toEqual(['id', newName]);
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM ${q(schema)}.${q(table)} WHERE ${q(newName)} IS NOT NULL`);
    expect(rows[0].n).toBe(301);
  });

  it('treats injection attempts in names as names', async () => {
    await c.query('CREATE TABLE victims (id int PRIMARY KEY, email text)');
    await c.query("INSERT INTO victims VALUES (1, 'a')");
    const evil = `x"; DROP TABLE victims; --`;
    const plan = await planFor(c, { kind: 'rename-column', schema: 'public', table: 'victims', column: 'email', newName: evil });
    await runPhases(c, plan, ['expand', 'backfill', 'contract']);
    expect(await columnsOf(c, 'public', 'victims')).toEqual(['id', evil]);
    const { rows } = await c.query(`SELECT ${q(evil)} AS v FROM victims`);
    expect(rows).toEqual([{ v: 'a' }]);
  });
});
