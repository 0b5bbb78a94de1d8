-- Who may do what, enforced by the database as well as by the server. The server performs a
-- person's actions as the role `authenticated` with the person's id in request.jwt.claims,
-- exactly as Supabase's API does, so the row-level security policies below apply to them.

-- Supabase has both; a plain Postgres gets the same names.
DO $$
BEGIN
  -- Roles belong to the whole server: another database's migration may be creating it right now.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    BEGIN
      CREATE ROLE authenticated NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  -- The server's own login acts as `authenticated` for each request (SET LOCAL ROLE).
  IF NOT pg_has_role(current_user, 'authenticated', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT authenticated TO %I', current_user);
    EXCEPTION WHEN unique_violation THEN NULL;
    END;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'auth' AND p.proname = 'uid') THEN
    CREATE SCHEMA IF NOT EXISTS auth;
    -- Supabase's definition: the subject of the request's JWT claims.
    CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $f$
      SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid
    $f$;
  END IF;
END
$$;
DO $$
BEGIN
  -- On Supabase the auth schema belongs to supabase_auth_admin and `authenticated` can already use it.
  IF NOT has_schema_privilege('authenticated', 'auth', 'USAGE') THEN
    GRANT USAGE ON SCHEMA auth TO authenticated;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA expand_contract TO authenticated;

CREATE TABLE IF NOT EXISTS expand_contract.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
  name text NOT NULL DEFAULT '',
  -- scrypt; NULL for people who sign in through Supabase Auth (linked by auth_subject: 110000).
  password_hash text,
  roles text[] NOT NULL DEFAULT '{viewer}' CHECK (roles <@ ARRAY['viewer', 'author', 'reviewer', 'oncall', 'admin']),
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);

