-- A phase is asked for only in a state it may start from, judged by the database as well as the
-- server: before, the policy judged who asked and left the state to the executor (which still
-- checks it again under the migration's run lock before any step). Mirrors lib/lifecycle/
-- migration-states.ts PHASE_ALLOWED_FROM; tests/lifecycle-policies.test.ts holds both to one table.

-- Raises with the reason (as 42501), so the person reads why. The row is locked for share: the
-- state cannot move between this check and the request's commit.
CREATE OR REPLACE FUNCTION expand_contract.phase_fits_state(requested_phase text, requested_migration bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  current_status text;
  allowed text[];
BEGIN
  SELECT m."status" INTO current_status FROM "expand_contract"."migrations" m WHERE m."id" = requested_migration FOR SHARE;
  IF current_status IS NULL THEN
    RETURN false;
  END IF;
  allowed := CASE requested_phase
    WHEN 'expand' THEN ARRAY['planned', 'rolled_back']
    WHEN 'backfill' THEN ARRAY['expanded', 'backfilled', 'restored']
    WHEN 'verify' THEN ARRAY['expanded', 'backfilled', 'restored']
    WHEN 'contract' THEN ARRAY['backfilled', 'contracting', 'restored']
    WHEN 'rollback' THEN ARRAY['expanded', 'backfilled', 'restored']
    WHEN 'restore' THEN ARRAY['contracted', 'contracting']
    ELSE ARRAY[]::text[]
  END;
  IF NOT current_status = ANY (allowed) THEN
    RAISE EXCEPTION 'migration % is %: % runs only when it is %', requested_migration, current_status, requested_phase, array_to_string(allowed, ' or ')
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN true;
END
$$;

-- Who first (the same order as the server's answer), then the state. CASE keeps that order.
DROP POLICY IF EXISTS request_allowed_phase ON expand_contract.phase_requests;
CREATE POLICY request_allowed_phase ON expand_contract.phase_requests FOR INSERT TO authenticated WITH CHECK (
  CASE
    WHEN requested_by IS DISTINCT FROM auth.uid() THEN false
    WHEN (CASE
      WHEN phase IN ('contract', 'restore') THEN
        expand_contract.has_role('oncall') AND expand_contract.on_call_at(now()) = auth.uid()
        AND (SELECT m.author_id IS DISTINCT FROM auth.uid() FROM expand_contract.migrations m WHERE m.id = migration_id)
      WHEN phase = 'rollback' AND (SELECT m.deployed_at IS NOT NULL FROM expand_contract.migrations m WHERE m.id = migration_id) THEN
        expand_contract.has_role('oncall') AND expand_contract.on_call_at(now()) = auth.uid()
        AND confirmation IS NOT DISTINCT FROM (SELECT expand_contract.rollback_confirmation(m.deployed_at) FROM expand_contract.migrations m WHERE m.id = migration_id)
      ELSE
        expand_contract.has_role('author') AND (SELECT m.author_id = auth.uid() FROM expand_contract.migrations m WHERE m.id = migration_id)
        AND (phase <> 'expand' OR (
          SELECT count(DISTINCT a.approver_id) FROM expand_contract.approvals a JOIN expand_contract.migrations m ON m.id = a.migration_id
           WHERE a.migration_id = phase_requests.migration_id AND a.kind = 'plan' AND a.approver_id IS DISTINCT FROM m.author_id
        ) >= coalesce((SELECT (value #>> '{}')::int FROM expand_contract.settings WHERE key = 'plan_approvals_required'), 1))
    END) IS NOT TRUE THEN false
    ELSE expand_contract.phase_fits_state(phase, migration_id)
  END
);
