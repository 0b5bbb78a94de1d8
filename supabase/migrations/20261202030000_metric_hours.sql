-- Hourly sums of metric_minutes, kept exact by the database at every write: a chart of a week or a
-- month, and the gate's day-long windows, add up hours instead of tens of thousands of minutes.
-- Whole UTC hours (date_bin from the epoch), so the session's time zone never moves a boundary.
-- `minutes` counts the minute rows an hour holds: the hour goes when its last minute is pruned.
CREATE TABLE IF NOT EXISTS "expand_contract"."metric_hours" (
  "source" text NOT NULL,
  "service" text NOT NULL,
  "hour" timestamptz NOT NULL CHECK (date_bin('1 hour', "hour", '1970-01-01 00:00:00+00') = "hour"),
  "sqlstate" text NOT NULL DEFAULT '',
  "requests" bigint NOT NULL DEFAULT 0,
  "errors" bigint NOT NULL DEFAULT 0,
  "minutes" bigint NOT NULL DEFAULT 0,
  PRIMARY KEY ("source", "service", "hour", "sqlstate")
);
CREATE INDEX IF NOT EXISTS "metric_hours_by_hour" ON "expand_contract"."metric_hours" ("hour");

-- Statement-level triggers with transition tables: one grouped upsert per statement, however many
-- minutes it wrote (a seeded month is one statement, not 200,000 trigger calls). An ingest's
-- INSERT … ON CONFLICT DO UPDATE fires the UPDATE trigger for the minutes it added to, then the
-- INSERT trigger for those it added: two passes over the hours, each in key order but not together,
-- so the writers lock their hours first, in key order (lib/signals/lock-metric-hours.ts); two pods
-- of one service share an hour's row and would otherwise deadlock.
CREATE OR REPLACE FUNCTION "expand_contract"."roll_up_metric_minutes"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO expand_contract.metric_hours AS h (source, service, hour, sqlstate, requests, errors, minutes)
    SELECT source, service, date_bin('1 hour', minute, '1970-01-01 00:00:00+00'), sqlstate, sum(requests), sum(errors), count(*)
      FROM added GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (source, service, hour, sqlstate) DO UPDATE
      SET requests = h.requests + excluded.requests, errors = h.errors + excluded.errors, minutes = h.minutes + excluded.minutes;
  ELSIF TG_OP = 'UPDATE' THEN
    -- Old rows out and new rows in, as deltas per hour: an update may even move a minute to another hour.
    INSERT INTO expand_contract.metric_hours AS h (source, service, hour, sqlstate, requests, errors, minutes)
    SELECT source, service, hour, sqlstate, sum(requests), sum(errors), sum(minutes)
      FROM (SELECT source, service, date_bin('1 hour', minute, '1970-01-01 00:00:00+00') AS hour, sqlstate, requests, errors, 1 AS minutes FROM added
            UNION ALL
            SELECT source, service, date_bin('1 hour', minute, '1970-01-01 00:00:00+00'), sqlstate, -requests, -errors, -1 FROM removed) d
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (source, service, hour, sqlstate) DO UPDATE
      SET requests = h.requests + excluded.requests, errors = h.errors + excluded.errors, minutes = h.minutes + excluded.minutes;
    DELETE FROM expand_contract.metric_hours WHERE minutes <= 0 AND hour IN (SELECT date_bin('1 hour', minute, '1970-01-01 00:00:00+00') FROM removed);
  ELSE
    UPDATE expand_contract.metric_hours AS h
       SET requests = h.requests - d.requests, errors = h.errors - d.errors, minutes = h.minutes - d.minutes
      FROM (SELECT source, service, date_bin('1 hour', minute, '1970-01-01 00:00:00+00') AS hour, sqlstate,
                   sum(requests) AS requests, sum(errors) AS errors, count(*) AS minutes
              FROM removed GROUP BY 1, 2, 3, 4) d
     WHERE (h.source, h.service, h.hour, h.sqlstate) = (d.source, d.service, d.hour, d.sqlstate);
    DELETE FROM expand_contract.metric_hours WHERE minutes <= 0 AND hour IN (SELECT date_bin('1 hour', minute, '1970-01-01 00:00:00+00') FROM removed);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION "expand_contract"."empty_metric_hours"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  TRUNCATE expand_contract.metric_hours;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS "metric_minutes_roll_up_insert" ON "expand_contract"."metric_minutes";
DROP TRIGGER IF EXISTS "metric_minutes_roll_up_update" ON "expand_contract"."metric_minutes";
DROP TRIGGER IF EXISTS "metric_minutes_roll_up_delete" ON "expand_contract"."metric_minutes";
DROP TRIGGER IF EXISTS "metric_minutes_roll_up_truncate" ON "expand_contract"."metric_minutes";
CREATE TRIGGER "metric_minutes_roll_up_insert" AFTER INSERT ON "expand_contract"."metric_minutes"
  REFERENCING NEW TABLE AS "added" FOR EACH STATEMENT EXECUTE FUNCTION "expand_contract"."roll_up_metric_minutes"();
CREATE TRIGGER "metric_minutes_roll_up_update" AFTER UPDATE ON "expand_contract"."metric_minutes"
  REFERENCING OLD TABLE AS "removed" NEW TABLE AS "added" FOR EACH STATEMENT EXECUTE FUNCTION "expand_contract"."roll_up_metric_minutes"();
CREATE TRIGGER "metric_minutes_roll_up_delete" AFTER DELETE ON "expand_contract"."metric_minutes"
  REFERENCING OLD TABLE AS "removed" FOR EACH STATEMENT EXECUTE FUNCTION "expand_contract"."roll_up_metric_minutes"();
CREATE TRIGGER "metric_minutes_roll_up_truncate" AFTER TRUNCATE ON "expand_contract"."metric_minutes"
  FOR EACH STATEMENT EXECUTE FUNCTION "expand_contract"."empty_metric_hours"();

-- The minutes already stored, rolled up once, in one statement: the Supabase CLI applies a file's
-- statements without a transaction, and a DO block is one. Writers wait for the lock; what they wrote
-- before it is in the minutes read here, what they write after it the triggers add.
DO $$
BEGIN
  LOCK TABLE "expand_contract"."metric_minutes" IN SHARE MODE;
  TRUNCATE "expand_contract"."metric_hours";
  INSERT INTO "expand_contract"."metric_hours" ("source", "service", "hour", "sqlstate", "requests", "errors", "minutes")
  SELECT "source", "service", date_bin('1 hour', "minute", '1970-01-01 00:00:00+00'), "sqlstate", sum("requests"), sum("errors"), count(*)
    FROM "expand_contract"."metric_minutes" GROUP BY 1, 2, 3, 4;
END
$$;
