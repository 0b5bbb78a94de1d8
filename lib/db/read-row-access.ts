import type { ClientBase } from 'pg';
import type { RowAccessFacts } from '../gate/row-security-problem';
import { quoteQualified } from '../migrations/quote';
import type { QualifiedName } from '../migrations/types';

/**
 * What decides whether row-level security applies to the current role on the table, from the
 * catalog (no rows read); null when the table does not exist. Ownership counts the way Postgres
 * counts it for policies: owning the table through an inherited role is owning it.
 */
export async function readRowAccess(client: ClientBase, table: QualifiedName): Promise<RowAccessFacts | null> {
  const { rows } = await client.query<Omit<RowAccessFacts, 'table'>>(
    `SELECT current_user AS role, pg_get_userbyid(c.relowner) AS owner, c.relrowsecurity AS "rlsEnabled", c.relforcerowsecurity AS "rlsForced",
            pg_has_role(current_user, c.relowner, 'USAGE') AS "roleIsOwner", r.rolbypassrls AS "bypassRls", r.rolsuper AS superuser
       FROM pg_class c, pg_roles r
      WHERE c.oid = to_regclass($1) AND r.rolname = current_user`,
    [quoteQualified(table.schema, table.name)],
  );
  return rows[0] ? { table: { schema: table.schema, name: table.name }, ...rows[0] } : null;
}
