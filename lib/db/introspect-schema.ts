import type { Queryable } from './queryable';
import type { ColumnDependent, SchemaSnapshot, TableInfo } from '../migrations/schema';
import { PRODUCT_MARKER } from '../migrations/sql-text';

/**
 * What the planner needs to know about an index (aliases: ix = pg_index, ic = its pg_class).
 * "plain": one column in default order, collation, operator class and storage, so the same
 * index on the new column is just `CREATE INDEX … USING method (column)`.
 */
const INDEX_JSON = `SELECT json_build_object(
  'unique', ix.indisunique, 'columnCount', ix.indnatts, 'partial', ix.indpred IS NOT NULL,
  'expression', ix.indexprs IS NOT NULL, 'primary', ix.indisprimary,
  'constraint', EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = ix.indexrelid),
  'method', (SELECT amname FROM pg_am WHERE oid = ic.relam),
  'plain', ix.indoption[0] = 0
    AND (ix.indcollation[0] = 0 OR ix.indcollation[0] = (SELECT attcollation FROM pg_attribute WHERE attrelid = ix.indrelid AND attnum = ix.indkey[0]))
    AND coalesce((SELECT opcdefault FROM pg_opclass WHERE oid = ix.indclass[0]), false)
    AND ic.reloptions IS NULL
    AND NOT coalesce((to_jsonb(ix) ->> 'indnullsnotdistinct')::boolean, false))`;

interface Row {
  schema: string;
  table: string;
  estimated_rows: string;
  total_bytes: string;
  rls_enabled: boolean;
  primary_key: string[] | null;
  columns: {
    name: string;
    type: string;
    typeSchema: string;
    collation: string | null;
    nullable: boolean;
    default: string | null;
    position: number;
    identity: string;
    generated: string;
  }[];
  dependents: {
    column: string;
    kind: ColumnDependent['kind'];
    name: string;
    definition: string;
    index: ColumnDependent['index'] | null;
  }[];
}

/**
 * Reads tables (plain and partitioned), their columns, primary keys and everything that
 * depends on a column (views, indexes, constraints, policies, triggers) from pg_catalog.
 * Dependencies come from pg_depend, which is what DROP COLUMN itself consults.
 */
