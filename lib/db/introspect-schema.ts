import type { Queryable } from './queryable';
import type { SchemaSnapshot, TableInfo } from '../migrations/schema';

interface Row {
  schema: string;
  table: string;
  estimated_rows: string;
  total_bytes: string;
  primary_key: string[] | null;
  columns: { name: string; type: string; nullable: boolean; default: string | null; position: number }[];
}

/** Reads tables (plain and partitioned), their columns and primary keys from pg_catalog. */
export async function introspectSchema(db: Queryable, schemas: string[]): Promise<SchemaSnapshot> {
  const { rows } = await db.query<Row>(
    `SELECT n.nspname AS schema,
            c.relname AS table,
            c.reltuples::bigint AS estimated_rows,
            pg_total_relation_size(c.oid) AS total_bytes,
            (SELECT array_agg(a.attname::text ORDER BY k.ord)
               FROM pg_index i
               CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE i.indrelid = c.oid AND i.indisprimary) AS primary_key,
            (SELECT coalesce(json_agg(json_build_object(
                      'name', a.attname,
                      'type', format_type(a.atttypid, a.atttypmod),
                      'nullable', NOT a.attnotnull,
                      'default', pg_get_expr(d.adbin, d.adrelid),
                      'position', a.attnum) ORDER BY a.attnum), '[]')
               FROM pg_attribute a
               LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
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
    columns: r.columns.map((col) => ({
      name: col.name,
      type: col.type,
      nullable: col.nullable,
      defaultExpression: col.default,
      position: col.position,
    })),
  }));
  return { schemas, tables };
}
