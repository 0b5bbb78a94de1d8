import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMigrationCharts } from '../lib/data/get-migration-charts';
import { runPhase } from '../lib/executor/run-phase';
import { ingestMetrics } from '../lib/signals/ingest-metrics';
import { sampleStatements } from '../lib/signals/sample-statements';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
beforeAll(async () => {
  w = await executorWorld('charts');
  await w.targetDb.admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'); // only a superuser may create it
  await w.target.query(
    `CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL); INSERT INTO leads SELECT g, 'e' || g FROM generate_series(1, 50) g`,
  );
});
afterAll(() => w.close());

const minute = (offset: number) => new Date(Math.floor(Date.now() / 60_000) * 60_000 + offset * 60_000);

describe('the migration page charts', () => {
  it('puts service error rates, Postgres errors, legacy reads and the phases on one axis, with the baseline from the hour before', async () => {
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' });
    const migration = await w.store.getMigration(id);
    await sampleStatements(w.target, w.pool, migration.target);
    // Before the expand: 1% errors. After: 10%, and the Postgres log saw 42703s.
    await ingestMetrics(w.pool, 'web', {
      batchId: 'before',
      points: [-30, -20].map((o) => ({ service: 'web', version: 'v1', timestamp: minute(o).toISOString(), requests: 100, errors: 1 })),
    });
    await runPhase({ store: w.store, target: w.target, signals: false }, id, 'expand');
    await ingestMetrics(w.pool, 'web', {
      batchId: 'after',
      points: [{ service: 'web', version: 'v1', timestamp: minute(0).toISOString(), requests: 100, errors: 10 }],
    });
    await w.pool.query("INSERT INTO expand_contract.metric_minutes (source, service, minute, sqlstate, errors) VALUES ('postgres', $1, $2, '42703', 7)", [
      migration.target,
      minute(0),
    ]);
    // The minute under way when the chart is drawn: a few requests so far, no errors yet. Not drawn.
    await w.pool.query("INSERT INTO expand_contract.metric_minutes (source, service, minute, requests, errors) VALUES ('app', 'web', $1, 3, 0)", [minute(1)]);
    for (let i = 1; i <= 3; i += 1) await w.target.query('SELECT user_email FROM leads WHERE id = $1', [i]);
    await sampleStatements(w.target, w.pool, migration.target);

    const charts = await getMigrationCharts(w.pool, await w.store.getMigration(id), new Date(Date.now() + 60_000), ['expand']);
    expect(charts.baselineRate).toBeCloseTo(0.01);
    expect(charts.errors.map((p) => [p.requests, p.errors, p.postgres])).toEqual([
      [100, 1, 0],
      [100, 1, 0],
      [100, 10, 7],
    ]);
    expect(charts.errors.at(-1)!.rate).toBeCloseTo(0.1);
    expect(charts.phases.map((p) => p.phase)).toEqual(['expand']);
    expect(charts.regressionsFrom).toEqual([charts.phases[0]!.from]);
    expect(charts.samplerRan).toBe(true);
    expect(charts.legacy!.reduce((n, p) => n + p.reads, 0)).toBe(3);
    expect(charts.from).toBe(charts.phases[0]!.from - 3_600_000);
  });
});
