-- A third kind of API token: 'calendar' reads the feed of scheduled phases
-- (GET /api/v1/calendar.ics) and nothing else. Calendar apps cannot send headers, so this
-- token travels in the feed's URL, where it can end up in a calendar's settings or a proxy
-- log: it must never be worth more than the schedule it shows.
ALTER TABLE "expand_contract"."api_tokens" DROP CONSTRAINT IF EXISTS "api_tokens_scope_check";
ALTER TABLE "expand_contract"."api_tokens" ADD CONSTRAINT "api_tokens_scope_check" CHECK ("scope" IN ('ingest', 'deploy', 'calendar'));

-- The feed shows every migration, so a calendar token names no service and no migration: a
-- token that looked scoped to one migration would promise a limit the feed does not keep.
ALTER TABLE "expand_contract"."api_tokens" DROP CONSTRAINT IF EXISTS "api_tokens_calendar_unscoped";
ALTER TABLE "expand_contract"."api_tokens" ADD CONSTRAINT "api_tokens_calendar_unscoped"
  CHECK ("scope" <> 'calendar' OR ("service" IS NULL AND "migration_id" IS NULL));

-- Who may create, see and revoke tokens is unchanged, and holds for the new scope as for the
-- others: admins only (policies admins_only, admins_create and admins_revoke, which name no scope).
