-- A rollback drops the new column. Once the deploy of code that reads it is marked, that is the
-- on-call engineer's decision, with the deploy typed out (`deploy YYYY-MM-DD HH:MM`, its mark in
-- UTC), never the author's alone. The server asks the same first; this is the second line.
ALTER TABLE expand_contract.phase_requests ADD COLUMN IF NOT EXISTS confirmation text;
GRANT INSERT (migration_id, phase, requested_by, approval_id, confirmation) ON expand_contract.phase_requests TO authenticated;

CREATE OR REPLACE FUNCTION expand_contract.rollback_confirmation(deployed_at timestamptz) RETURNS text
  LANGUAGE sql IMMUTABLE SET search_path = '' AS $$
  SELECT 'deploy ' || to_char(deployed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
$$;

DROP POLICY IF EXISTS request_allowed_phase ON expand_contract.phase_requests;
CREATE POLICY request_allowed_phase ON expand_contract.phase_requests FOR INSERT TO authenticated WITH CHECK (
  requested_by = auth.uid()
  AND CASE
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
  END
);
