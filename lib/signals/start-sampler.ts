import pg from 'pg';
import { redactSecrets } from '../db/connection-url';
import { lostConnection, watchConnection } from '../db/watch-connection';
import { sampleStatements } from './sample-statements';
import { targetServers, type TargetServer } from './target-servers';

export interface SamplerOptions {
  stateUrl: string;
  targetUrl: string;
  /** How the state database names this target (host:port/database). */
  targetLabel: string;
  /** TARGET_REPLICA_URLS: read replicas sampled beside the primary (the dashboard can name more). */
  replicaUrls?: readonly string[];
  everySeconds: number;
  log?: (line: string) => void;
}

/**
 * Samples pg_stat_statements every N seconds until stopped, on the target and on each of its
 * read replicas (each keeps its own counters: reads a replica serves are counted only there).
 * A failed sample is recorded for its server, not fatal: a replica that is down leaves its share
 * of the window uncovered, so "zero reads" cannot be claimed while it is.
 */
export function startSampler(options: SamplerOptions): { stop: () => Promise<void> } {
  const state = new pg.Pool({ connectionString: options.stateUrl, max: 2, application_name: 'expand-contract-sampler' });
  const stateWatch = watchConnection(state, 'state', options.stateUrl, options.log);
  let running = false;
  const lastError = new Map<string, string>();
  const report = (server: TargetServer, message: string) => {
    const line = server.role === 'primary' ? message : `replica ${server.label}: ${message}`;
    if (message && message !== lastError.get(server.label)) options.log?.(`sampler: ${line}`);
    lastError.set(server.label, message);
  };
  const sampleOne = async (server: TargetServer) => {
    const primaryTarget = server.role === 'replica' ? options.targetLabel : null;
    const label = server.role === 'primary' ? options.targetLabel : server.label;
    const target = new pg.Client({ connectionString: server.url, application_name: 'expand-contract-sampler', connectionTimeoutMillis: 5000 });
    const targetWatch = watchConnection(target, 'target', server.url);
    try {
      await target.connect();
      const result = await sampleStatements(target, state, label, { primaryTarget });
      report(server, result.error ?? '');
    } catch (error) {
      const lost = lostConnection(error, [targetWatch, stateWatch]);
      // Shown on the health panel and in gate reasons: never a connection string's password.
      const message = redactSecrets(lost ? `${lost.message}; the next sample connects again` : (error as Error).message);
      report(server, message);
      await state
        .query("INSERT INTO expand_contract.sampler_runs (target, status, error, primary_target) VALUES ($1, 'error', $2, $3)", [label, message, primaryTarget])
        .catch(() => {});
    } finally {
      await target.end().catch(() => {});
    }
  };
  const tick = async () => {
    if (running) return; // a slow sample is never overlapped by the next one
    running = true;
    try {
      const servers = await targetServers(state, options.targetUrl, options.replicaUrls ?? []).catch(() => [
        { label: options.targetLabel, url: options.targetUrl, role: 'primary' as const, source: null },
      ]);
      // At once: one replica that hangs until its connect timeout does not delay the others' samples.
      await Promise.all(servers.map(sampleOne));
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), options.everySeconds * 1000);
  return {
    stop: async () => {
      clearInterval(timer);
      await state.end().catch(() => {});
    },
  };
}
