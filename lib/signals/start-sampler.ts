import pg from 'pg';
import { lostConnection, watchConnection } from '../db/watch-connection';
import { sampleStatements } from './sample-statements';

export interface SamplerOptions {
  stateUrl: string;
  targetUrl: string;
  /** How the state database names this target (host:port/database). */
  targetLabel: string;
  everySeconds: number;
  log?: (line: string) => void;
}

/** Samples pg_stat_statements on the target every N seconds until stopped; a failed sample is recorded, not fatal. */
export function startSampler(options: SamplerOptions): { stop: () => Promise<void> } {
  const state = new pg.Pool({ connectionString: options.stateUrl, max: 2, application_name: 'expand-contract-sampler' });
  const stateWatch = watchConnection(state, 'state', options.stateUrl, options.log);
  let running = false;
  let lastError = '';
  const tick = async () => {
    if (running) return; // a slow sample is never overlapped by the next one
    running = true;
    const target = new pg.Client({ connectionString: options.targetUrl, application_name: 'expand-contract-sampler' });
    const targetWatch = watchConnection(target, 'target', options.targetUrl);
    try {
      await target.connect();
      const result = await sampleStatements(target, state, options.targetLabel);
      if (result.error && result.error !== lastError) options.log?.(`sampler: ${result.error}`);
      lastError = result.error ?? '';
    } catch (error) {
      const lost = lostConnection(error, [targetWatch, stateWatch]);
      const message = lost ? `${lost.message}; the next sample connects again` : (error as Error).message;
      if (message !== lastError) options.log?.(`sampler: ${message}`);
      lastError = message;
      await state
        .query("INSERT INTO expand_contract.sampler_runs (target, status, error) VALUES ($1, 'error', $2)", [options.targetLabel, message])
        .catch(() => {});
    } finally {
      await target.end().catch(() => {});
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
