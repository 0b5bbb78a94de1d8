import { quoteQualified } from '../migrations/quote';

/**
 * Whether the role that runs a migration can read every row of its table. Row-level security
 * filters silently: a backfill, a parity check and the contract's archive that see only some
 * rows report success on them, and the contract then drops values nobody copied.
 */
export interface RowAccessFacts {
  table: { schema: string; name: string };
  /** The role the executor runs as on the target, and the table's owner. */
  role: string;
  owner: string;
  rlsEnabled: boolean;
  rlsForced: boolean;
  /** The role owns the table, itself or through a role it inherits. */
  roleIsOwner: boolean;
  bypassRls: boolean;
  superuser: boolean;
}

/** Postgres applies a table's policies to this role: what it reads may be a subset of the rows. Null when it reads every row. */
export function rowSecurityProblem(f: RowAccessFacts): string | null {
  if (!f.rlsEnabled || f.superuser || f.bypassRls) return null;
  // The owner is exempt from its own table's policies unless the table forces them on it too.
  if (f.roleIsOwner && !f.rlsForced) return null;
  const table = `${f.table.schema}.${f.table.name}`;
  const why = f.roleIsOwner
    ? `${table} has FORCE ROW LEVEL SECURITY and ${f.role}, its owner, has no BYPASSRLS`
    : `${table} has row-level security and ${f.role} neither owns it (${f.owner} does) nor has BYPASSRLS`;
  const fix = f.roleIsOwner
    ? `run the migration as a role with BYPASSRLS (Supabase's postgres role has it), or ALTER TABLE ${quoteQualified(f.table.schema, f.table.name)} NO FORCE ROW LEVEL SECURITY until the contract is done`
    : `run the migration as a role with BYPASSRLS (Supabase's postgres role has it) or as ${f.owner}`;
  return `${why}: its policies may hide rows from the backfill, the parity check and the contract's archive, and the contract would drop values nobody copied; ${fix}`;
}
