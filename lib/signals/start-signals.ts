import pg from 'pg';
import type { Env } from '../config/env';
import { describeUrl } from '../db/connection-url';
import { watchConnection } from '../db/watch-connection';
import { startRetention } from './prune-signals';
import { startLogReader } from './read-postgres-log';
import { startSampler } from './start-sampler';

export interface SignalsOptions {
  stateUrl: string;
  targetUrl: string;
  /** Set when the target is the embedded server, whose log this process can read. */
  targetLogDir?: string;
  env: Env;
  log?: (line: string) => void;
}

/**
 * Everything that gathers the contract gate's evidence in the background: the
 * pg_stat_statements sampler, the Postgres-log reader (local targets) and retention.
 */
export function startSignals(options: SignalsOptions): { logReader: boolean; stop: () => Promise<void> } {
  const { env, log } = options;
  const target = describeUrl(options.targetUrl);
  const sampler = startSampler({
    stateUrl: options.stateUrl,
    targetUrl: options.targetUrl,
    targetLabel: target,
    replicaUrls: env.TARGET_REPLICA_URLS,
    everySeconds: env.EC_SAMPLE_SECONDS,
    log: (l) => log?.(`[sampler] ${l}`),
  });
  const state = new pg.Pool({ connectionString: options.stateUrl, max: 2, application_name: 'expand-contract-signals' });
  watchConnection(state, 'state', options.stateUrl, (l) => log?.(`[signals] ${l}`));
  const reader = options.targetLogDir
    ? startLogReader(state, {
        logDir: options.targetLogDir,
        target,
        database: decodeURIComponent(new URL(options.targetUrl).pathname.slice(1)),
        everySeconds: Math.min(env.EC_SAMPLE_SECONDS, 10),
        log: (l) => log?.(`[log] ${l}`),
      })
    : null;
  const retention = startRetention(state, { rawDays: env.EC_RETENTION_RAW_DAYS, minuteDays: env.EC_RETENTION_MINUTE_DAYS }, (l) => log?.(`[retention] ${l}`));
  return {
    logReader: !!reader,
    stop: async () => {
      reader?.stop();
      retention.stop();
      await sampler.stop().catch(() => {});
      await state.end().catch(() => {});
    },
  };
}
