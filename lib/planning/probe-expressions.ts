import type { ClientBase, QueryConfig } from 'pg';
import { IncompatibleTypeError, ProbeRoleError, type PlanError } from '../migrations/errors';
import { quoteIdent, quoteQualified } from '../migrations/quote';
import { operationFor } from '../migrations/operations';
import { findTable, type SchemaSnapshot } from '../migrations/schema';
import { markProduct } from '../migrations/sql-text';
import type { OperationSpec } from '../migrations/types';

/**
 * A NOLOGIN role with no privileges, made for this: the planner becomes it (SET LOCAL ROLE) to let
 * Postgres type-check an author's expressions, in a READ ONLY transaction that is rolled back,
 * with a short statement_timeout. Even a function that slipped past the catalog check could then
 * neither signal another session, write a file, move a sequence nor read a table.
 */
export const PROBE_ROLE = 'expand_contract_probe';

const ADVICE = `as an admin of the target: CREATE ROLE ${PROBE_ROLE} NOLOGIN NOINHERIT; GRANT ${PROBE_ROLE} TO <the login in TARGET_DATABASE_URL>; and grant it nothing else`;

async function inOwnTransaction(target: ClientBase, sql: string): Promise<boolean> {
  await target.query("BEGIN; SET LOCAL lock_timeout = '1s'; SET LOCAL statement_timeout = '5s'");
  try {
    await target.query(sql);
    await target.query('COMMIT');
    return true;
  } catch {
    await target.query('ROLLBACK');
    return false;
  }
}

/** Makes sure the probe role exists, is no more than a name, and this login may become it. */
async function ensureProbeRole(target: ClientBase, schemas: string[]): Promise<void> {
  const read = async () =>
    (
      await target.query<{ super: boolean; bypass: boolean; login: boolean; member_of: number; may_become: boolean }>(
        markProduct(`SELECT r.rolsuper AS super, r.rolbypassrls AS bypass, r.rolcanlogin AS login,
                (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS member_of,
                pg_has_role(current_user, r.oid, 'MEMBER') AS may_become
           FROM pg_roles r WHERE r.rolname = $1`),
        [PROBE_ROLE],
      )
    ).rows[0];
  let role = await read();
  if (!role) {
    await inOwnTransaction(target, `CREATE ROLE ${quoteIdent(PROBE_ROLE)} NOLOGIN NOINHERIT`);
    role = await read();
    if (!role) throw new ProbeRoleError(PROBE_ROLE, 'does not exist, and this login may not create it', ADVICE);
  }
  if (role.super || role.bypass || role.login || role.member_of > 0) {
    throw new ProbeRoleError(
      PROBE_ROLE,
      'has privileges (superuser, BYPASSRLS, LOGIN or membership of another role): it must have none',
      `as an admin: ALTER ROLE ${PROBE_ROLE} NOSUPERUSER NOBYPASSRLS NOLOGIN, and revoke its memberships`,
    );
  }
  if (!role.may_become) {
    await inOwnTransaction(target, `GRANT ${quoteIdent(PROBE_ROLE)} TO CURRENT_USER`);
    if (!(await read())?.may_become) throw new ProbeRoleError(PROBE_ROLE, 'cannot be used by this login', ADVICE);
  }
  // Looking names up needs USAGE on their schema (the table's row type, types, functions): names only, no data.
  const missing = await target.query<{ s: string }>(
    markProduct(
      `SELECT s FROM unnest($1::text[]) AS s WHERE EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = s) AND NOT has_schema_privilege($2, s, 'USAGE')`,
    ),
    [schemas, PROBE_ROLE],
  );
  for (const { s } of missing.rows) await inOwnTransaction(target, `GRANT USAGE ON SCHEMA ${quoteIdent(s)} TO ${quoteIdent(PROBE_ROLE)}`);
}

/**
 * The extended query protocol: Postgres itself refuses a second statement in it ("cannot insert
 * multiple commands into a prepared statement"), so no text an author wrote can end the probe's
 * transaction and go on outside it, whatever got past the checks before.
 */
export const oneStatement = (text: string) => ({ text, queryMode: 'extended' }) as QueryConfig;

/**
 * Lets Postgres type-check each expression against the real column types without reading a row
 * or being able to change anything: the table's columns come from its row type (a typed NULL),
 * not from the table, and the probe runs as PROBE_ROLE, READ ONLY, rolled back, with LIMIT 0,
 * so "cannot cast boolean to integer" or "type strnig does not exist" is a planning error, not
 * a failed expand.
 */
export async function probeExpressions(target: ClientBase, spec: OperationSpec, snapshot: SchemaSnapshot): Promise<PlanError[]> {
  if (!('table' in spec)) return [];
  const table = findTable(snapshot, spec.schema, spec.table);
  const from = `FROM (SELECT (NULL::${quoteQualified(spec.schema, spec.table)}).*) AS t LIMIT 0`;
  const probes = table
    ? operationFor(spec)
        .typeProbes(spec, table)
        .map((p) => ({ ...p, sql: `SELECT ${p.select} ${from}` }))
    : [];
  if (!probes.length) return [];
  const { rows } = await target.query<{ s: string[] }>(markProduct('SELECT current_schemas(true)::text[] AS s'));
  await ensureProbeRole(target, [spec.schema, ...rows[0]!.s]);
  const errors: PlanError[] = [];
  for (const probe of probes) {
    await target.query("BEGIN READ ONLY; SET LOCAL statement_timeout = '2s'; SET LOCAL lock_timeout = '1s'");
    try {
      await target.query(`SET LOCAL ROLE ${quoteIdent(PROBE_ROLE)}`);
      await target.query(oneStatement(probe.sql));
    } catch (error) {
      const e = error as { message: string };
      errors.push(
        new IncompatibleTypeError(
          `${spec.schema}.${spec.table}`,
          spec.column,
          `${probe.field} ${probe.field === 'type' ? 'name' : 'mapping'} ${JSON.stringify(probe.expression)}: ${e.message}`,
          probe.field === 'type'
            ? 'write a type that exists on the target (integer, text, varchar(64), numeric(12,2)…)'
            : "make the expression produce the column's type, e.g. with an explicit cast or a CASE",
        ),
      );
    } finally {
      await target.query('ROLLBACK');
    }
  }
  return errors;
}
