-- 'contracting': the contract's destructive steps have begun. Until the run records success,
-- only the contract itself (re-run) or a restore may follow, never a rollback.
ALTER TABLE expand_contract.migrations DROP CONSTRAINT IF EXISTS migrations_status_check;
ALTER TABLE expand_contract.migrations ADD CONSTRAINT migrations_status_check
  CHECK (status IN ('planned', 'expanded', 'backfilled', 'contracting', 'contracted', 'rolled_back', 'restored'));

-- Which database the migration was planned against (database name and cluster identifier),
-- so its phases never run against another one that TARGET_DATABASE_URL happens to point at.
ALTER TABLE expand_contract.migrations ADD COLUMN IF NOT EXISTS target_identity text;
