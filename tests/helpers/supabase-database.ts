import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from '../../lib/db/connection-url';
import { inTransaction } from '../../lib/db/transaction';
import { AppError } from '../../lib/errors/app-error';
import { quoteIdent } from '../../lib/migrations/quote';
import { SUPABASE_ADMIN, SUPABASE_API_ROLES, SUPABASE_POSTGRES } from '../setup/provision-supabase-roles';
import { adminUrl, sqlRunner, type SqlRunner } from './test-database';

/** The server the suite runs on cannot be shaped like Supabase; the message says how to run instead. */
export class SupabaseShapeUnavailableError extends AppError {
  readonly code = 'supabase-shape-unavailable';
  readonly kind = 'unavailable';
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SupabaseShapeUnavailableError';
  }
}

export interface SupabaseDatabase extends SqlRunner {
  name: string;
  /** Supabase's non-superuser `postgres` owns the database; url, query and client connect as it, as teams and the Supabase CLI do. */
  role: typeof SUPABASE_POSTGRES;
  /** The superuser (`supabase_admin` on the suite's own servers), for what `postgres` may not do on Supabase either. */
  admin: SqlRunner;
  drop(): Promise<void>;
}

/** JWT claims as PostgREST hands them to the database for one request. */
export interface JwtClaims {
  sub?: string;
  role: string;
  [claim: string]: unknown;
}

const API_ROLES = SUPABASE_API_ROLES.map(quoteIdent).join(', ');

// What Supabase's images put in every project's database, run as its superuser. The three auth functions
// are Supabase's own definitions (request.jwt.claim.* are the settings of PostgREST before v9). Nothing is
// added to search_path: the product must find pg_stat_statements in `extensions` by itself.
const SUPABASE_DATABASE_SQL = `
  CREATE SCHEMA auth AUTHORIZATION ${SUPABASE_ADMIN};
  CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
    select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid
  $$;
  CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
    select coalesce(nullif(current_setting('request.jwt.claim.role', true), ''), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text
  $$;
  CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
    select coalesce(nullif(current_setting('request.jwt.claim', true), ''), nullif(current_setting('request.jwt.claims', true), ''))::jsonb
  $$;
  GRANT USAGE ON SCHEMA auth TO ${API_ROLES}, ${SUPABASE_POSTGRES};

  CREATE SCHEMA extensions AUTHORIZATION ${SUPABASE_ADMIN};
  GRANT USAGE ON SCHEMA extensions TO ${API_ROLES}, ${SUPABASE_POSTGRES};
  -- Only a superuser may create it: on Supabase it is there before anyone connects.
  CREATE EXTENSION pg_stat_statements SCHEMA extensions;

  -- public belongs to the database's owner, postgres. What postgres creates there is granted to the API
  -- roles by default, and row-level security is what keeps their requests apart.
  GRANT USAGE ON SCHEMA public TO ${API_ROLES};
  ALTER DEFAULT PRIVILEGES FOR ROLE ${SUPABASE_POSTGRES} IN SCHEMA public GRANT ALL ON TABLES TO ${API_ROLES};
  ALTER DEFAULT PRIVILEGES FOR ROLE ${SUPABASE_POSTGRES} IN SCHEMA public GRANT ALL ON SEQUENCES TO ${API_ROLES};
  ALTER DEFAULT PRIVILEGES FOR ROLE ${SUPABASE_POSTGRES} IN SCHEMA public GRANT ALL ON FUNCTIONS TO ${API_ROLES};
`;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * A fresh database shaped like a Supabase project's, on the server the suite runs on: owned by the
 * non-superuser `postgres` (CREATEROLE, BYPASSRLS) that global setup created with Supabase's other
 * roles, with schema `auth` and auth.uid()/role()/jwt(), schema `extensions` holding
 * pg_stat_statements, and Supabase's grants to anon, authenticated and service_role.
 * Throws SupabaseShapeUnavailableError on a server whose `postgres` is a superuser: those tests
 * must not pass there by running as a superuser.
 */
export async function createSupabaseDatabase(prefix = 'supabase'): Promise<SupabaseDatabase> {
  const shape = inject('supabase');
  if (!shape.available) throw new SupabaseShapeUnavailableError(shape.reason);
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await withClient(adminUrl(), (c) => c.query(`CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(SUPABASE_POSTGRES)}`));
  const drop = () => withClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
  try {
    await withClient(withDatabase(adminUrl(), name), (c) => inTransaction(c, () => c.query(SUPABASE_DATABASE_SQL)));
  } catch (error) {
    await drop();
    throw error;
  }

  const url = new URL(withDatabase(adminUrl(), name));
  url.username = encodeURIComponent(shape.postgres.name);
  url.password = encodeURIComponent(shape.postgres.password);
  const open: pg.Client[] = [];
  return {
    name,
    role: SUPABASE_POSTGRES,
    ...sqlRunner(url.toString(), open),
    admin: sqlRunner(withDatabase(adminUrl(), name), open),
    async drop() {
      await Promise.all(open.map((c) => c.end().catch(() => {})));
      await drop();
    },
  };
}

/**
 * Runs `fn` the way Supabase's API runs a request: in one transaction, as `role`, with the JWT's
 * claims in request.jwt.claims (both local to the transaction, as PostgREST sets them). Commits
 * when `fn` returns, rolls back when it throws. `client` must be allowed to become `role`
 * (SupabaseDatabase's `postgres` is a member of the three API roles).
 */
export async function asRole<T>(client: pg.ClientBase, claims: JwtClaims, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  return inTransaction(client, async () => {
    await client.query(`SET LOCAL ROLE ${quoteIdent(claims.role)}`);
    await client.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify(claims)]);
    return fn(client);
  });
}

/** asRole for a signed-in user: role `authenticated`, and `userId` as the claims' subject (auth.uid()). */
export function asAuthenticated<T>(client: pg.ClientBase, userId: string, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  return asRole(client, { sub: userId, role: 'authenticated' }, fn);
}
