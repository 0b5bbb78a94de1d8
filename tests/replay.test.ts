import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReplay } from '../lib/demo/replay';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
beforeAll(async () => {
  w = await executorWorld('replay');
});
afterAll(() => w.close());

describe('the 2am replay', () => {
  it('a naive rename under running old code fails its requests with 42703; expand-contract under the same traffic fails none and loses no row', async () => {
    const result = await runReplay({ stateUrl: w.stateDb.url, targetUrl: w.targetDb.url, rows: 2000, rate: 40, drainSeconds: 2 });
    // Measured, not scripted: the naive path must actually fail, or this test proves nothing.
    expect(result.naive.requests).toBeGreaterThan(100);
    expect(result.naive.errors).toBeGreaterThan(20);
    expect(Object.keys(result.naive.bySqlstate)).toEqual(['42703']);
    expect(result.expandContract.requests).toBeGreaterThan(150);
    expect(result.expandContract).toMatchObject({ errors: 0, bySqlstate: {}, mismatchedRows: 0 });
    // Per second: no error before the rename, errors only while the old code still ran after it.
    const rename = result.naive.events.find((e) => e.label === 'RENAME COLUMN')!.second;
    expect(result.naive.perSecond.filter((p) => p.second < rename).every((p) => p.errors === 0)).toBe(true);
    expect(result.naive.perSecond.reduce((n, p) => n + p.requests, 0)).toBe(result.naive.requests);
    expect(result.expandContract.perSecond.every((p) => p.errors === 0)).toBe(true);
    expect(result.expandContract.events.map((e) => e.label)).toEqual(['expand', 'deploy', 'old code drained', 'contract']);
    // The column really went, and the scratch tables are gone.
    const migration = await w.store.getMigration(result.expandContract.migrationId);
    expect(migration.status).toBe('contracted');
    expect(migration.title).toMatch(/^2am replay: /);
    const left = await w.target.query(
      "SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('replay_naive', 'replay_ec') OR relname LIKE 'ec_archive_replay%'",
    );
    expect(left.rows[0].n).toBe(0);
  });
});
