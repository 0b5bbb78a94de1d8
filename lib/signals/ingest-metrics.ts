import type { Pool } from 'pg';
import { withTransaction } from '../db/transaction';
import type { MetricBatch } from '../metrics/metric-batch';
import { lockMetricHours } from './lock-metric-hours';

export interface IngestResult {
  /** Points stored by this call: 0 when the batch id was already stored (a retry). */
  accepted: number;
  duplicate: boolean;
}

/**
 * Stores one validated batch for one service, in one transaction: the batch id (a retry of a
 * stored batch changes nothing), the raw points, and their per-minute sums. Points arrive
 * as arrays and are expanded by unnest, so a batch of thousands is three statements.
 */
export async function ingestMetrics(state: Pool, service: string, batch: MetricBatch): Promise<IngestResult> {
  return withTransaction(state, async (client) => {
    const fresh = await client.query('INSERT INTO expand_contract.ingest_batches (service, batch_id, points) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      service,
      batch.batchId,
      batch.points.length,
    ]);
    // A stored batch again: nothing was written, so ending the transaction either way is the same.
    if (fresh.rowCount === 0) {
      return { accepted: 0, duplicate: true };
    }
    const p = batch.points;
    const columns = [
      p.map((x) => x.version),
      p.map((x) => x.timestamp),
      p.map((x) => x.requests),
      p.map((x) => x.errors),
      p.map((x) => x.sqlstate ?? ''),
      p.map((x) => x.route ?? ''),
    ];
    await client.query(
      `INSERT INTO expand_contract.metric_points (service, version, at, requests, errors, sqlstate, route)
       SELECT $1, * FROM unnest($2::text[], $3::timestamptz[], $4::int[], $5::int[], $6::text[], $7::text[])`,
      [service, ...columns],
    );
    await lockMetricHours(client, 'app', service, columns[1] as string[], columns[4] as string[]);
    // Sorted by the key, so concurrent batches touching the same minutes lock them in one order (no deadlock).
    await client.query(
      `INSERT INTO expand_contract.metric_minutes AS m (source, service, minute, version, sqlstate, route, requests, errors)
       SELECT 'app', $1, date_trunc('minute', at), version, sqlstate, route, sum(requests), sum(errors)
         FROM unnest($2::text[], $3::timestamptz[], $4::int[], $5::int[], $6::text[], $7::text[]) AS p (version, at, requests, errors, sqlstate, route)
        GROUP BY 3, 4, 5, 6
        ORDER BY 3, 4, 5, 6
       ON CONFLICT (source, service, minute, version, sqlstate, route)
       DO UPDATE SET requests = m.requests + excluded.requests, errors = m.errors + excluded.errors`,
      [service, ...columns],
    );
    return { accepted: p.length, duplicate: false };
  });
}
