-- When each phase of a migration is planned (the timeline's planned bars), proposed at creation
-- from the team's rhythm and editable by its author or an admin.
ALTER TABLE expand_contract.migrations ADD COLUMN IF NOT EXISTS schedule jsonb;

GRANT UPDATE (schedule, updated_at) ON expand_contract.migrations TO authenticated;
DROP POLICY IF EXISTS author_or_admin_schedules ON expand_contract.migrations;
CREATE POLICY author_or_admin_schedules ON expand_contract.migrations FOR UPDATE TO authenticated
  USING (author_id = auth.uid() OR expand_contract.has_role('admin'))
  WITH CHECK (author_id = auth.uid() OR expand_contract.has_role('admin'));
GRANT INSERT (schedule) ON expand_contract.migrations TO authenticated;
