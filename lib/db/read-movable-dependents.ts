import type { ClientBase } from 'pg';
import { PRODUCT_MARKER } from '../migrations/sql-text';
import { quoteQualified } from '../migrations/quote';

/** A policy or a view that uses a column, as the catalog deparses it with only pg_catalog on the search path. */
export type MovableDependent =
  | { kind: 'policy'; schema: string; table: string; name: string; using: string | null; withCheck: string | null }
  | { kind: 'view'; schema: string; name: string; query: string; options: string[]; materialized: boolean };

interface Row {
  kind: 'policy' | 'view';
  schema: string | null;
  name: string;
  on_table: string | null;
  using: string | null;
  with_check: string | null;
  query: string | null;
  options: string[] | null;
  materialized: boolean;
}

/**
 * The policies and views that use one column of a table, with their definitions
 * deparsed while only pg_catalog is on the search path: every other name comes out qualified,
 * so the text means the same in the session that later rewrites it, whatever its search path,
 * and the contract can compare it with what it finds then (it deparses the same way).
 */
export async function readMovableDependents(client: ClientBase, schema: string, table: string, column: string): Promise<MovableDependent[]> {
  await client.query('BEGIN READ ONLY');
  try {
    await client.query('SET LOCAL search_path = pg_catalog');
    const { rows } = await client.query<Row>(
      `SELECT ${PRODUCT_MARKER} * FROM (
         -- On any table: a policy on another table may read this one's column in a subquery.
         SELECT 'policy' AS kind, pn.nspname::text AS schema, pol.polname::text AS name, pc.relname::text AS on_table,
                pg_get_expr(pol.polqual, pol.polrelid) AS using, pg_get_expr(pol.polwithcheck, pol.polrelid) AS with_check,
                NULL::text AS query, NULL::text[] AS options, false AS materialized
           FROM pg_policy pol
           JOIN pg_class pc ON pc.oid = pol.polrelid
           JOIN pg_namespace pn ON pn.oid = pc.relnamespace
          WHERE EXISTS (SELECT 1 FROM pg_depend dp
                         WHERE dp.classid = 'pg_policy'::regclass AND dp.objid = pol.oid AND dp.refclassid = 'pg_class'::regclass
                           AND dp.refobjid = $1::regclass AND dp.refobjsubid = (SELECT attnum FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2))
         UNION ALL
         SELECT 'view', vn.nspname::text, vc.relname::text, NULL, NULL, NULL, pg_get_viewdef(vc.oid), vc.reloptions, vc.relkind = 'm'
           FROM pg_class vc
           JOIN pg_namespace vn ON vn.oid = vc.relnamespace
          WHERE vc.oid <> $1::regclass
            AND EXISTS (SELECT 1 FROM pg_depend dp JOIN pg_rewrite r ON r.oid = dp.objid
                         WHERE dp.classid = 'pg_rewrite'::regclass AND r.ev_class = vc.oid AND dp.refclassid = 'pg_class'::regclass
                           AND dp.refobjid = $1::regclass AND dp.refobjsubid = (SELECT attnum FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2))
       ) d ORDER BY kind, schema, name`,
      [quoteQualified(schema, table), column],
    );
    return rows.map((r) =>
      r.kind === 'policy'
        ? { kind: 'policy', schema: r.schema!, table: r.on_table!, name: r.name, using: r.using, withCheck: r.with_check }
        : { kind: 'view', schema: r.schema!, name: r.name, query: r.query!, options: r.options ?? [], materialized: r.materialized },
    );
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
}
