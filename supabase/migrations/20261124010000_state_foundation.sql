-- The dashboard's own tables live in their own schema, so they never mix with an
-- application's tables and are not exposed by Supabase's API (only `public` is, by default).
CREATE SCHEMA IF NOT EXISTS expand_contract;

-- Team-wide settings, one row per key. Values are JSON so a setting can grow without a migration.
CREATE TABLE IF NOT EXISTS expand_contract.settings (
  key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]*$'),
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO expand_contract.settings (key, value) VALUES
  ('team_time_zone', '"UTC"'),
  ('workweek', '{"days": ["mon", "tue", "wed", "thu", "fri"]}')
ON CONFLICT (key) DO NOTHING;
