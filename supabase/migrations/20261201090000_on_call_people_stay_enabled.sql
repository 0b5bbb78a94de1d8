-- A person on call (in the rotation, or with an override still to come) is not disabled: they
-- would stay named for their shift while unable to approve or run a contract, and nobody else could.
-- Mirrors lib/auth/manage-users.ts (setPersonDisabled). The rest of the function is as in
-- 20261201050000_people_by_admins.sql.
CREATE OR REPLACE FUNCTION "expand_contract"."check_people_change"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  me uuid := auth.uid();
  was_admin boolean := OLD."disabled_at" IS NULL AND 'admin' = ANY (OLD."roles");
  stays_admin boolean := NEW."disabled_at" IS NULL AND 'admin' = ANY (NEW."roles");
BEGIN
  IF me IS NULL THEN
    RETURN NEW;
  END IF;
  -- One change to the admins at a time: two admins demoting each other at once would both see
  -- the other still an admin. Taken before the checks, which then read what was committed.
  PERFORM pg_advisory_xact_lock(hashtext('expand_contract.admins'));
  IF NOT expand_contract.has_role('admin') THEN
    RAISE EXCEPTION 'only admins manage people' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF was_admin AND NOT stays_admin AND NOT EXISTS (
    SELECT 1 FROM "expand_contract"."users" u WHERE u."id" <> OLD."id" AND u."disabled_at" IS NULL AND 'admin' = ANY (u."roles")
  ) THEN
    RAISE EXCEPTION '% is the last active admin: make someone else an admin first', OLD."email" USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD."id" = me AND NEW."disabled_at" IS NOT NULL AND OLD."disabled_at" IS NULL THEN
    RAISE EXCEPTION 'an admin cannot disable their own account' USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- Disabled, a person still named for a shift could no longer approve or run a contract, and
  -- nobody else could either: they leave the rotation and their overrides first.
  IF NEW."disabled_at" IS NOT NULL AND OLD."disabled_at" IS NULL AND (
    EXISTS (SELECT 1 FROM "expand_contract"."oncall_rotation" r WHERE r."user_id" = OLD."id")
    OR EXISTS (SELECT 1 FROM "expand_contract"."oncall_overrides" o WHERE o."user_id" = OLD."id" AND o."ends_at" > now())
  ) THEN
    RAISE EXCEPTION '% is on call in the rotation or an override still to come: take them out first, then disable the account', OLD."email"
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD."id" = me AND 'admin' = ANY (OLD."roles") AND NOT 'admin' = ANY (NEW."roles") THEN
    RAISE EXCEPTION 'an admin cannot remove their own admin role' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;

-- The state checks the approval and phase-request policies call are for those policies, asked as
-- the signed-in person: not for anyone who can connect (they read a migration's status and lock
-- its row for share).
REVOKE ALL ON FUNCTION expand_contract.phase_fits_state(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION expand_contract.phase_fits_state(text, bigint) TO authenticated;
REVOKE ALL ON FUNCTION expand_contract.approval_fits_state(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION expand_contract.approval_fits_state(text, bigint) TO authenticated;
