import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneSignals } from '../lib/signals/prune-signals';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
beforeAll(async () => {
  w = await executorWorld('prune');
});
afterAll(() => w.close());

const DAY = 86_400_000;
const now = new Date('2026-11-24T12:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);

describe('retention', () => {
  it('deletes raw points after the raw retention and minute sums and samples after theirs, keeping the rest', async () => {
    for (const [days, id] of [
      [6.9, 'fresh'],
      [7.1, 'old'],
    ] as const) {
      await w.pool.query("INSERT INTO expand_contract.metric_points (service, version, at, requests, errors) VALUES ('web', 'v1', $1, 1, 0)", [ago(days)]);
      await w.pool.query("INSERT INTO expand_contract.ingest_batches (service, batch_id, points, received_at) VALUES ('web', $1, 1, $2)", [id, ago(days)]);
    }
    for (const days of [89, 91]) {
      const minute = new Date(Math.floor(ago(days).getTime() / 60_000) * 60_000);
      await w.pool.query("INSERT INTO expand_contract.metric_minutes (source, service, minute, requests, errors) VALUES ('app', 'web', $1, 1, 0)", [minute]);
      await w.pool.query("INSERT INTO expand_contract.sampler_runs (target, sampled_at, status) VALUES ('t', $1, 'ok')", [ago(days)]);
      await w.pool.query("INSERT INTO expand_contract.statement_calls (target, sampled_at, queryid, role, calls) VALUES ('t', $1, 1, 'app', 3)", [ago(days)]);
    }
    const deleted = await pruneSignals(w.pool, { rawDays: 7, minuteDays: 90 }, now);
    expect(deleted).toEqual({ metric_points: 1, ingest_batches: 1, metric_minutes: 1, statement_calls: 1, sampler_runs: 1 });
    const left = await w.pool.query(`SELECT
      (SELECT count(*) FROM expand_contract.metric_points)::int AS points,
      (SELECT string_agg(batch_id, ',') FROM expand_contract.ingest_batches) AS batches,
      (SELECT count(*) FROM expand_contract.metric_minutes)::int AS minutes,
      (SELECT count(*) FROM expand_contract.statement_calls)::int AS calls`);
    expect(left.rows[0]).toEqual({ points: 1, batches: 'fresh', minutes: 1, calls: 1 });
    // Nothing more to delete on a second run.
    expect(Object.values(await pruneSignals(w.pool, { rawDays: 7, minuteDays: 90 }, now)).every((n) => n === 0)).toBe(true);
  });
});
