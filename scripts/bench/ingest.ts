// Error-rate ingest over loopback: points per second accepted by POST /api/v1/metrics on the
// production server, with request latency, against storing the same batches directly with
// ingestMetrics() on the same state database in the same run (what HTTP, auth and validation add).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { MetricBatch } from '../../lib/metrics/metric-batch';
import { ingestMetrics } from '../../lib/signals/ingest-metrics';
import { BIN, root, startBenchDashboard } from './start-dashboard';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);

const note = (line: string) => process.stderr.write(`bench: ${line}\n`);
const emit = (figure: string, value: number, unit: string, extra: object = {}) =>
  console.log(JSON.stringify({ bench: 'ingest', figure, value: Number(value.toFixed(3)), unit, ...extra }));

function batch(service: string): MetricBatch {
  const now = Date.now();
  return {
    batchId: randomUUID(),
    points: Array.from({ length: BATCH }, (_, i) => ({
      service,
      version: i % 2 ? 'v1' : 'v2',
      timestamp: new Date(now - (i % 120) * 1000).toISOString(),
      requests: 50,
      errors: i % 10 === 0 ? 1 : 0,
      ...(i % 10 === 0 ? { sqlstate: '42703' } : {}),
      route: `/r${i % 8}`,
    })),
  };
}

/** CLIENTS loops sending batches for SECONDS; returns points stored and each call's latency. */
async function load(send: (b: MetricBatch) => Promise<void>, service: string) {
  const latencies: number[] = [];
  let points = 0;
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        const b = batch(service);
        const t = performance.now();
        await send(b);
        latencies.push(performance.now() - t);
        points += b.points.length;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return { pointsPerSecond: points / seconds, p50: pct(50), p99: pct(99), requests: latencies.length };
}

async function main() {
  const dashboard = await startBenchDashboard('ingest', note);
  try {
    const created = spawnSync(process.execPath, [BIN, 'token', 'create', 'ingest', 'bench-http'], { cwd: root, env: dashboard.env, encoding: 'utf8' });
    const token = /^(ec_\S+)$/m.exec(created.stdout)?.[1];
    if (!token) throw new Error(`no token: ${created.stdout}${created.stderr}`);
    const state = dashboard.state(CLIENTS);

    const url = `${dashboard.base}/api/v1/metrics`;
    const send = async (b: MetricBatch) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(b),
      });
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    note(`warm-up, then ${SECONDS} s of ${CLIENTS} clients sending ${BATCH}-point batches over HTTP`);
    for (let i = 0; i < 5; i += 1) await send(batch('bench-http'));
    const http = await load(send, 'bench-http');
    note(`${SECONDS} s of the same batches stored directly (no HTTP, token or validation)`);
    const direct = await load(async (b) => void (await ingestMetrics(state, 'bench-direct', b)), 'bench-direct');
    const stored = await state.query<{ n: string }>("SELECT count(*)::text AS n FROM expand_contract.metric_points WHERE service = 'bench-http'");

    emit('ingest_points_per_s', http.pointsPerSecond, 'points/s', {
      target: '>= 10000',
      clients: CLIENTS,
      batch: BATCH,
      requests: http.requests,
      stored_points: Number(stored.rows[0]!.n),
    });
    emit('ingest_p50_ms', http.p50, 'ms', { per: `${BATCH}-point batch` });
    emit('ingest_p99_ms', http.p99, 'ms', { per: `${BATCH}-point batch` });
    emit('ingest_http_vs_direct_ratio', http.pointsPerSecond / direct.pointsPerSecond, 'ratio', {
      direct_points_per_s: Math.round(direct.pointsPerSecond),
      baseline: 'ingestMetrics() on the same database, same run',
    });
  } finally {
    await dashboard.stop();
  }
}

await main();
