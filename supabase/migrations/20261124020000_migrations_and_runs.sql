-- Migrations registered for execution, what ran, and where a backfill is.

CREATE TABLE IF NOT EXISTS expand_contract.migrations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The planner's deterministic id for the intent, e.g. rename-column.public.leads.user_email.contact_email.
  plan_id text NOT NULL,
  slug text NOT NULL,
  title text NOT NULL,
  spec jsonb NOT NULL,
  -- The plan as reviewed: its SQL is frozen here and is what runs, even if the planner changes later.
  plan jsonb NOT NULL,
  -- host:port/database of the target, never a connection string.
  target text NOT NULL,
  status text NOT NULL DEFAULT 'planned'
    CHECK (status IN ('planned', 'expanded', 'backfilled', 'contracted', 'rolled_back', 'restored')),
  created_by text NOT NULL DEFAULT current_user,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One live migration per intent and target: a second "rename leads.user_email" while the first is open is a mistake.
CREATE UNIQUE INDEX IF NOT EXISTS migrations_one_open_per_intent
  ON expand_contract.migrations (target, plan_id) WHERE status NOT IN ('contracted', 'rolled_back', 'restored');

CREATE TABLE IF NOT EXISTS expand_contract.phase_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  migration_id bigint NOT NULL REFERENCES expand_contract.migrations (id),
  phase text NOT NULL CHECK (phase IN ('expand', 'backfill', 'verify', 'contract', 'rollback', 'restore')),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'paused')),
  -- executor: run by the dashboard or CLI; supabase-cli: found applied in the target's migration history.
  source text NOT NULL DEFAULT 'executor' CHECK (source IN ('executor', 'supabase-cli')),
  -- The version recorded in the target's supabase_migrations.schema_migrations.
  history_version text,
  actor text NOT NULL DEFAULT current_user,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS phase_runs_by_migration ON expand_contract.phase_runs (migration_id, started_at);

CREATE TABLE IF NOT EXISTS expand_contract.step_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  phase_run_id bigint NOT NULL REFERENCES expand_contract.phase_runs (id),
  step_id text NOT NULL,
  attempts int NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
  -- Who held the lock we waited for, when a lock timeout made us retry or give up.
  blocked_by jsonb,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

-- The backfill's cursor and counters, written after every committed batch so a restart resumes.
CREATE TABLE IF NOT EXISTS expand_contract.backfills (
  migration_id bigint PRIMARY KEY REFERENCES expand_contract.migrations (id),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'paused', 'cancelled', 'done', 'failed')),
  -- Set by pause/cancel; the running backfill reads it between batches.
  requested text CHECK (requested IN ('pause', 'cancel')),
  cursor text[],
  rows_scanned bigint NOT NULL DEFAULT 0,
  rows_changed bigint NOT NULL DEFAULT 0,
  batches int NOT NULL DEFAULT 0,
  batch_size int NOT NULL,
  estimated_total bigint,
  last_batch_ms int,
  worst_batch_ms int,
  rows_per_second numeric,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE IF NOT EXISTS expand_contract.parity_checks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  migration_id bigint NOT NULL REFERENCES expand_contract.migrations (id),
  mismatched bigint NOT NULL,
  rows_checked bigint NOT NULL,
  duration_ms int NOT NULL,
  checked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS parity_checks_latest ON expand_contract.parity_checks (migration_id, checked_at DESC);