export async function introspectSchema(db: Queryable, schemas: string[]): Promise<SchemaSnapshot> {
  const { rows } = await db.query<Row>(
    `SELECT ${PRODUCT_MARKER} n.nspname AS schema,
            c.relname AS table,
            c.reltuples::bigint AS estimated_rows,
            pg_total_relation_size(c.oid) AS total_bytes,
            c.relrowsecurity AS rls_enabled,
            (SELECT array_agg(a.attname::text ORDER BY k.ord)
               FROM pg_index i
               CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE i.indrelid = c.oid AND i.indisprimary) AS primary_key,
            (SELECT coalesce(json_agg(json_build_object(
                      'name', a.attname,
                      'type', format_type(a.atttypid, a.atttypmod),
                      -- Where the type's operators are found: a domain's are its base type's (down any chain of domains);
                      -- citext's live in its extension's schema.
                      'typeSchema', (WITH RECURSIVE chain AS (
                                        SELECT ty.typbasetype, ty.typnamespace FROM pg_type ty WHERE ty.oid = a.atttypid
                                        UNION ALL
                                        SELECT b.typbasetype, b.typnamespace FROM chain JOIN pg_type b ON b.oid = chain.typbasetype)
                                     SELECT tn.nspname FROM chain JOIN pg_namespace tn ON tn.oid = chain.typnamespace WHERE chain.typbasetype = 0),
                      -- A collation other than the type's default, which a new column would not get by itself.
                      'collation', (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                      FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                     WHERE co.oid = a.attcollation AND a.attcollation <> 0
                                       AND a.attcollation <> (SELECT ty.typcollation FROM pg_type ty WHERE ty.oid = a.atttypid)),
                      'nullable', NOT a.attnotnull,
                      'default', pg_get_expr(d.adbin, d.adrelid),
                      'position', a.attnum,
                      'identity', a.attidentity,
                      'generated', a.attgenerated) ORDER BY a.attnum), '[]')
               FROM pg_attribute a
               LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
            (SELECT coalesce(json_agg(dep ORDER BY dep->>'column', dep->>'kind', dep->>'name'), '[]')
               FROM (
                 SELECT DISTINCT ON (a.attname, x.kind, x.name) json_build_object('column', a.attname, 'kind', x.kind, 'name', x.name, 'definition', x.definition, 'index', x.index) AS dep
                   FROM pg_depend dp
                   JOIN pg_attribute a ON a.attrelid = dp.refobjid AND a.attnum = dp.refobjsubid
                   CROSS JOIN LATERAL (
                     SELECT 'view' AS kind, r.ev_class::regclass::text AS name, pg_get_viewdef(r.ev_class) AS definition, NULL::json AS index
                       FROM pg_rewrite r WHERE dp.classid = 'pg_rewrite'::regclass AND r.oid = dp.objid AND r.ev_class <> c.oid
                     UNION ALL
                     -- A UNIQUE constraint is reported as its index: the planner can rebuild that on the new column.
                     SELECT CASE WHEN con.contype = 'u' THEN 'index' ELSE 'constraint' END, con.conname,
                            CASE WHEN con.contype = 'u' THEN pg_get_indexdef(con.conindid) ELSE pg_get_constraintdef(con.oid) END,
                            CASE WHEN con.contype = 'u' THEN (${INDEX_JSON} FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid WHERE ix.indexrelid = con.conindid) END
                       FROM pg_constraint con WHERE dp.classid = 'pg_constraint'::regclass AND con.oid = dp.objid
                        AND con.contype <> 'n' -- PostgreSQL 18 records NOT NULL as a constraint; it goes with the column
                     UNION ALL
                     SELECT 'policy', pol.polname, coalesce('USING (' || pg_get_expr(pol.polqual, pol.polrelid) || ')', '') ||
                                                   coalesce(' WITH CHECK (' || pg_get_expr(pol.polwithcheck, pol.polrelid) || ')', ''), NULL
                       FROM pg_policy pol WHERE dp.classid = 'pg_policy'::regclass AND pol.oid = dp.objid
                     UNION ALL
                     SELECT 'trigger', tg.tgname, pg_get_triggerdef(tg.oid), NULL
                       FROM pg_trigger tg WHERE dp.classid = 'pg_trigger'::regclass AND tg.oid = dp.objid
                     UNION ALL
                     SELECT 'generated-column', ga.attname, pg_get_expr(ad.adbin, ad.adrelid), NULL
                       FROM pg_attrdef ad JOIN pg_attribute ga ON ga.attrelid = ad.adrelid AND ga.attnum = ad.adnum
                      WHERE dp.classid = 'pg_attrdef'::regclass AND ad.oid = dp.objid AND ad.adnum <> a.attnum
                     UNION ALL
                     SELECT CASE dc.relkind WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' WHEN 'S' THEN 'sequence' ELSE 'other' END,
                            dc.relname,
                            CASE WHEN dc.relkind IN ('i', 'I') THEN pg_get_indexdef(dc.oid) ELSE '' END,
                            CASE WHEN dc.relkind IN ('i', 'I') THEN (${INDEX_JSON} FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid WHERE ix.indexrelid = dc.oid) END
                       FROM pg_class dc WHERE dp.classid = 'pg_class'::regclass AND dc.oid = dp.objid
                   ) x
                  WHERE dp.refclassid = 'pg_class'::regclass AND dp.refobjid = c.oid AND dp.refobjsubid > 0
                    AND dp.deptype IN ('n', 'a')
               ) deps) AS dependents
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p')
        AND NOT c.relispartition
        AND n.nspname = ANY($1::text[])
      ORDER BY n.nspname, c.relname`,
    [schemas],
  );
  const tables: TableInfo[] = rows.map((r) => ({
    schema: r.schema,
    name: r.table,
    primaryKey: r.primary_key ?? [],
    // reltuples is -1 until the first VACUUM/ANALYZE: unknown, not zero.
    estimatedRows: Number(r.estimated_rows) < 0 ? null : Number(r.estimated_rows),
    totalBytes: Number(r.total_bytes),
    rlsEnabled: r.rls_enabled,
    columns: r.columns.map((col) => ({
      name: col.name,
      type: col.type,
      typeSchema: col.typeSchema,
      ...(col.collation ? { collation: col.collation } : {}),
      nullable: col.nullable,
      defaultExpression: col.default,
      position: col.position,
      identity: col.identity as '' | 'a' | 'd',
      generated: col.generated as '' | 's' | 'v',
    })),
    dependents: r.dependents.map((d) => ({ column: d.column, kind: d.kind, name: d.name, definition: d.definition, ...(d.index ? { index: d.index } : {}) })),
  }));
  return { schemas, tables };
}
