-- A parity check or backfill that saw fewer rows than the table holds (rows hidden by row-level
-- security, rows added behind the check) proves nothing about the rows it did not see: both
-- record the table's exact row count beside the rows they processed, and the gate compares them.
-- table_rows is NULL for checks recorded before it existed; the gate asks for a new check then.
ALTER TABLE expand_contract.parity_checks ADD COLUMN IF NOT EXISTS table_rows bigint;
ALTER TABLE expand_contract.backfills ADD COLUMN IF NOT EXISTS table_rows bigint;

-- A type change's forward mapping can be lossy ('PENDING' and 'pending' both become 1) and still
-- satisfy new = forward(old): the rows whose old value the new column cannot give back, and a few
-- of those values with what they would become. NULL: the change has no way back to check.
ALTER TABLE expand_contract.parity_checks ADD COLUMN IF NOT EXISTS lossy_rows bigint;
ALTER TABLE expand_contract.parity_checks ADD COLUMN IF NOT EXISTS lossy_samples jsonb;
