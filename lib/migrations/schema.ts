/** What the planner and the dashboard know about the target database, read from its catalog. */
export interface ColumnInfo {
  name: string;
  /** format_type() output, e.g. "text", "character varying(255)", "integer". */
  type: string;
  /** The schema of the type (of a domain's base type): where its operators live. Absent in plans made before it was read. */
  typeSchema?: string;
  /** Its collation, quoted and qualified, where it is not the type's default (absent otherwise). */
  collation?: string;
  nullable: boolean;
  defaultExpression: string | null;
  position: number;
  /** 'a' always / 'd' by default for identity columns, 's' for generated (stored) columns. */
  identity: '' | 'a' | 'd';
  generated: '' | 's' | 'v';
}

export type DependentKind = 'view' | 'index' | 'constraint' | 'policy' | 'trigger' | 'generated-column' | 'sequence' | 'other';

/** Something in the catalog that refers to a column and would break or vanish with it. */
export interface ColumnDependent {
  column: string;
  kind: DependentKind;
  name: string;
  definition: string;
  /** For indexes: whether the planner can simply build the same index on the new column. */
  index?: {
    unique: boolean;
    columnCount: number;
    partial: boolean;
    expression: boolean;
    primary: boolean;
    /** Backs a UNIQUE constraint (the dependent's name is the constraint's). */
    constraint: boolean;
    method: string;
    /** Default order, collation, operator class, storage: rebuildable as a plain index. */
    plain: boolean;
  };
  /**
   * For a policy or a view: how a column swap moves it to the new column at contract, read while
   * planning; or why it cannot. Absent when it was not read (the planner then refuses the swap).
   */
  rewrite?: DependentRewrite | UsesUnclear;
}

/** Where a use of the column stands in a definition's text (JavaScript string offsets). */
export interface ColumnUse {
  start: number;
  end: number;
  /** The text before the column's own name: `l.` for `l.user_id`, empty for a bare `user_id`. */
  qualifier: string;
}

/**
 * A policy expression or a view query as the catalog deparses it with only pg_catalog on the
 * search path (so every name in it is qualified and means the same in any session), and each
 * use of one column in it. `aliases` are the ends of select-list items that are the column
 * alone, where ` AS <old name>` keeps the output name a view, or a subquery, had.
 */
export interface ColumnUses {
  text: string;
  uses: ColumnUse[];
  aliases: number[];
}

/** Why the uses cannot be told apart from other columns of that name, and what the author can do. */
export interface UsesUnclear {
  refused: string;
  advice: string;
}

export type DependentRewrite =
  /** `schema`.`table`: the table the policy is on, which need not be the column's (a subquery may read it). */
  | { kind: 'policy'; schema: string; table: string; name: string; using: ColumnUses | null; withCheck: ColumnUses | null }
  | { kind: 'view'; schema: string; name: string; query: ColumnUses; options: string[] };

export interface TableInfo {
  schema: string;
  name: string;
  columns: ColumnInfo[];
  /** Primary key columns in key order; empty when the table has none. */
  primaryKey: string[];
  /** From planner statistics; null before the table was ever analysed. */
  estimatedRows: number | null;
  totalBytes: number;
  rlsEnabled: boolean;
  dependents: ColumnDependent[];
}

export interface SchemaSnapshot {
  schemas: string[];
  tables: TableInfo[];
}

export function findTable(snapshot: SchemaSnapshot, schema: string, name: string): TableInfo | undefined {
  return snapshot.tables.find((t) => t.schema === schema && t.name === name);
}

export function findColumn(table: TableInfo, name: string): ColumnInfo | undefined {
  return table.columns.find((c) => c.name === name);
}
