-- A webhook URL's user:password part would be shown with the host (shown_as) and written to the audit
-- log: such URLs are refused here, as the dashboard refuses them (NOT VALID: only rows written from now).
ALTER TABLE "expand_contract"."webhooks" DROP CONSTRAINT IF EXISTS "webhooks_url_without_userinfo";
ALTER TABLE "expand_contract"."webhooks" ADD CONSTRAINT "webhooks_url_without_userinfo" CHECK ("url" !~ '^https?://[^/?#]*@') NOT VALID;

-- One webhook from EC_WEBHOOK_URL at a time: two dashboards starting together add it once, and a changed
-- EC_WEBHOOK_URL (a leaked Slack URL replaced) replaces the earlier one instead of sending to both.
UPDATE "expand_contract"."webhooks" SET "removed_at" = now()
 WHERE "created_by" = 'env' AND "removed_at" IS NULL
   AND "id" <> (SELECT max("id") FROM "expand_contract"."webhooks" WHERE "created_by" = 'env' AND "removed_at" IS NULL);
CREATE UNIQUE INDEX IF NOT EXISTS "webhooks_one_from_env" ON "expand_contract"."webhooks" ("created_by") WHERE "created_by" = 'env' AND "removed_at" IS NULL;
