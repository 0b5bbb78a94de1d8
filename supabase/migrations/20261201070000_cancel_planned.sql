-- A planned migration that nothing ran of can be cancelled by its author or an admin: it leaves
-- the timeline and the open work, and its page says who cancelled it, when and why. Mirrors
-- lib/lifecycle (permissions.ts migration.cancel, migration-states.ts stateAllows); the server
-- asks the same first, and tests/lifecycle-policies.test.ts holds both to one table.

ALTER TABLE expand_contract.migrations DROP CONSTRAINT IF EXISTS migrations_status_check;
ALTER TABLE expand_contract.migrations ADD CONSTRAINT migrations_status_check
  CHECK (status IN ('planned', 'expanded', 'backfilled', 'contracting', 'contracted', 'rolled_back', 'restored', 'cancelled'));

ALTER TABLE expand_contract.migrations ADD COLUMN IF NOT EXISTS cancelled_at timestamptz;
ALTER TABLE expand_contract.migrations ADD COLUMN IF NOT EXISTS cancelled_by uuid REFERENCES expand_contract.users (id);
ALTER TABLE expand_contract.migrations ADD COLUMN IF NOT EXISTS cancel_reason text CHECK (char_length(cancel_reason) <= 500);

-- A cancelled plan no longer holds its place: the same change can be planned again.
DROP INDEX IF EXISTS expand_contract.migrations_one_open_per_intent;
CREATE UNIQUE INDEX IF NOT EXISTS migrations_one_open_per_intent
  ON expand_contract.migrations (target, plan_id) WHERE status NOT IN ('contracted', 'rolled_back', 'restored', 'cancelled');

-- The only way a person changes a migration's status. SECURITY DEFINER so that people need no
-- UPDATE on status at all; it judges who (the author with the author role, or an admin), then the
-- state (planned, and no expand ever began: a failed expand may have left objects on the target).
-- The per-migration advisory lock (lib/state/migration-lock.ts) is taken first, so a phase run
-- under way is never cancelled from under itself; the row lock keeps the state from moving
-- between the check and the commit. Raises with the reason, as 42501, so the person reads why.
CREATE OR REPLACE FUNCTION expand_contract.cancel_migration(mid bigint, reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  me uuid := auth.uid();
  m record;
BEGIN
  SELECT "id", "status", "author_id" INTO m FROM "expand_contract"."migrations" WHERE "id" = mid FOR UPDATE;
  IF m.id IS NULL THEN
    RAISE EXCEPTION 'there is no migration %', mid USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF me IS NULL OR NOT ((m.author_id = me AND expand_contract.has_role('author')) OR expand_contract.has_role('admin')) THEN
    RAISE EXCEPTION 'only the migration''s author or an admin cancels it' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NOT pg_try_advisory_xact_lock(hashtext('expand-contract:migration'), mid::int) THEN
    RAISE EXCEPTION 'migration % is busy: a phase is running', mid USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF m.status <> 'planned' THEN
    RAISE EXCEPTION 'migration % is %: only a planned migration is cancelled', mid, m.status USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF expand_contract.expand_started(mid) THEN
    RAISE EXCEPTION 'an expand of migration % began and may have left objects on the target: run the expand to the end, then roll it back', mid
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE "expand_contract"."migrations"
     SET "status" = 'cancelled', "cancelled_at" = now(), "cancelled_by" = me, "cancel_reason" = nullif(btrim(reason), ''), "updated_at" = now()
   WHERE "id" = mid;
END
$$;
REVOKE ALL ON FUNCTION expand_contract.cancel_migration(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION expand_contract.cancel_migration(bigint, text) TO authenticated;
