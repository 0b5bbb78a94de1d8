-- Who a phase run was for. A person's run names them through their request (the row the database
-- checked when they pressed the button), so the run and its one audit entry carry their name and id;
-- a run from the console names the operator's login. Neither is the connection's role any more.
ALTER TABLE expand_contract.phase_runs ADD COLUMN IF NOT EXISTS actor_id uuid REFERENCES expand_contract.users (id) ON DELETE SET NULL;
ALTER TABLE expand_contract.phase_runs ADD COLUMN IF NOT EXISTS request_id bigint REFERENCES expand_contract.phase_requests (id) ON DELETE SET NULL;
CREATE INDEX IF NOT EXISTS phase_runs_by_request ON expand_contract.phase_runs (request_id) WHERE request_id IS NOT NULL;
