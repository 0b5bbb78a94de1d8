-- Webhooks: the people who must act hear about it (a contract waiting for the person on call, a
-- phase that failed, a brownout put back). Admins add them, for the whole team or one migration;
-- EC_WEBHOOK_URL adds the first at start. Each event is recorded once (its key is unique), and each
-- webhook gets one delivery of it, retried with backoff by the job queue, never inside a phase.
CREATE TABLE IF NOT EXISTS "expand_contract"."webhooks" (
  "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Both are secrets (a Slack incoming-webhook URL is its own credential): the dashboard shows the
  -- host only, and the signing key once, when it is made.
  "url" text NOT NULL CHECK ("url" ~ '^https?://[^\s/]+'),
  "secret" text NOT NULL CHECK (length("secret") >= 32),
  "shown_as" text GENERATED ALWAYS AS (substring("url" from '^(https?://[^/?#]+)')) STORED,
  "format" text NOT NULL DEFAULT 'json' CHECK ("format" IN ('json', 'slack')),
  -- NULL: every migration of the team.
  "migration_id" bigint REFERENCES "expand_contract"."migrations" ("id"),
  "events" text[] NOT NULL CHECK (cardinality("events") > 0),
  -- 'env': from EC_WEBHOOK_URL; otherwise the admin who added it.
  "created_by" text NOT NULL,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "removed_at" timestamptz
);

CREATE TABLE IF NOT EXISTS "expand_contract"."webhook_events" (
  "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- What makes it one event however many processes notice it (e.g. phase.succeeded:<run id>).
  "key" text NOT NULL UNIQUE,
  "event" text NOT NULL,
  "migration_id" bigint REFERENCES "expand_contract"."migrations" ("id"),
  "payload" jsonb NOT NULL,
  "created_at" timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS "expand_contract"."webhook_deliveries" (
  "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "event_id" bigint NOT NULL REFERENCES "expand_contract"."webhook_events" ("id"),
  "webhook_id" bigint NOT NULL REFERENCES "expand_contract"."webhooks" ("id"),
  -- pending: waiting for its (next) attempt; sending: one is under way; delivered; failed: it gave up.
  "status" text NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'sending', 'delivered', 'failed')),
  "attempts" integer NOT NULL DEFAULT 0,
  "last_status" integer,
  "last_error" text,
  "sending_since" timestamptz,
  "delivered_at" timestamptz,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  UNIQUE ("event_id", "webhook_id")
);
CREATE INDEX IF NOT EXISTS "webhook_deliveries_recent" ON "expand_contract"."webhook_deliveries" ("created_at" DESC);

-- People read what the admin page shows, never the URL or the key: column grants, on top of the
-- server never selecting them for a page.
ALTER TABLE "expand_contract"."webhooks" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "expand_contract"."webhook_events" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "expand_contract"."webhook_deliveries" ENABLE ROW LEVEL SECURITY;
GRANT SELECT ("id", "shown_as", "format", "migration_id", "events", "created_by", "created_at", "removed_at") ON "expand_contract"."webhooks" TO authenticated;
GRANT INSERT ("url", "secret", "format", "migration_id", "events", "created_by") ON "expand_contract"."webhooks" TO authenticated;
GRANT UPDATE ("removed_at") ON "expand_contract"."webhooks" TO authenticated;
GRANT SELECT ("id", "event", "migration_id", "created_at") ON "expand_contract"."webhook_events" TO authenticated;
GRANT SELECT ("id", "event_id", "webhook_id", "status", "attempts", "last_status", "last_error", "delivered_at", "created_at") ON "expand_contract"."webhook_deliveries" TO authenticated;

DROP POLICY IF EXISTS "webhooks_admins" ON "expand_contract"."webhooks";
CREATE POLICY "webhooks_admins" ON "expand_contract"."webhooks" FOR ALL TO authenticated
  USING (expand_contract.has_role('admin')) WITH CHECK (expand_contract.has_role('admin'));
DROP POLICY IF EXISTS "webhook_events_admins" ON "expand_contract"."webhook_events";
CREATE POLICY "webhook_events_admins" ON "expand_contract"."webhook_events" FOR SELECT TO authenticated USING (expand_contract.has_role('admin'));
DROP POLICY IF EXISTS "webhook_deliveries_admins" ON "expand_contract"."webhook_deliveries";
CREATE POLICY "webhook_deliveries_admins" ON "expand_contract"."webhook_deliveries" FOR SELECT TO authenticated USING (expand_contract.has_role('admin'));

-- Set when a worker hands the delivery to the job queue: two workers never both queue it.
ALTER TABLE "expand_contract"."webhook_deliveries" ADD COLUMN IF NOT EXISTS "queued_at" timestamptz;
CREATE INDEX IF NOT EXISTS "webhook_deliveries_to_queue" ON "expand_contract"."webhook_deliveries" ("id") WHERE "status" = 'pending' AND "queued_at" IS NULL;
