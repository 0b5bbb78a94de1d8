-- A person on call (in the rotation, or with an override still to come) is not disabled: they
-- would stay named for their shift while unable to approve or run a contract, and nobody else could.
-- Mirrors lib/auth/manage-users.ts (setPersonDisabled). A trigger of its own, after
-- people_change_rules (triggers fire by name), so who may change people is judged first.
-- Applies to a person's writes; the server's own login is held to it by lib/auth (the demo seed
-- turns demo accounts off directly under Supabase Auth, the on-call one included).
CREATE OR REPLACE FUNCTION "expand_contract"."check_disable_on_call"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF auth.uid() IS NULL THEN
    RETURN NEW;
  END IF;
  IF EXISTS (SELECT 1 FROM "expand_contract"."oncall_rotation" r WHERE r."user_id" = OLD."id")
     OR EXISTS (SELECT 1 FROM "expand_contract"."oncall_overrides" o WHERE o."user_id" = OLD."id" AND o."ends_at" > now()) THEN
    RAISE EXCEPTION '% is on call in the rotation or an override still to come: take them out first, then disable the account', OLD."email"
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS "people_change_rules_on_call" ON "expand_contract"."users";
CREATE TRIGGER "people_change_rules_on_call" BEFORE UPDATE OF "disabled_at" ON "expand_contract"."users"
  FOR EACH ROW WHEN (NEW."disabled_at" IS NOT NULL AND OLD."disabled_at" IS NULL) EXECUTE FUNCTION "expand_contract"."check_disable_on_call"();

-- The state checks the approval and phase-request policies call are for those policies, asked as
-- the signed-in person: not for anyone who can connect (they read a migration's status and lock
-- its row for share).
REVOKE ALL ON FUNCTION expand_contract.phase_fits_state(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION expand_contract.phase_fits_state(text, bigint) TO authenticated;
REVOKE ALL ON FUNCTION expand_contract.approval_fits_state(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION expand_contract.approval_fits_state(text, bigint) TO authenticated;
