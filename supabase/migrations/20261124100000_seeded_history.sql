-- Migrations written into the demo's state as a week of history, never run on the target:
-- pages label them, and the executor refuses to run their phases.
ALTER TABLE expand_contract.migrations ADD COLUMN IF NOT EXISTS seeded boolean NOT NULL DEFAULT false;
