-- Marking a deploy, pausing a backfill and naming a migration's services, enforced by the
-- database as well as the server (lib/auth/roles.ts: deploy.mark, backfill.pause, services.set).
-- People write these as `authenticated`; a CD pipeline's token marks a deploy through the
-- server's own login after the server has checked the token's scope.

-- Who may touch a migration row to mark its deploy: its author (with the author role) or any
-- on-call engineer. Permissive policies add up, so the trigger below keeps each column to its
-- own people (the schedule stays with the author and admins).
GRANT UPDATE (deployed_at, deployed_by) ON expand_contract.migrations TO authenticated;
DROP POLICY IF EXISTS deploy_markers ON expand_contract.migrations;
CREATE POLICY deploy_markers ON expand_contract.migrations FOR UPDATE TO authenticated
  USING ((author_id = auth.uid() AND expand_contract.has_role('author')) OR expand_contract.has_role('oncall'))
  WITH CHECK ((author_id = auth.uid() AND expand_contract.has_role('author')) OR expand_contract.has_role('oncall'));

-- Which services' error rates are evidence for a migration: the ones that use its table. NULL
-- (the default) counts every service reporting to the dashboard, as before. Named by the author
-- or an admin until its first expand begins; fixed from there (the evidence window starts at the
-- expand), so a regression cannot be argued away by leaving its service out. The Postgres log of
-- the target always counts.
ALTER TABLE expand_contract.migrations ADD COLUMN IF NOT EXISTS services text[]
  CHECK (services IS NULL OR (cardinality(services) BETWEEN 1 AND 50 AND array_position(services, NULL) IS NULL));
GRANT UPDATE (services) ON expand_contract.migrations TO authenticated;
GRANT INSERT (services) ON expand_contract.migrations TO authenticated;

-- Whether an expand of the migration ever began (running, failed or done): its evidence window
-- starts there. SECURITY DEFINER: the people rules ask it without reading phase_runs themselves.
CREATE OR REPLACE FUNCTION expand_contract.expand_started(mid bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM expand_contract.phase_runs WHERE migration_id = mid AND phase = 'expand')
$$;

CREATE OR REPLACE FUNCTION expand_contract.check_migration_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  me uuid := auth.uid();
BEGIN
  -- Logins that row-level security does not bind (the owner: executor, token-checked
  -- pipelines) are not people; everyone the policies bind is judged here too.
  IF NOT row_security_active(TG_RELID) THEN
    RETURN NEW;
  END IF;
  IF NEW.schedule IS DISTINCT FROM OLD.schedule AND NOT (OLD.author_id = me OR expand_contract.has_role('admin')) THEN
    RAISE EXCEPTION 'only the author or an admin changes the schedule of migration %', OLD.id USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.services IS DISTINCT FROM OLD.services THEN
    IF NOT (OLD.author_id = me OR expand_contract.has_role('admin')) THEN
      RAISE EXCEPTION 'only the author or an admin names the services of migration %', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status <> 'planned' OR expand_contract.expand_started(OLD.id) THEN
      RAISE EXCEPTION 'the services of migration % are fixed once its expand has begun: its error evidence is judged on them from there', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  IF NEW.deployed_at IS DISTINCT FROM OLD.deployed_at OR NEW.deployed_by IS DISTINCT FROM OLD.deployed_by THEN
    IF NOT ((OLD.author_id = me AND expand_contract.has_role('author')) OR expand_contract.has_role('oncall')) THEN
      RAISE EXCEPTION 'only the author or on-call engineers mark a deploy' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status NOT IN ('expanded', 'backfilled') THEN
      RAISE EXCEPTION 'migration % is %: a deploy is marked, or taken back, only after expand and before contract', OLD.id, OLD.status USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.deployed_at IS NULL AND NEW.deployed_by IS NULL THEN
      -- Taking back a mark made by mistake: the buffer starts again at the next mark.
      RETURN NEW;
    END IF;
    IF OLD.deployed_at IS NOT NULL THEN
      RAISE EXCEPTION 'migration % was marked deployed already', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.deployed_by IS DISTINCT FROM (SELECT u.email FROM expand_contract.users u WHERE u.id = me) THEN
      RAISE EXCEPTION 'a deploy is marked in one''s own name' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- The buffer before the contract counts from this moment: a person cannot date it back.
    NEW.deployed_at := now();
  END IF;
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS migrations_people_rules ON expand_contract.migrations;
CREATE TRIGGER migrations_people_rules BEFORE UPDATE ON expand_contract.migrations
  FOR EACH ROW EXECUTE FUNCTION expand_contract.check_migration_update();

-- Pausing: the author of the migration (with the author role) or the person on call right now,
-- only a running backfill, and only a pause (cancelling belongs to the rollback phase, which the
-- executor runs, and a pending cancel is not turned into a pause).
ALTER TABLE expand_contract.backfills ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS read_signed_in ON expand_contract.backfills;
CREATE POLICY read_signed_in ON expand_contract.backfills FOR SELECT TO authenticated USING (cardinality(expand_contract.current_roles()) > 0);
DROP POLICY IF EXISTS pause_by_author_or_on_call ON expand_contract.backfills;
CREATE POLICY pause_by_author_or_on_call ON expand_contract.backfills FOR UPDATE TO authenticated
  USING (
    status = 'running' AND requested IS DISTINCT FROM 'cancel' AND (
      EXISTS (SELECT 1 FROM expand_contract.migrations m WHERE m.id = migration_id AND m.author_id = auth.uid() AND expand_contract.has_role('author'))
      OR expand_contract.on_call_at(now()) = auth.uid()
    )
  )
  WITH CHECK (requested = 'pause');
GRANT SELECT ON expand_contract.backfills TO authenticated;
GRANT UPDATE (requested, updated_at) ON expand_contract.backfills TO authenticated;
