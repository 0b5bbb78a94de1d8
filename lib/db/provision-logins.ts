import type { ClientBase } from 'pg';
import { inTransaction } from './transaction';
import { quoteIdent, quoteLiteral } from '../migrations/quote';
import { SQL_STATE, sqlState } from './sql-state';
import { AppError } from '../errors/app-error';

/** The login the dashboard, the worker and the CLI use for the state database. */
export const STATE_LOGIN = 'expand_contract_state';
/** The login they use for the target database. */
export const TARGET_LOGIN = 'expand_contract_target';
/** The role the plan's expression probe switches to: it may not log in and holds no privileges. */
export const PROBE_ROLE = 'expand_contract_probe';
/** Supabase's role for signed-in people; the data layer runs their actions as it. */
export const AUTHENTICATED_ROLE = 'authenticated';

export interface Login {
  name: string;
  password: string;
}

export interface Logins {
  state: Login;
  target: Login;
}

export class ProvisionLoginsError extends AppError {
  readonly code = 'provision-logins';
  readonly kind = 'unavailable';
  constructor(
    readonly role: string,
    readonly reason: string,
    readonly sqlstate: string | undefined,
  ) {
    super(`could not set up the login ${role}: ${reason}`);
    this.name = 'ProvisionLoginsError';
  }
}

// Shaped like Supabase's `postgres` role, minus what each side does not need. No CREATEROLE
// on either: the roles they use are created here, by the superuser, before they connect.
const STATE_ATTRIBUTES = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT';
// BYPASSRLS: the executor must read every row of tables under FORCE ROW LEVEL SECURITY.
const TARGET_ATTRIBUTES = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION BYPASSRLS INHERIT';
const PROBE_ATTRIBUTES = 'NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT';

/** Roles belong to the whole server, so another start may be creating the same one right now. */
export async function ensureRole(admin: ClientBase, name: string, attributes: string, { alter }: { alter: boolean }): Promise<void> {
  const { rowCount } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  if (!rowCount) {
    await admin.query('SAVEPOINT ensure_role');
    try {
      await admin.query(`CREATE ROLE ${quoteIdent(name)} ${attributes}`);
      await admin.query('RELEASE SAVEPOINT ensure_role');
      return;
    } catch (error) {
      await admin.query('ROLLBACK TO SAVEPOINT ensure_role');
      if (sqlState(error) !== SQL_STATE.duplicateObject && sqlState(error) !== SQL_STATE.uniqueViolation) throw error;
    }
  }
  if (alter) await admin.query(`ALTER ROLE ${quoteIdent(name)} ${attributes}`);
}

/** Makes `member` a member of `role` unless it is one already; safe against another session doing the same. */
export async function ensureMember(admin: ClientBase, role: string, member: string): Promise<void> {
  const { rows } = await admin.query<{ ok: boolean }>("SELECT pg_has_role($1, $2, 'MEMBER') AS ok", [member, role]);
  if (rows[0]!.ok) return;
  await admin.query('SAVEPOINT ensure_member');
  try {
    await admin.query(`GRANT ${quoteIdent(role)} TO ${quoteIdent(member)}`);
    await admin.query('RELEASE SAVEPOINT ensure_member');
  } catch (error) {
    await admin.query('ROLLBACK TO SAVEPOINT ensure_member');
    if (sqlState(error) !== SQL_STATE.uniqueViolation) throw error;
  }
}

/**
 * Creates (or brings back to shape) the two non-superuser logins and the roles they need,
 * connected as a superuser: the only thing the superuser is for besides creating the cluster,
 * the databases and the extensions. Passwords are (re)set to the ones given.
 *
 * - state login: owns the state database's objects; member of `authenticated`, which the data
 *   layer switches to (SET LOCAL ROLE) so the people rules judge each person's writes.
 * - target login: BYPASSRLS (see above); pg_read_all_stats, so pg_stat_statements shows every
 *   role's statements and pg_stat_replication each replica's replay position and lag (without it
 *   they are NULL, and the backfill could not wait for replicas): the least of the monitoring
 *   roles that shows both, where pg_monitor would add every setting (pg_read_all_settings) and the
 *   functions that lock tables while they scan them (pg_stat_scan_tables); member of the probe
 *   role, so the expression probe never needs CREATEROLE.
 */
export async function provisionLogins(admin: ClientBase, logins: Logins): Promise<void> {
  let current = logins.state.name;
  try {
    await inTransaction(admin, async () => {
      await admin.query("SET LOCAL lock_timeout = '10s'; SET LOCAL statement_timeout = '60s'");
      // The same attributes as the state schema gives it when it has to create it itself.
      await ensureRole(admin, AUTHENTICATED_ROLE, 'NOLOGIN', { alter: false });
      current = PROBE_ROLE;
      await ensureRole(admin, PROBE_ROLE, PROBE_ATTRIBUTES, { alter: true });
      current = logins.state.name;
      await ensureRole(admin, logins.state.name, `${STATE_ATTRIBUTES} PASSWORD ${quoteLiteral(logins.state.password)}`, { alter: true });
      await ensureMember(admin, AUTHENTICATED_ROLE, logins.state.name);
      current = logins.target.name;
      await ensureRole(admin, logins.target.name, `${TARGET_ATTRIBUTES} PASSWORD ${quoteLiteral(logins.target.password)}`, { alter: true });
      await ensureMember(admin, 'pg_read_all_stats', logins.target.name);
      await ensureMember(admin, PROBE_ROLE, logins.target.name);
    });
  } catch (error) {
    throw new ProvisionLoginsError(current, (error as Error).message, sqlState(error));
  }
}
