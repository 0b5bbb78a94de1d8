-- An interval in which pg_stat_statements evicted entries (dealloc rose) or was reset lost
-- calls: it does not count as observed, whatever the sample says.
ALTER TABLE expand_contract.sampler_runs ADD COLUMN IF NOT EXISTS dealloc bigint;
ALTER TABLE expand_contract.sampler_runs ADD COLUMN IF NOT EXISTS lossy boolean NOT NULL DEFAULT false;
