import type { Pool } from 'pg';
import { samplerCoverage } from './legacy-usage';
import type { TargetServer } from './target-servers';

/** How the sampler is doing on one server, for the health panel: never its URL. */
export interface ServerHealth {
  label: string;
  role: TargetServer['role'];
  source: TargetServer['source'];
  /** ok: sampled within two periods; failing: its latest sample failed; stale: none lately; never: not once. */
  status: 'ok' | 'failing' | 'stale' | 'never';
  /** Share sampled (0–1) of the last hour, or of the time since this server was first sampled when that is shorter. */
  coverage: number;
  /** The start of that span. */
  since: Date;
  /** A replica's replay lag at its latest sample, in seconds. */
  lagSeconds: number | null;
  /** pg_stat_statements.track there: `top` leaves statements inside functions uncounted. */
  track: string | null;
  lastSampleAt: Date | null;
  lastError: string | null;
}

/** The sampler's record for each server the target's reads can be served by, over the last hour. */
export async function readServerHealth(state: Pool, servers: readonly TargetServer[], now: Date, sampleEverySeconds: number): Promise<ServerHealth[]> {
  const hourAgo = new Date(now.getTime() - 3_600_000);
  return Promise.all(
    servers.map(async (server): Promise<ServerHealth> => {
      // A dashboard started ten minutes ago has not failed to sample the fifty before: the span starts at its first sample.
      const first = await state.query<{ at: Date | null }>('SELECT min(sampled_at) AS at FROM expand_contract.sampler_runs WHERE target = $1', [server.label]);
      const since = first.rows[0]?.at && first.rows[0].at > hourAgo ? first.rows[0].at : hourAgo;
      const [covered, latest, good] = await Promise.all([
        samplerCoverage(state, server.label, since, now, sampleEverySeconds, true),
        state.query<{ sampled_at: Date; status: string; error: string | null }>(
          'SELECT sampled_at, status, error FROM expand_contract.sampler_runs WHERE target = $1 ORDER BY sampled_at DESC LIMIT 1',
          [server.label],
        ),
        state.query<{ track: string | null; lag_seconds: number | null }>(
          "SELECT track, lag_seconds FROM expand_contract.sampler_runs WHERE target = $1 AND status IN ('ok', 'baseline') ORDER BY sampled_at DESC LIMIT 1",
          [server.label],
        ),
      ]);
      const run = latest.rows[0];
      const recent = run && now.getTime() - run.sampled_at.getTime() <= sampleEverySeconds * 2000;
      const status = !run ? 'never' : run.status === 'error' ? 'failing' : recent ? 'ok' : 'stale';
      return {
        label: server.label,
        role: server.role,
        source: server.source,
        status,
        coverage: covered.coverage,
        since,
        // A lag read long ago says nothing about now.
        lagSeconds: status === 'ok' && good.rows[0]?.lag_seconds != null ? Math.max(0, good.rows[0].lag_seconds) : null,
        track: good.rows[0]?.track ?? null,
        lastSampleAt: run?.sampled_at ?? null,
        lastError: run?.status === 'error' ? run.error : null,
      };
    }),
  );
}
