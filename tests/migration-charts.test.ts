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

describe('the migration page charts', () => {
  it('draws each service, the Postgres log and the legacy reads on one axis, with the baseline from the hour before the expand', async () => {
    // Every time counts from the minute the test began, so a minute turning over midway changes nothing.
    const base = Math.floor(Date.now() / 60_000) * 60_000;
    const minute = (offset: number) => new Date(base + offset * 60_000);
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' });
    const migration = await w.store.getMigration(id);
    await sampleStatements(w.target, w.pool, migration.target);
    // Before the expand: web 1% errors, api none. After: web 10%, api 1%, and the Postgres log saw 42703s.
    await ingestMetrics(w.pool, 'web', {
      batchId: 'before',
      points: [-30, -20].map((o) => ({ service: 'web', version: 'v1', timestamp: minute(o).toISOString(), requests: 100, errors: 1 })),
    });
    await ingestMetrics(w.pool, 'api', {
      batchId: 'before',
      points: [{ service: 'api', version: 'v1', timestamp: minute(-20).toISOString(), requests: 200, errors: 0 }],
    });
    await runPhase({ store: w.store, target: w.target, signals: false }, id, 'expand');
    // The expand began in the test's first minute, even when the minute turned over while it ran.
    await w.pool.query("UPDATE expand_contract.phase_runs SET started_at = $2 WHERE migration_id = $1 AND phase = 'expand'", [id, new Date(base + 1000)]);
    await ingestMetrics(w.pool, 'web', {
      batchId: 'after',
      points: [{ service: 'web', version: 'v1', timestamp: minute(0).toISOString(), requests: 100, errors: 10 }],
    });
    await ingestMetrics(w.pool, 'api', {
      batchId: 'after',
      points: [{ service: 'api', version: 'v1', timestamp: minute(0).toISOString(), requests: 200, errors: 2 }],
    });
    await w.pool.query("INSERT INTO expand_contract.metric_minutes (source, service, minute, sqlstate, errors) VALUES ('postgres', $1, $2, '42703', 7)", [
      migration.target,
      minute(0),
    ]);
    // The minute under way when the chart is drawn: a few requests so far, no errors yet. Not drawn.
    await w.pool.query("INSERT INTO expand_contract.metric_minutes (source, service, minute, requests, errors) VALUES ('app', 'web', $1, 3, 0)", [minute(1)]);
    for (let i = 1; i <= 3; i += 1) await w.target.query('SELECT user_email FROM leads WHERE id = $1', [i]);
    await sampleStatements(w.target, w.pool, migration.target);

    const now = new Date(base + 90_000);
    const lastHour = await getMigrationCharts(w.pool, await w.store.getMigration(id), now, ['expand'], '1h');
    // One series per service (every service reporting, the migration naming none), never their sum.
    expect(lastHour.services).toEqual(['api', 'web']);
    expect(lastHour.errors.map((p) => [p.requests, p.errors, p.postgres])).toEqual([
      [[0, 100], [0, 1], 0],
      [[200, 100], [0, 1], 0],
      [[200, 100], [2, 10], 7],
    ]);
    expect(lastHour.errors.at(-1)!.rates[0]).toBeCloseTo(0.01);
    expect(lastHour.errors.at(-1)!.rates[1]).toBeCloseTo(0.1);
    expect(lastHour.errors[0]!.rates[0]).toBeNull();
    // The services' baseline: 2 errors in 400 requests in the hour before the expand.
    expect(lastHour.baselineRate).toBeCloseTo(0.005);
    expect(lastHour.bucketMinutes).toBe(1);
    expect(lastHour.to - lastHour.from).toBeGreaterThanOrEqual(3_600_000);
    expect(lastHour.phases.map((p) => p.phase)).toEqual(['expand']);
    expect(lastHour.regressionsFrom).toEqual([lastHour.phases[0]!.from]);
    expect(lastHour.samplerRan).toBe(true);
    expect(lastHour.legacy!.reduce((n, p) => n + p.reads, 0)).toBe(3);
    expect(lastHour.legacyCoverage).toBeGreaterThan(0);
    expect(lastHour.zeroReads).toBeNull();

    // Since the expand (the default): a minute-long migration fills the chart, two minutes of before it, not an hour.
    const since = await getMigrationCharts(w.pool, await w.store.getMigration(id), now, ['expand']);
    expect(since.range).toBe('expand');
    expect(since.from).toBe(Math.floor((since.phases[0]!.from - 120_000) / 60_000) * 60_000);
    expect(since.to).toBe(now.getTime());
    expect(since.errors.map((p) => p.t)).toEqual([minute(0).getTime()]);
    // The baseline is the hour before the expand whatever the window shows.
    expect(since.baselineRate).toBeCloseTo(0.005);

    // A service named for the migration is drawn even silent; the others are not drawn.
    const named = await getMigrationCharts(w.pool, { ...(await w.store.getMigration(id)), services: ['web', 'batch'] }, now, [], '1h');
    expect(named.services).toEqual(['web', 'batch']);
    expect(named.errors.at(-1)!.requests).toEqual([100, 0]);
    expect(named.baselineRate).toBeCloseTo(0.01);

    // The deploy is a phase of its own, monitoring runs from it, and no read since it is shaded from it.
    await w.store.markDeployed(id, 'author@example.com', new Date());
    const deployed = await getMigrationCharts(w.pool, await w.store.getMigration(id), now, []);
    expect(deployed.phases.map((p) => p.phase)).toEqual(['expand', 'deploy', 'monitoring']);
    expect(deployed.zeroReads).toEqual({ from: deployed.phases[1]!.from, to: now.getTime() });
  });

  it('sums 30 days of five services in the database to at most 2,000 points a series, counts kept', async () => {
    await w.target.query('CREATE TABLE accounts (id bigint PRIMARY KEY, name text)');
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'accounts', column: 'name', newName: 'full_name' });
    const services = ['s1', 's2', 's3', 's4', 's5'];
    await w.pool.query(
      `INSERT INTO expand_contract.metric_minutes (source, service, minute, requests, errors)
       SELECT 'app', s, m, 100, (extract(minute FROM m)::int % 3) FROM unnest($1::text[]) s,
              generate_series(date_trunc('minute', now()) - interval '30 days', date_trunc('minute', now()) - interval '1 minute', interval '1 minute') m
       ON CONFLICT DO NOTHING`,
      [services],
    );
    // Begun 30 days ago (no expand run: the chart starts from the creation), as the page benchmark has it.
    const migration = { ...(await w.store.getMigration(id)), services, createdAt: new Date(Date.now() - 30 * 24 * 3_600_000) };
    const now = new Date();
    const timed = async (range: '7d' | 'expand') => {
      const started = performance.now();
      const charts = await getMigrationCharts(w.pool, migration, now, [], range);
      console.log(`charts over ${range} of 5 services' minutes: ${(performance.now() - started).toFixed(0)} ms`);
      return charts;
    };
    await timed('7d');
    const week = await timed('7d');
    await timed('expand');
    const month = await timed('expand');
    expect(month.errors.length).toBeLessThanOrEqual(2000);
    expect(month.to - month.from).toBeGreaterThan(30 * 24 * 3_600_000);
    expect(week.services).toEqual(services);
    expect(week.errors.length).toBeLessThanOrEqual(2000);
    // Past two days, whole hours (summed from the hourly rollup), the hour under way left out: it is not over.
    expect(week.bucketMinutes).toBe(60);
    expect(week.from % 3_600_000).toBe(0);
    const lastHour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
    expect(week.errors.every((p, i) => p.t === week.from + i * 3_600_000)).toBe(true);
    expect(week.errors.at(-1)!.t).toBe(lastHour - 3_600_000);
    // The old column's uses are counted per the same hours, on the same axis.
    expect(week.legacy!.every((p) => (p.t - week.from) % 3_600_000 === 0)).toBe(true);
    const { rows } = await w.pool.query<{ requests: number }>(
      "SELECT sum(requests)::float8 AS requests FROM expand_contract.metric_minutes WHERE source = 'app' AND service = 's3' AND minute >= $1 AND minute < $2",
      [new Date(week.from), new Date(lastHour)],
    );
    expect(week.errors.reduce((n, p) => n + p.requests[2]!, 0)).toBe(rows[0]!.requests);
  });
});
