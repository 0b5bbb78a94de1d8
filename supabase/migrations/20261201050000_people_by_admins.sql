-- Admins manage people and the on-call rotation from the dashboard, as themselves (withActor), so
-- the database holds the same rules the server and the CLI apply (lib/auth/manage-users.ts):
-- only admins create or change accounts; an admin keeps their own account and admin role; the
-- last active admin stays; a disabled account's sessions end; shifts are whole days.

-- Creating an account: admins only. The password hash is written once, by the creating admin;
-- it stays unreadable (no SELECT on the column).
GRANT INSERT ("email", "name", "roles", "password_hash") ON "expand_contract"."users" TO authenticated;
DROP POLICY IF EXISTS "admins_create" ON "expand_contract"."users";
CREATE POLICY "admins_create" ON "expand_contract"."users" FOR INSERT TO authenticated WITH CHECK (expand_contract.has_role('admin'));

-- A person's own row is reachable by their UPDATE too, so that changing it without being an
-- admin is refused out loud by the trigger below (and WITH CHECK) instead of matching no row.
DROP POLICY IF EXISTS "admins_manage" ON "expand_contract"."users";
CREATE POLICY "admins_manage" ON "expand_contract"."users" FOR UPDATE TO authenticated
  USING ("id" = auth.uid() OR expand_contract.has_role('admin'))
  WITH CHECK (expand_contract.has_role('admin'));

-- Raises with the reason, in the order the server answers: who, then the last admin, then self.
-- Applies to a person's writes (auth.uid() set); the server's own login (the CLI, the demo seed
-- turning demo accounts off under Supabase Auth) is held to the same rules by lib/auth instead.
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
  IF OLD."id" = me AND 'admin' = ANY (OLD."roles") AND NOT 'admin' = ANY (NEW."roles") THEN
    RAISE EXCEPTION 'an admin cannot remove their own admin role' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS "people_change_rules" ON "expand_contract"."users";
CREATE TRIGGER "people_change_rules" BEFORE UPDATE OF "roles", "disabled_at" ON "expand_contract"."users"
  FOR EACH ROW EXECUTE FUNCTION "expand_contract"."check_people_change"();

-- Disabling ends every open session of the account, whoever disables it and however.
CREATE OR REPLACE FUNCTION "expand_contract"."end_sessions_of_disabled"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM "expand_contract"."sessions" s WHERE s."user_id" = NEW."id";
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS "disabled_sessions_end" ON "expand_contract"."users";
CREATE TRIGGER "disabled_sessions_end" AFTER UPDATE OF "disabled_at" ON "expand_contract"."users"
  FOR EACH ROW WHEN (NEW."disabled_at" IS NOT NULL AND OLD."disabled_at" IS NULL) EXECUTE FUNCTION "expand_contract"."end_sessions_of_disabled"();

-- The rotation's shifts (settings 'oncall'): settings stay read-only to people, so admins set
-- them through this function. The server's own login (the CLI: no person, no SET ROLE) may too.
CREATE OR REPLACE FUNCTION "expand_contract"."set_oncall_shifts"(starts_at timestamptz, shift_days int) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT (expand_contract.has_role('admin') OR (auth.uid() IS NULL AND current_setting('role') = 'none')) THEN
    RAISE EXCEPTION 'only admins set the on-call rotation' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF starts_at IS NULL OR shift_days IS NULL OR shift_days < 1 THEN
    RAISE EXCEPTION 'a shift is a whole number of days, at least 1, from a start time' USING ERRCODE = 'check_violation';
  END IF;
  UPDATE "expand_contract"."settings" SET "value" = jsonb_build_object('startsAt', starts_at, 'shiftDays', shift_days), "updated_at" = now()
   WHERE "key" = 'oncall';
END
$$;
REVOKE ALL ON FUNCTION "expand_contract"."set_oncall_shifts"(timestamptz, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "expand_contract"."set_oncall_shifts"(timestamptz, int) TO authenticated;
