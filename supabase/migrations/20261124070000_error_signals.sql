-- Error-rate evidence: what services report through the ingest API and what the target's
-- Postgres log says, rolled up per minute, plus the deploy mark that starts the buffer clock.

-- Bearer tokens for machines (a service reporting metrics, a CD pipeline marking a deploy).
-- Only a SHA-256 of each token is kept: tokens are 256 random bits, so a fast hash loses
-- nothing, and a leaked table cannot be replayed against the API.
CREATE TABLE IF NOT EXISTS expand_contract.api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope text NOT NULL CHECK (scope IN ('ingest', 'deploy')),
  -- ingest: the one service the token may report for. deploy: null means every migration.
  service text,
  migration_id bigint REFERENCES expand_contract.migrations (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  label text NOT NULL DEFAULT '',
  created_by text NOT NULL DEFAULT current_user,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  CHECK (scope <> 'ingest' OR (service IS NOT NULL AND migration_id IS NULL))
);

-- A batch id seen once per service: a client retrying after a timeout is not counted twice.
CREATE TABLE IF NOT EXISTS expand_contract.ingest_batches (
  service text NOT NULL,
  batch_id text NOT NULL,
  points int NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service, batch_id)
);
CREATE INDEX IF NOT EXISTS ingest_batches_by_time ON expand_contract.ingest_batches (received_at);

-- Raw points as received (kept for days), and per-minute sums (kept for months). The minute
-- table is what charts and the gate read; source tells service reports from the Postgres log.
CREATE TABLE IF NOT EXISTS expand_contract.metric_points (
  service text NOT NULL,
  version text NOT NULL,
  at timestamptz NOT NULL,
  requests int NOT NULL CHECK (requests >= 0),
  errors int NOT NULL CHECK (errors >= 0),
  sqlstate text NOT NULL DEFAULT '',
  route text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS metric_points_by_time ON expand_contract.metric_points USING brin (at);

CREATE TABLE IF NOT EXISTS expand_contract.metric_minutes (
  source text NOT NULL CHECK (source IN ('app', 'postgres')),
  service text NOT NULL,
  minute timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
  version text NOT NULL DEFAULT '',
  sqlstate text NOT NULL DEFAULT '',
  route text NOT NULL DEFAULT '',
  requests bigint NOT NULL DEFAULT 0,
  errors bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (source, service, minute, version, sqlstate, route)
);
CREATE INDEX IF NOT EXISTS metric_minutes_by_minute ON expand_contract.metric_minutes (minute);

-- Where the Postgres-log reader stopped in each log file, and when it last read: a restart
-- neither re-counts nor skips, and its reads give the log's coverage of a window.
CREATE TABLE IF NOT EXISTS expand_contract.log_reader_files (
  target text NOT NULL,
  file text NOT NULL,
  offset_bytes bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target, file)
);

-- The deploy of code that uses the new column: the buffer before contract counts from here.
ALTER TABLE expand_contract.migrations ADD COLUMN IF NOT EXISTS deployed_at timestamptz;
ALTER TABLE expand_contract.migrations ADD COLUMN IF NOT EXISTS deployed_by text;