-- Sessions of local accounts: only a hash of the cookie's token is stored.
CREATE TABLE IF NOT EXISTS expand_contract.sessions (
  token_hash bytea PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES expand_contract.users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON expand_contract.sessions (user_id);

CREATE TABLE IF NOT EXISTS expand_contract.login_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  ok boolean NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS login_attempts_by_email ON expand_contract.login_attempts (email, at DESC);

-- Weekly on-call: people in rotation order; shift length and first handover in settings('oncall').
CREATE TABLE IF NOT EXISTS expand_contract.oncall_rotation (
  position int PRIMARY KEY CHECK (position >= 0),
  user_id uuid NOT NULL UNIQUE REFERENCES expand_contract.users (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS expand_contract.oncall_overrides (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES expand_contract.users (id) ON DELETE CASCADE,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
  reason text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO expand_contract.settings (key, value) VALUES
  ('oncall', '{"startsAt": "2026-11-23T09:00:00Z", "shiftDays": 7}'),
  ('plan_approvals_required', '1')
ON CONFLICT (key) DO NOTHING;

-- The author of a migration created in the dashboard (NULL: created from the command line).
ALTER TABLE expand_contract.migrations ADD COLUMN IF NOT EXISTS author_id uuid REFERENCES expand_contract.users (id);

CREATE TABLE IF NOT EXISTS expand_contract.approvals (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  migration_id bigint NOT NULL REFERENCES expand_contract.migrations (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('plan', 'contract')),
  approver_id uuid NOT NULL REFERENCES expand_contract.users (id),
  -- contract: the gate evidence the approver saw, and its fingerprint (a change makes the approval stale).
  evidence jsonb,
  evidence_fingerprint text,
  note text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (kind = 'plan' OR evidence_fingerprint IS NOT NULL)
);
CREATE UNIQUE INDEX IF NOT EXISTS one_plan_approval_per_reviewer ON expand_contract.approvals (migration_id, approver_id) WHERE kind = 'plan';

CREATE TABLE IF NOT EXISTS expand_contract.comments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  migration_id bigint NOT NULL REFERENCES expand_contract.migrations (id) ON DELETE CASCADE,
  author_id uuid NOT NULL REFERENCES expand_contract.users (id),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A person asking for a phase to run: the row the database checks; the job worker then runs it.
CREATE TABLE IF NOT EXISTS expand_contract.phase_requests (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  migration_id bigint NOT NULL REFERENCES expand_contract.migrations (id) ON DELETE CASCADE,
  phase text NOT NULL CHECK (phase IN ('expand', 'backfill', 'verify', 'contract', 'rollback', 'restore')),
  requested_by uuid NOT NULL REFERENCES expand_contract.users (id),
  approval_id bigint REFERENCES expand_contract.approvals (id),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Append-only: every sign-in, plan change, approval, phase run and token change.
CREATE TABLE IF NOT EXISTS expand_contract.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid,
  actor text NOT NULL,
  action text NOT NULL,
  migration_id bigint,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_log_by_time ON expand_contract.audit_log (at DESC);
CREATE INDEX IF NOT EXISTS audit_log_by_migration ON expand_contract.audit_log (migration_id, at DESC);

CREATE OR REPLACE FUNCTION expand_contract.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS audit_log_append_only ON expand_contract.audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON expand_contract.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION expand_contract.audit_log_is_append_only();

-- The requesting person's roles (none when disabled or unknown). SECURITY DEFINER: policies call
-- it without giving `authenticated` access to the users table's hashes.
CREATE OR REPLACE FUNCTION expand_contract.current_roles() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce((SELECT roles FROM expand_contract.users WHERE id = auth.uid() AND disabled_at IS NULL), '{}')
$$;
CREATE OR REPLACE FUNCTION expand_contract.has_role(wanted text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT wanted = ANY (expand_contract.current_roles())
$$;

-- Who is on call at a time: the latest override covering it, else the rotation's shift. Mirrors
-- lib/auth/on-call.ts (the same cases are tested against both).
CREATE OR REPLACE FUNCTION expand_contract.on_call_at(at timestamptz) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(
    (SELECT o.user_id FROM expand_contract.oncall_overrides o WHERE at >= o.starts_at AND at < o.ends_at ORDER BY o.created_at DESC, o.id DESC LIMIT 1),
    (WITH cfg AS (SELECT (value ->> 'startsAt')::timestamptz AS starts, greatest(1, (value ->> 'shiftDays')::int) AS days FROM expand_contract.settings WHERE key = 'oncall'),
          people AS (SELECT user_id, row_number() OVER (ORDER BY position) - 1 AS i, count(*) OVER () AS n FROM expand_contract.oncall_rotation)
     SELECT p.user_id FROM people p, cfg
      WHERE p.i = (((floor(extract(epoch FROM at - cfg.starts) / (cfg.days * 86400))::bigint % p.n) + p.n) % p.n))
  )
$$;

-- The two-person rule and the on-call rule, for every approval whoever inserts it.
CREATE OR REPLACE FUNCTION expand_contract.check_approval() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  author uuid;
BEGIN
  SELECT author_id INTO author FROM expand_contract.migrations WHERE id = NEW.migration_id;
  IF author IS NOT NULL AND author = NEW.approver_id THEN
    RAISE EXCEPTION 'the author of migration % cannot approve it: a second person must', NEW.migration_id USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.kind = 'contract' AND NEW.approver_id IS DISTINCT FROM expand_contract.on_call_at(NEW.created_at) THEN
    RAISE EXCEPTION 'only the person on call may approve a contract' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS approvals_two_person_rule ON expand_contract.approvals;
CREATE CONSTRAINT TRIGGER approvals_two_person_rule AFTER INSERT ON expand_contract.approvals
  FOR EACH ROW EXECUTE FUNCTION expand_contract.check_approval();

-- Row-level security: Supabase's way (auth.uid(), roles from the person's row).
ALTER TABLE expand_contract.migrations ENABLE ROW LEVEL SECURITY;
ALTER TABLE expand_contract.approvals ENABLE ROW LEVEL SECURITY;
ALTER TABLE expand_contract.comments ENABLE ROW LEVEL SECURITY;
ALTER TABLE expand_contract.phase_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE expand_contract.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE expand_contract.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE expand_contract.api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE expand_contract.oncall_rotation ENABLE ROW LEVEL SECURITY;
ALTER TABLE expand_contract.oncall_overrides ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS read_signed_in ON expand_contract.migrations;
CREATE POLICY read_signed_in ON expand_contract.migrations FOR SELECT TO authenticated USING (cardinality(expand_contract.current_roles()) > 0);
DROP POLICY IF EXISTS authors_create ON expand_contract.migrations;
CREATE POLICY authors_create ON expand_contract.migrations FOR INSERT TO authenticated
  WITH CHECK (expand_contract.has_role('author') AND author_id = auth.uid());
GRANT SELECT ON expand_contract.migrations TO authenticated;
GRANT INSERT (plan_id, slug, title, spec, plan, target, target_identity, author_id, created_by) ON expand_contract.migrations TO authenticated;

DROP POLICY IF EXISTS read_signed_in ON expand_contract.approvals;
CREATE POLICY read_signed_in ON expand_contract.approvals FOR SELECT TO authenticated USING (cardinality(expand_contract.current_roles()) > 0);
DROP POLICY IF EXISTS approve_own_name ON expand_contract.approvals;
CREATE POLICY approve_own_name ON expand_contract.approvals FOR INSERT TO authenticated WITH CHECK (
  approver_id = auth.uid()
  AND ((kind = 'plan' AND expand_contract.has_role('reviewer')) OR (kind = 'contract' AND expand_contract.has_role('oncall')))
);
GRANT SELECT ON expand_contract.approvals TO authenticated;
GRANT INSERT (migration_id, kind, approver_id, evidence, evidence_fingerprint, note) ON expand_contract.approvals TO authenticated;

DROP POLICY IF EXISTS read_signed_in ON expand_contract.comments;
CREATE POLICY read_signed_in ON expand_contract.comments FOR SELECT TO authenticated USING (cardinality(expand_contract.current_roles()) > 0);
DROP POLICY IF EXISTS comment_own_name ON expand_contract.comments;
CREATE POLICY comment_own_name ON expand_contract.comments FOR INSERT TO authenticated WITH CHECK (
  author_id = auth.uid() AND (expand_contract.current_roles() && ARRAY['author', 'reviewer', 'oncall', 'admin'])
);
GRANT SELECT ON expand_contract.comments TO authenticated;
GRANT INSERT (migration_id, author_id, body) ON expand_contract.comments TO authenticated;

-- Authors run the non-destructive phases of their own migrations, once the plan is approved by
-- enough reviewers; contract and restore belong to the person on call, who is not the author.
DROP POLICY IF EXISTS read_signed_in ON expand_contract.phase_requests;
CREATE POLICY read_signed_in ON expand_contract.phase_requests FOR SELECT TO authenticated USING (cardinality(expand_contract.current_roles()) > 0);
DROP POLICY IF EXISTS request_allowed_phase ON expand_contract.phase_requests;
CREATE POLICY request_allowed_phase ON expand_contract.phase_requests FOR INSERT TO authenticated WITH CHECK (
  requested_by = auth.uid()
  AND CASE
    WHEN phase IN ('contract', 'restore') THEN
      expand_contract.has_role('oncall') AND expand_contract.on_call_at(now()) = auth.uid()
      AND (SELECT m.author_id IS DISTINCT FROM auth.uid() FROM expand_contract.migrations m WHERE m.id = migration_id)
    ELSE
      expand_contract.has_role('author') AND (SELECT m.author_id = auth.uid() FROM expand_contract.migrations m WHERE m.id = migration_id)
      AND (phase <> 'expand' OR (
        SELECT count(DISTINCT a.approver_id) FROM expand_contract.approvals a JOIN expand_contract.migrations m ON m.id = a.migration_id
         WHERE a.migration_id = phase_requests.migration_id AND a.kind = 'plan' AND a.approver_id IS DISTINCT FROM m.author_id
      ) >= coalesce((SELECT (value #>> '{}')::int FROM expand_contract.settings WHERE key = 'plan_approvals_required'), 1))
  END
);
GRANT SELECT ON expand_contract.phase_requests TO authenticated;
GRANT INSERT (migration_id, phase, requested_by, approval_id) ON expand_contract.phase_requests TO authenticated;

DROP POLICY IF EXISTS read_signed_in ON expand_contract.audit_log;
CREATE POLICY read_signed_in ON expand_contract.audit_log FOR SELECT TO authenticated USING (cardinality(expand_contract.current_roles()) > 0);
DROP POLICY IF EXISTS append_own_name ON expand_contract.audit_log;
CREATE POLICY append_own_name ON expand_contract.audit_log FOR INSERT TO authenticated
  WITH CHECK (actor_id = auth.uid() AND actor = (SELECT u.email FROM expand_contract.users u WHERE u.id = auth.uid()));
GRANT SELECT ON expand_contract.audit_log TO authenticated;
GRANT INSERT (actor_id, actor, action, migration_id, detail) ON expand_contract.audit_log TO authenticated;

-- People see themselves; admins see and manage everyone. Password hashes are never readable.
DROP POLICY IF EXISTS self_or_admin ON expand_contract.users;
CREATE POLICY self_or_admin ON expand_contract.users FOR SELECT TO authenticated USING (id = auth.uid() OR expand_contract.has_role('admin'));
DROP POLICY IF EXISTS admins_manage ON expand_contract.users;
CREATE POLICY admins_manage ON expand_contract.users FOR UPDATE TO authenticated USING (expand_contract.has_role('admin')) WITH CHECK (expand_contract.has_role('admin'));
GRANT SELECT (id, email, name, roles, created_at, disabled_at) ON expand_contract.users TO authenticated;
GRANT UPDATE (name, roles, disabled_at) ON expand_contract.users TO authenticated;

DROP POLICY IF EXISTS admins_only ON expand_contract.api_tokens;
CREATE POLICY admins_only ON expand_contract.api_tokens FOR SELECT TO authenticated USING (expand_contract.has_role('admin'));
DROP POLICY IF EXISTS admins_create ON expand_contract.api_tokens;
CREATE POLICY admins_create ON expand_contract.api_tokens FOR INSERT TO authenticated WITH CHECK (expand_contract.has_role('admin'));
-- Revoking is the only change: a revoked token never comes back.
DROP POLICY IF EXISTS admins_revoke ON expand_contract.api_tokens;
CREATE POLICY admins_revoke ON expand_contract.api_tokens FOR UPDATE TO authenticated
  USING (expand_contract.has_role('admin') AND revoked_at IS NULL) WITH CHECK (expand_contract.has_role('admin') AND revoked_at IS NOT NULL);
GRANT SELECT (id, scope, service, migration_id, label, created_by, created_at, last_used_at, revoked_at) ON expand_contract.api_tokens TO authenticated;
GRANT INSERT (scope, service, migration_id, token_hash, label, created_by) ON expand_contract.api_tokens TO authenticated;
GRANT UPDATE (revoked_at) ON expand_contract.api_tokens TO authenticated;

DROP POLICY IF EXISTS read_signed_in ON expand_contract.oncall_rotation;
CREATE POLICY read_signed_in ON expand_contract.oncall_rotation FOR SELECT TO authenticated USING (cardinality(expand_contract.current_roles()) > 0);
DROP POLICY IF EXISTS admins_manage ON expand_contract.oncall_rotation;
CREATE POLICY admins_manage ON expand_contract.oncall_rotation FOR ALL TO authenticated USING (expand_contract.has_role('admin')) WITH CHECK (expand_contract.has_role('admin'));
GRANT SELECT, INSERT, UPDATE, DELETE ON expand_contract.oncall_rotation TO authenticated;
DROP POLICY IF EXISTS read_signed_in ON expand_contract.oncall_overrides;
CREATE POLICY read_signed_in ON expand_contract.oncall_overrides FOR SELECT TO authenticated USING (cardinality(expand_contract.current_roles()) > 0);
DROP POLICY IF EXISTS admins_manage ON expand_contract.oncall_overrides;
CREATE POLICY admins_manage ON expand_contract.oncall_overrides FOR ALL TO authenticated USING (expand_contract.has_role('admin')) WITH CHECK (expand_contract.has_role('admin'));
GRANT SELECT, INSERT, DELETE ON expand_contract.oncall_overrides TO authenticated;
GRANT SELECT ON expand_contract.settings TO authenticated;

-- Server-side secrets shared by every dashboard instance (the session cookie's signing key).
-- Nothing is granted on it: only the server's own login reads it.
CREATE TABLE IF NOT EXISTS expand_contract.server_secrets (
  key text PRIMARY KEY,
  value text NOT NULL
);
INSERT INTO expand_contract.server_secrets (key, value)
VALUES ('session_key', encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')), 'hex'))
ON CONFLICT (key) DO NOTHING;
