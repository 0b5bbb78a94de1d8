import type { ClientBase } from 'pg';
import { inTransaction } from '../../lib/db/transaction';
import { ensureMember, ensureRole, PROBE_ROLE, type Login } from '../../lib/db/provision-logins';
import { quoteLiteral } from '../../lib/migrations/quote';

/** Supabase's bootstrap superuser: the suite's own servers are initialised with this name, as Supabase's are. */
export const SUPABASE_ADMIN = 'supabase_admin';
/** On Supabase, the role teams (and the Supabase CLI) connect as: not a superuser. */
export const SUPABASE_POSTGRES = 'postgres';
/** The roles PostgREST switches to for each request, by the JWT's `role` claim. */
export const SUPABASE_API_ROLES = ['anon', 'authenticated', 'service_role'] as const;
/** Every role a Supabase project's database has that the suite reproduces (besides `postgres`). */
export const SUPABASE_ROLES = [...SUPABASE_API_ROLES, 'authenticator', SUPABASE_ADMIN] as const;

/**
 * Whether the server can be shaped like Supabase, and the `postgres` login when it can. A server
 * whose `postgres` is a superuser cannot: demoting someone's bootstrap superuser is not a fixture.
 */
export type SupabaseShape = { available: true; postgres: Login } | { available: false; reason: string };

// Supabase's definitions (supabase/postgres init scripts): the API roles inherit nothing, so a request
// has exactly the grants of its role; service_role is the one that ignores row-level security.
const API_ROLE_ATTRIBUTES: Record<(typeof SUPABASE_API_ROLES)[number], string> = {
  anon: 'NOLOGIN NOINHERIT NOBYPASSRLS',
  authenticated: 'NOLOGIN NOINHERIT NOBYPASSRLS',
  service_role: 'NOLOGIN NOINHERIT BYPASSRLS',
};
// PostgREST's login: NOINHERIT, so it has nothing until it switches to one of the API roles. No password
// here: nothing in the suite logs in as it.
const AUTHENTICATOR_ATTRIBUTES = 'LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS';
// Supabase's `postgres`: everything but superuser.
const POSTGRES_ATTRIBUTES = 'LOGIN NOSUPERUSER CREATEDB CREATEROLE REPLICATION BYPASSRLS INHERIT';

const notShapeable = (why: string): SupabaseShape => ({
  available: false,
  reason:
    `${why}, so the Supabase-shaped tests (a non-superuser postgres, as on Supabase) cannot run on it. ` +
    'Run them on the servers the suite starts itself: `npm test` (PostgreSQL 18) or `npm run test:pg15` (PostgreSQL 15), ' +
    `or point TEST_DATABASE_URL at a cluster whose superuser is not called postgres (initdb -U ${SUPABASE_ADMIN}).`,
});

/**
 * Creates, once per run and server-wide, the roles of a Supabase project: anon, authenticated,
 * service_role, authenticator, supabase_admin, and `postgres` as a login with CREATEROLE and
 * BYPASSRLS but no superuser, member of the three API roles (so it can act as them, as Supabase's
 * SQL editor does). Idempotent and safe against another run doing the same at once (ensureRole).
 * Connected as a superuser; the per-database part (schemas, auth.uid(), the extension) is
 * createSupabaseDatabase's.
 */
export async function provisionSupabaseRoles(admin: ClientBase, postgresPassword: string): Promise<SupabaseShape> {
  const { rows } = await admin.query<{ me: string; super: boolean | null }>(
    'SELECT current_user AS me, (SELECT rolsuper FROM pg_roles WHERE rolname = $1) AS super',
    [SUPABASE_POSTGRES],
  );
  const { me, super: postgresIsSuperuser } = rows[0]!;
  if (me === SUPABASE_POSTGRES || postgresIsSuperuser) return notShapeable(`the server's role ${SUPABASE_POSTGRES} is a superuser`);

  await inTransaction(admin, async () => {
    await admin.query("SET LOCAL lock_timeout = '10s'; SET LOCAL statement_timeout = '60s'");
    // Our own servers were initialised with it; elsewhere it only has to exist, and may not log in.
    await ensureRole(admin, SUPABASE_ADMIN, 'NOLOGIN SUPERUSER', { alter: false });
    for (const role of SUPABASE_API_ROLES) await ensureRole(admin, role, API_ROLE_ATTRIBUTES[role], { alter: true });
    await ensureRole(admin, 'authenticator', AUTHENTICATOR_ATTRIBUTES, { alter: true });
    for (const role of SUPABASE_API_ROLES) await ensureMember(admin, role, 'authenticator');

    await ensureRole(admin, SUPABASE_POSTGRES, `${POSTGRES_ATTRIBUTES} PASSWORD ${quoteLiteral(postgresPassword)}`, { alter: true });
    for (const role of SUPABASE_API_ROLES) await ensureMember(admin, role, SUPABASE_POSTGRES);
    // Supabase's postgres sees every role's statements in pg_stat_statements (the sampler relies on it).
    await ensureMember(admin, 'pg_read_all_stats', SUPABASE_POSTGRES);
    // On a fresh Supabase project the planner's probe role does not exist yet, and postgres creates it at its
    // first plan, which makes it the role's admin and lets it join. Here provisionLogins (the superuser) made
    // it first, so postgres gets the membership creating it would have given it.
    await ensureMember(admin, PROBE_ROLE, SUPABASE_POSTGRES);
  });
  return { available: true, postgres: { name: SUPABASE_POSTGRES, password: postgresPassword } };
}
