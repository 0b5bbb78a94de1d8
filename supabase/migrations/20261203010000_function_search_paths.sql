-- Every function of the state schema runs with a search_path of its own, as the rest already do
-- (pg_catalog, pg_temp: pg_catalog first, so no schema can shadow a built-in; pg_temp last, so no
-- temporary table can stand in for one of ours). Without it a function resolves its names through
-- the caller's search_path, which the caller chooses: a schema of their own put first could swap a
-- built-in such as current_setting() under auth.uid(), which the row-level security policies call
-- in the requesting person's session. Supabase's linter reports these (function_search_path_mutable).
-- The bodies qualify every table and function of ours, so they need nothing but pg_catalog.
-- ALTER FUNCTION … SET replaces the setting: running this file again changes nothing.
-- Left alone on purpose: pg-boss's create_queue/delete_queue in expand_contract_jobs, generated
-- from pg-boss and not edited here (see 20261124030000_job_queue.sql).

ALTER FUNCTION expand_contract.audit_log_is_append_only() SET search_path = pg_catalog, pg_temp;

-- Only the auth.uid() that 20261124080000_people_and_permissions.sql created, on a plain Postgres:
-- this login owns it. Supabase's own (owned by supabase_auth_admin) is Supabase's to define.
DO $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      JOIN pg_catalog.pg_roles r ON r.oid = p.proowner
     WHERE n.nspname = 'auth' AND p.proname = 'uid' AND p.pronargs = 0 AND r.rolname = current_user
  ) THEN
    ALTER FUNCTION auth.uid() SET search_path = pg_catalog, pg_temp;
  END IF;
END
$$;
