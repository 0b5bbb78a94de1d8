-- pg_stat_statements is per server: reads served by a read replica are counted only there. Each
-- replica is sampled under its own name (host:port/database), with the primary it belongs to, so
-- "zero reads" can require every server to have been watched. Each run also keeps what it saw of the
-- server: pg_stat_statements.track (with `top`, statements inside functions are not counted) and,
-- on a replica, how far its replay was behind.
ALTER TABLE "expand_contract"."sampler_runs" ADD COLUMN IF NOT EXISTS "primary_target" text;
ALTER TABLE "expand_contract"."sampler_runs" ADD COLUMN IF NOT EXISTS "track" text;
ALTER TABLE "expand_contract"."sampler_runs" ADD COLUMN IF NOT EXISTS "lag_seconds" double precision;
CREATE INDEX IF NOT EXISTS "sampler_runs_by_primary" ON "expand_contract"."sampler_runs" ("primary_target", "sampled_at" DESC) WHERE "primary_target" IS NOT NULL;

-- The target's read replicas as admins name them in the dashboard: host and port only. The
-- sampler connects with the target's own login and database (a physical replica has the same
-- roles), so no password is ever stored here or shown.
INSERT INTO "expand_contract"."settings" ("key", "value") VALUES ('read_replicas', '[]') ON CONFLICT ("key") DO NOTHING;

CREATE OR REPLACE FUNCTION "expand_contract"."set_read_replicas"(hosts jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT (expand_contract.has_role('admin') OR (auth.uid() IS NULL AND current_setting('role') = 'none')) THEN
    RAISE EXCEPTION 'only admins change the read replicas' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF jsonb_typeof(hosts) <> 'array' OR jsonb_array_length(hosts) > 20 THEN
    RAISE EXCEPTION 'read replicas are a list of at most 20 host:port entries' USING ERRCODE = 'check_violation';
  END IF;
  -- A host name or address and a port: never a URL, so never a password.
  IF EXISTS (SELECT 1 FROM jsonb_array_elements(hosts) e
              WHERE jsonb_typeof(e) <> 'string' OR (e #>> '{}') !~ '^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?):[1-9][0-9]{0,4}$'
                 OR substring(e #>> '{}' from ':([0-9]+)$')::int > 65535) THEN
    RAISE EXCEPTION 'each read replica is host:port, e.g. db-replica-1.internal:5432' USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO "expand_contract"."settings" ("key", "value", "updated_at") VALUES ('read_replicas', hosts, now())
    ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value", "updated_at" = now();
END
$$;
REVOKE ALL ON FUNCTION "expand_contract"."set_read_replicas"(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "expand_contract"."set_read_replicas"(jsonb) TO authenticated;
