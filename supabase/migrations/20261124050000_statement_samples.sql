-- What the pg_stat_statements sampler saw on each target: the evidence for "nothing reads the old column".

-- One row per sampling attempt, including failed ones, so coverage of a window can be computed.
CREATE TABLE IF NOT EXISTS expand_contract.sampler_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  target text NOT NULL,
  sampled_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL CHECK (status IN ('ok', 'baseline', 'error')),
  stats_reset timestamptz,
  statements int NOT NULL DEFAULT 0,
  reset_detected boolean NOT NULL DEFAULT false,
  error text
);
CREATE INDEX IF NOT EXISTS sampler_runs_by_target ON expand_contract.sampler_runs (target, sampled_at DESC);

-- The cumulative counters at the last sample: deltas are computed against these.
CREATE TABLE IF NOT EXISTS expand_contract.statement_counters (
  target text NOT NULL,
  queryid bigint NOT NULL,
  userid oid NOT NULL,
  calls bigint NOT NULL,
  PRIMARY KEY (target, queryid, userid)
);

-- Each distinct (normalised) statement once, so it is parsed and classified once.
CREATE TABLE IF NOT EXISTS expand_contract.statements (
  target text NOT NULL,
  queryid bigint NOT NULL,
  query text NOT NULL,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target, queryid)
);

-- Calls per statement and role in each sampling interval (the interval ends at sampled_at).
CREATE TABLE IF NOT EXISTS expand_contract.statement_calls (
  target text NOT NULL,
  sampled_at timestamptz NOT NULL,
  queryid bigint NOT NULL,
  role text NOT NULL,
  calls bigint NOT NULL CHECK (calls > 0),
  PRIMARY KEY (target, sampled_at, queryid, role)
);
