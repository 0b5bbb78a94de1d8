-- Brownouts: the contract rehearsed, reversibly. For a set time the old column is out of the
-- application's reach, as after the drop (it is renamed, see lib/migrations/brownout.ts), while
-- the Postgres log and the services' error rates are watched; any sign that something still reads
-- it puts it back within seconds. One row per brownout: who asked, when, how long, how it ended
-- and what broke.
CREATE TABLE IF NOT EXISTS "expand_contract"."brownouts" (
  "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "migration_id" bigint NOT NULL REFERENCES "expand_contract"."migrations" ("id"),
  -- The person who asked (dashboard), or NULL from the command line (then requested_by_name is cli:<login>).
  "requested_by" uuid REFERENCES "expand_contract"."users" ("id"),
  "requested_by_name" text NOT NULL,
  "seconds" integer NOT NULL CHECK ("seconds" BETWEEN 5 AND 3600),
  -- queued: asked for, not begun; running: the column is renamed; clean: it ran its time and nothing
  -- broke; reverted: put back early (something broke, it was stopped, or its watcher died); failed:
  -- it could not begin (the column was never renamed).
  "status" text NOT NULL DEFAULT 'queued' CHECK ("status" IN ('queued', 'running', 'clean', 'reverted', 'failed')),
  "started_at" timestamptz,
  "ends_at" timestamptz,
  "ended_at" timestamptz,
  -- The watcher writes this every second: a running brownout whose heartbeat stopped lost its watcher.
  "heartbeat_at" timestamptz,
  -- Asked to end early by a person (the page's Stop button).
  "stop_requested" boolean NOT NULL DEFAULT false,
  -- Why it ended, in words.
  "outcome" text,
  -- What broke: [{ at, source, sqlstate, message, query, application, role, count }].
  "breaks" jsonb NOT NULL DEFAULT '[]'::jsonb,
  "first_break_at" timestamptz,
  -- From the first sign of breakage to the column being back.
  "revert_ms" integer,
  "created_at" timestamptz NOT NULL DEFAULT now()
);
-- One at a time per migration: two would rename the same column twice.
CREATE UNIQUE INDEX IF NOT EXISTS "brownouts_one_at_a_time" ON "expand_contract"."brownouts" ("migration_id") WHERE "status" IN ('queued', 'running');
CREATE INDEX IF NOT EXISTS "brownouts_by_migration" ON "expand_contract"."brownouts" ("migration_id", "created_at" DESC);

-- Per migration: the contract waits for one clean brownout after the deploy (EC_REQUIRE_BROWNOUT asks it of every one).
ALTER TABLE "expand_contract"."migrations" ADD COLUMN IF NOT EXISTS "require_brownout" boolean NOT NULL DEFAULT false;

ALTER TABLE "expand_contract"."brownouts" ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON "expand_contract"."brownouts" TO authenticated;
GRANT INSERT ("migration_id", "requested_by", "requested_by_name", "seconds") ON "expand_contract"."brownouts" TO authenticated;
GRANT UPDATE ("stop_requested") ON "expand_contract"."brownouts" TO authenticated;

DROP POLICY IF EXISTS "brownouts_visible" ON "expand_contract"."brownouts";
CREATE POLICY "brownouts_visible" ON "expand_contract"."brownouts" FOR SELECT TO authenticated USING (true);

-- The database judges who may start one and when, as lib/lifecycle (permissions.ts, migration-states.ts)
-- does: the author (with the author role) or the person on call; after expand, before contract, once the
-- deploy is marked. Raises with the reason (as 42501). The migration row is locked for share, so its
-- state cannot move between this check and the commit.
CREATE OR REPLACE FUNCTION "expand_contract"."brownout_allowed"(requested_migration bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m record;
BEGIN
  SELECT "status", "author_id", "deployed_at", "seeded" INTO m FROM "expand_contract"."migrations" WHERE "id" = requested_migration FOR SHARE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF NOT ((expand_contract.has_role('author') AND m.author_id = auth.uid()) OR (expand_contract.has_role('oncall') AND expand_contract.on_call_at(now()) = auth.uid())) THEN
    RAISE EXCEPTION 'only the author or the person on call starts a brownout' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF m.seeded THEN
    RAISE EXCEPTION 'migration % is demo history: it never runs on the target', requested_migration USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF m.status NOT IN ('expanded', 'backfilled') THEN
    RAISE EXCEPTION 'migration % is %: a brownout runs only after expand and before contract', requested_migration, replace(m.status, '_', ' ')
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF m.deployed_at IS NULL THEN
    RAISE EXCEPTION 'the deploy of code using the new column is not marked yet: a brownout rehearses the drop once new code runs'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN true;
END
$$;
REVOKE ALL ON FUNCTION "expand_contract"."brownout_allowed"(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "expand_contract"."brownout_allowed"(bigint) TO authenticated;

DROP POLICY IF EXISTS "brownouts_requested" ON "expand_contract"."brownouts";
CREATE POLICY "brownouts_requested" ON "expand_contract"."brownouts" FOR INSERT TO authenticated WITH CHECK (
  CASE
    WHEN "requested_by" IS DISTINCT FROM auth.uid() THEN false
    ELSE expand_contract.brownout_allowed("migration_id")
  END
);

-- Stopping early is asked by the same people who may start one; the watcher reverts at its next look.
DROP POLICY IF EXISTS "brownouts_stopped" ON "expand_contract"."brownouts";
CREATE POLICY "brownouts_stopped" ON "expand_contract"."brownouts" FOR UPDATE TO authenticated
  USING ("status" IN ('queued', 'running'))
  WITH CHECK (
    (expand_contract.has_role('author') AND (SELECT m."author_id" = auth.uid() FROM "expand_contract"."migrations" m WHERE m."id" = "migration_id"))
    OR (expand_contract.has_role('oncall') AND expand_contract.on_call_at(now()) = auth.uid())
  );

-- Requiring a brownout of one migration is the author's or an admin's call, until its contract.
CREATE OR REPLACE FUNCTION "expand_contract"."set_require_brownout"(requested_migration bigint, required boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m record;
BEGIN
  SELECT "status", "author_id" INTO m FROM "expand_contract"."migrations" WHERE "id" = requested_migration FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no migration %', requested_migration USING ERRCODE = 'no_data_found';
  END IF;
  IF NOT (expand_contract.has_role('admin') OR (expand_contract.has_role('author') AND m.author_id = auth.uid())) THEN
    RAISE EXCEPTION 'only the author or an admin decides whether this migration needs a brownout' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF m.status NOT IN ('planned', 'expanded', 'backfilled', 'rolled_back') THEN
    RAISE EXCEPTION 'migration % is %: its gate is settled', requested_migration, replace(m.status, '_', ' ') USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE "expand_contract"."migrations" SET "require_brownout" = required WHERE "id" = requested_migration;
END
$$;
REVOKE ALL ON FUNCTION "expand_contract"."set_require_brownout"(bigint, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "expand_contract"."set_require_brownout"(bigint, boolean) TO authenticated;
