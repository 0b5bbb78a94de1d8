import type { Env } from '../config/env';
import { describeUrl } from '../db/connection-url';
import { DEFAULT_REGRESSION_POLICY } from '../metrics/error-regression';

/** The evidence settings every caller of the contract gate passes, from one place. */
export function gatePolicy(env: Env) {
  return {
    sampleEverySeconds: env.EC_SAMPLE_SECONDS,
    observationMinutes: env.EC_OBSERVATION_MINUTES,
    // By name only: the gate reads what the sampler recorded for them, never connects to them.
    replicas: env.TARGET_REPLICA_URLS.map(describeUrl),
    bufferMinutes: env.EC_BUFFER_MINUTES,
    regression: { ...DEFAULT_REGRESSION_POLICY, margin: env.EC_ERROR_MARGIN, minRequests: env.EC_ERROR_MIN_REQUESTS, minErrors: env.EC_ERROR_MIN_ERRORS },
  };
}
