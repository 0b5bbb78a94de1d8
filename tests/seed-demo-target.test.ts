import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoTarget } from '../lib/demo/seed-demo-target';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('demo');
});
afterAll(() => db.drop());

describe('demo target seed', () => {
  it("creates the article's world with the default 100,000 leads, once, even when started twice at once", async () => {
    const [a, b] = await Promise.all([seedDemoTarget(await db.client(), 100_000), seedDemoTarget(await db.client(), 100_000)]);
    expect([a.seeded, b.seeded].sort()).toEqual([false, true]);

    const counts = await db.query(`SELECT (SELECT count(*) FROM leads)::int AS leads, (SELECT count(*) FROM orders)::int AS orders,
                                          (SELECT count(*) FROM users)::int AS users`);
    expect(counts.rows[0]).toEqual({ leads: 100_000, orders: 50_000, users: 20_000 });

    // The four demo changes need exactly these starting points.
    const emails = await db.query("SELECT count(*)::int AS n FROM leads WHERE user_email LIKE 'lead%@example.com'");
    expect(emails.rows[0]!.n).toBe(100_000);
    const statuses = await db.query('SELECT array_agg(DISTINCT status ORDER BY status) AS s FROM orders');
    expect(statuses.rows[0]!.s).toEqual(['cancelled', 'completed', 'pending', 'processing']);
    const nullVerified = await db.query('SELECT count(*)::int AS n FROM users WHERE verified IS NULL');
    expect(nullVerified.rows[0]!.n).toBeGreaterThan(0);
    const legacy = await db.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'legacy_field'");
    expect(legacy.rows).toEqual([{ data_type: 'text' }]);
    const orphans = await db.query('SELECT count(*)::int AS n FROM orders o LEFT JOIN leads l ON l.id = o.lead_id WHERE l.id IS NULL');
    expect(orphans.rows[0]!.n).toBe(0);
    // Seeded by the target's plain login, which owns what it created (pg_stat_statements: bootstrap, as the superuser).
    const owners = await db.query("SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname IN ('leads', 'orders', 'users')");
    expect(owners.rows).toEqual([{ owner: 'expand_contract_target' }]);
  });

  it('leaves existing data alone on a later start and reports its size from statistics', async () => {
    const again = await seedDemoTarget(await db.client(), 5_000);
    expect(again.seeded).toBe(false);
    expect(again.leads).toBe(100_000);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM leads');
    expect(rows[0]!.n).toBe(100_000);
  });
});
