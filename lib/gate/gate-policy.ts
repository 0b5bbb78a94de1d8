import type { Env } from '../config/env';
import { DEFAULT_REGRESSION_POLICY } from '../metrics/error-regression';

/** The evidence settings every caller of the contract gate passes, from one place. */
export function gatePolicy(env: Env) {
  return {
    sampleEverySeconds: env.EC_SAMPLE_SECONDS,
    observationMinutes: env.EC_OBSERVATION_MINUTES,
    // The gate reads what the sampler recorded for them by name, and never connects to them.
    replicaUrls: env.TARGET_REPLICA_URLS,
    bufferMinutes: env.EC_BUFFER_MINUTES,
    requireBrownout: env.EC_REQUIRE_BROWNOUT === 'on',
    regression: { ...DEFAULT_REGRESSION_POLICY, margin: env.EC_ERROR_MARGIN, minRequests: env.EC_ERROR_MIN_REQUESTS, minErrors: env.EC_ERROR_MIN_ERRORS },
  };
}
