/**
 * The job queue (pg-boss) keeps its tables in the state database, so the pages can tell a queued
 * phase from one that never was without opening the queue itself.
 */
/** pg-boss's tables live in this schema; supabase/migrations creates them (see scripts/gen-job-queue-schema.mjs). */
export const JOB_SCHEMA = 'expand_contract_jobs';
export const RUN_PHASE_QUEUE = 'run-phase';
export const RUN_BROWNOUT_QUEUE = 'run-brownout';
export const DELIVER_WEBHOOK_QUEUE = 'deliver-webhook';
