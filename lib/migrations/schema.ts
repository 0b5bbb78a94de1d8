/** What the planner and the dashboard know about the target database, read from its catalog. */
export interface ColumnInfo {
  name: string;
  /** format_type() output, e.g. "text", "character varying(255)", "integer". */
  type: string;
  nullable: boolean;
  defaultExpression: string | null;
  position: number;
}

export interface TableInfo {
  schema: string;
  name: string;
  columns: ColumnInfo[];
  /** Primary key columns in key order; empty when the table has none. */
  primaryKey: string[];
  /** From planner statistics; null before the table was ever analysed. */
  estimatedRows: number | null;
  totalBytes: number;
}

export interface SchemaSnapshot {
  schemas: string[];
  tables: TableInfo[];
}

export function findTable(snapshot: SchemaSnapshot, schema: string, name: string): TableInfo | undefined {
  return snapshot.tables.find((t) => t.schema === schema && t.name === name);
}
