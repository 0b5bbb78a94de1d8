-- An approval vouches for what comes next, so the migration's state must leave something to
-- vouch for: a plan is approved only before its expand (planned, or rolled back before a new
-- expand), a contract only where a contract could follow (backfilled, contracting, restored).
-- Mirrors lib/lifecycle/migration-states.ts (PLAN_APPROVAL_STATES, CONTRACT_APPROVAL_STATES); the
-- server asks the same first, and tests/lifecycle-policies.test.ts holds both to one table.

-- Raises with the reason rather than answering false, so the person reads why (an RLS refusal
-- alone says only "violates row-level security policy"). The row is locked for share, so the
-- state cannot move (an expand beginning) between this check and the approval's commit.
CREATE OR REPLACE FUNCTION expand_contract.approval_fits_state(approval_kind text, approved_migration bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  current_status text;
BEGIN
  SELECT m."status" INTO current_status FROM "expand_contract"."migrations" m WHERE m."id" = approved_migration FOR SHARE;
  IF current_status IS NULL THEN
    RETURN false;
  END IF;
  IF approval_kind = 'plan' AND current_status NOT IN ('planned', 'rolled_back') THEN
    RAISE EXCEPTION 'migration % is %: a plan is approved only before its expand (planned, or rolled back)', approved_migration, current_status
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF approval_kind = 'contract' AND current_status NOT IN ('backfilled', 'contracting', 'restored') THEN
    RAISE EXCEPTION 'migration % is %: a contract is approved only when one could follow (backfilled, contracting, restored)', approved_migration, current_status
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN true;
END
$$;

-- Who first (the same order as the server's answer), then the state. CASE keeps that order.
DROP POLICY IF EXISTS "approve_own_name" ON "expand_contract"."approvals";
CREATE POLICY "approve_own_name" ON "expand_contract"."approvals" FOR INSERT TO authenticated WITH CHECK (
  CASE
    WHEN "approver_id" IS DISTINCT FROM auth.uid() THEN false
    WHEN NOT (("kind" = 'plan' AND expand_contract.has_role('reviewer')) OR ("kind" = 'contract' AND expand_contract.has_role('oncall'))) THEN false
    ELSE expand_contract.approval_fits_state("kind", "migration_id")
  END
);
