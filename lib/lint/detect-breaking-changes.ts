import { z } from 'zod';
import { findColumn, findTable, type SchemaSnapshot } from '../migrations/schema';
import type { OperationSpec } from '../migrations/types';
import { suggestCast } from './suggest-cast';
import type { LintFinding, LintSeverity, StatementInput } from './types';

/*
 * Reads libpg-query ASTs (the protobuf JSON of Postgres's own parse tree) and reports the statements that
 * break code still running against the old schema. The trees are validated with zod rather than trusted,
 * so a statement shape we do not know is skipped instead of crashing the lint.
 */

/** Unqualified names resolve through search_path; for migrations that is public in practice. */
export const DEFAULT_SCHEMA = 'public';

const StringNode = z.object({ String: z.object({ sval: z.string() }) });

export const RangeVar = z.object({ schemaname: z.string().optional(), relname: z.string() });

const TypeName = z.object({
  names: z.array(StringNode),
  typmods: z.array(z.unknown()).optional(),
  arrayBounds: z.array(z.object({ Integer: z.object({ ival: z.number().optional() }) })).optional(),
  setof: z.boolean().optional(),
  pct_type: z.boolean().optional(),
});
type TypeName = z.infer<typeof TypeName>;

const ConstraintNode = z.object({ Constraint: z.object({ contype: z.string(), raw_expr: z.unknown().optional() }) });

const ColumnDefNode = z.object({
  ColumnDef: z.object({
    colname: z.string().optional(),
    typeName: TypeName.optional(),
    constraints: z.array(z.unknown()).optional(),
    // For ALTER COLUMN … TYPE this holds the USING expression.
    raw_default: z.unknown().optional(),
  }),
});

export const AlterTableCmdNode = z.object({
  // missing_ok: IF EXISTS on DROP COLUMN, IF NOT EXISTS on ADD COLUMN.
  AlterTableCmd: z.object({ subtype: z.string(), name: z.string().optional(), def: z.unknown().optional(), missing_ok: z.boolean().optional() }),
});

/** missing_ok: ALTER TABLE IF EXISTS. */
export const RenameStmtNode = z.object({
  RenameStmt: z.object({
    renameType: z.string(),
    relationType: z.string().optional(),
    relation: RangeVar.optional(),
    subname: z.string().optional(),
    newname: z.string(),
    missing_ok: z.boolean().optional(),
  }),
});

export const AlterTableStmtNode = z.object({
  AlterTableStmt: z.object({ relation: RangeVar, cmds: z.array(z.unknown()).optional(), objtype: z.string().optional(), missing_ok: z.boolean().optional() }),
});

const CreateStmtNode = z.object({ CreateStmt: z.object({ relation: RangeVar, if_not_exists: z.boolean().optional() }) });

const AConstNode = z.object({
  A_Const: z.object({
    ival: z.object({ ival: z.number().optional() }).optional(),
    fval: z.object({ fval: z.string() }).optional(),
    sval: z.object({ sval: z.string() }).optional(),
    isnull: z.boolean().optional(),
  }),
});

interface TableRef {
  schema: string;
  table: string;
}

interface Vacated {
  how: 'dropped' | 'renamed away';
  line: number;
}

const tableKey = (t: TableRef) => JSON.stringify([t.schema, t.table]);
const columnKey = (t: TableRef, column: string) => JSON.stringify([t.schema, t.table, column]);
const toTable = (relation: z.infer<typeof RangeVar>): TableRef => ({ schema: relation.schemaname ?? DEFAULT_SCHEMA, table: relation.relname });

/** An identifier as a reader would type it: bare when that round-trips, double-quoted otherwise. */
export function displayIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** Dotted name, each part as displayIdent writes it, e.g. public.leads.user_email. */
export function displayName(...parts: string[]): string {
  return parts.map(displayIdent).join('.');
}

/**
 * Finds statements that break code still running against the database, in input order, and says
 * which expand-contract operation does the same safely. With the target's live schema, a type
 * change's mappings start from the column's real type instead of a guess.
 */
export function detectBreakingChanges(statements: readonly StatementInput[], schema?: SchemaSnapshot): LintFinding[] {
  const findings: LintFinding[] = [];
  // Nothing deployed can use a table this same input creates, so changing it breaks nobody.
  const createdTables = new Set<string>();
  // Names old code may still read with their old meaning: reusing one is the article's second breaking rename.
  const vacated = new Map<string, Vacated>();

  statements.forEach((statement, statementIndex) => {
    const add = (f: Omit<LintFinding, 'source' | 'statementIndex' | 'line' | 'column'>) =>
      findings.push({
        source: 'expand-contract',
        ...f,
        statementIndex,
        line: statement.line,
        ...(statement.column === undefined ? {} : { column: statement.column }),
      });

    const create = CreateStmtNode.safeParse(statement.stmt);
    if (create.success) {
      // IF NOT EXISTS may meet a table that exists and is in use.
      if (!create.data.CreateStmt.if_not_exists) createdTables.add(tableKey(toTable(create.data.CreateStmt.relation)));
      return;
    }

    const rename = RenameStmtNode.safeParse(statement.stmt);
    if (rename.success) {
      const r = rename.data.RenameStmt;
      if (r.renameType !== 'OBJECT_COLUMN' || r.relationType !== 'OBJECT_TABLE' || !r.relation || !r.subname) return;
      const table = toTable(r.relation);
      if (createdTables.has(tableKey(table))) return;
      const column = r.subname;
      const suggestion: OperationSpec = { kind: 'rename-column', ...table, column, newName: r.newname };
      const previous = vacated.get(columnKey(table, r.newname));
      if (previous) {
        add({
          rule: 'breaking-rename-reuses-name',
          severity: 'error',
          message:
            `renaming ${displayName(table.schema, table.table, column)} to ${displayIdent(r.newname)} reuses the name of a column ` +
            `${previous.how} on line ${previous.line}: code that reads ${displayIdent(column)} breaks, ` +
            `and code still reading ${displayIdent(r.newname)} gets different data`,
          help:
            `This is a second breaking rename, made while code reads ${displayIdent(column)}. Keep the name ` +
            `${displayIdent(column)}, or plan this rename as its own expand-contract once the first change is contracted.`,
          suggestion,
        });
      } else {
        add({
          rule: 'breaking-rename-column',
          severity: 'error',
          message: `renaming ${displayName(table.schema, table.table, column)} to ${displayIdent(r.newname)} breaks every running query that still uses ${displayIdent(column)}`,
          help:
            `Add ${displayIdent(r.newname)} beside ${displayIdent(column)}, keep both in sync, backfill, move the code, ` +
            `and drop ${displayIdent(column)} only when nothing reads it: plan it as a rename-column operation.`,
          suggestion,
        });
      }
      vacated.delete(columnKey(table, r.newname));
      vacated.set(columnKey(table, column), { how: 'renamed away', line: statement.line });
      return;
    }

    const alter = AlterTableStmtNode.safeParse(statement.stmt);
    if (!alter.success || (alter.data.AlterTableStmt.objtype ?? 'OBJECT_TABLE') !== 'OBJECT_TABLE') return;
    const table = toTable(alter.data.AlterTableStmt.relation);
    if (createdTables.has(tableKey(table))) return;
    for (const rawCmd of alter.data.AlterTableStmt.cmds ?? []) {
      const parsed = AlterTableCmdNode.safeParse(rawCmd);
      if (!parsed.success) continue;
      const cmd = parsed.data.AlterTableCmd;
      const def = ColumnDefNode.safeParse(cmd.def);
      const live = schema && cmd.name ? findTable(schema, table.schema, table.table) : undefined;
      const liveType = live && cmd.name ? findColumn(live, cmd.name)?.type : undefined;
      const finding = checkAlterTableCmd(table, cmd.subtype, cmd.name, def.success ? def.data.ColumnDef : undefined, liveType);
      if (finding) add(finding);
      if (cmd.subtype === 'AT_DropColumn' && cmd.name) vacated.set(columnKey(table, cmd.name), { how: 'dropped', line: statement.line });
      if (cmd.subtype === 'AT_AddColumn' && def.success && def.data.ColumnDef.colname) vacated.delete(columnKey(table, def.data.ColumnDef.colname));
    }
  });
  return findings;
}

type Check = { rule: string; severity: LintSeverity; message: string; help: string; suggestion?: OperationSpec };

function checkAlterTableCmd(
  table: TableRef,
  subtype: string,
  name: string | undefined,
  def: z.infer<typeof ColumnDefNode>['ColumnDef'] | undefined,
  /** The column's type on the target, when the live schema was read. */
  liveType?: string,
): Check | null {
  switch (subtype) {
    case 'AT_DropColumn': {
      if (!name) return null;
      return {
        rule: 'breaking-drop-column',
        // Safe once no code uses the column, which the SQL alone cannot tell.
        severity: 'warning',
        message: `dropping ${displayName(table.schema, table.table, name)} breaks any running code that still reads or writes it`,
        help:
          `Deploy code that no longer uses ${displayIdent(name)} first, then drop it once nothing has read it for a while: ` +
          `the drop-column operation waits for that evidence and keeps the data for a restore.`,
        suggestion: { kind: 'drop-column', ...table, column: name },
      };
    }
    case 'AT_AlterColumnType': {
      if (!name) return null;
      const newType = def?.typeName ? formatTypeName(def.typeName) : null;
      const newColumn = `${name}_new`;
      const usingNote = def?.raw_default === undefined ? '' : ' The USING expression is not carried over: put it into the forward mapping.';
      const cast = newType && liveType ? suggestCast(liveType, newType) : null;
      const mappings = cast ?? { forward: `({{old}})::${newType}`, reverse: '({{new}})::text' };
      const shown = (text: string) => text.replace('{{old}}', displayIdent(name)).replace('{{new}}', displayIdent(newColumn));
      const mapped = `forward with ${shown(mappings.forward)} and back with ${shown(mappings.reverse)}`;
      const about = cast ? `maps ${mapped}: ${cast.advice}` : `casts ${mapped}, a guess since the old type is not in this SQL.`;
      return {
        rule: 'breaking-change-column-type',
        severity: 'error',
        message:
          `changing the type of ${displayName(table.schema, table.table, name)}${liveType ? ` from ${liveType}` : ''}${newType ? ` to ${newType}` : ''} locks the table ` +
          `(ACCESS EXCLUSIVE, often a full rewrite) and breaks code that reads or writes the old type`,
        help: newType
          ? `Add ${displayIdent(newColumn)} ${newType} beside ${displayIdent(name)}, sync both ways, backfill, move the code, then drop ${displayIdent(name)}. ` +
            `Review the mappings before planning: the suggestion ${about}${usingNote}`
          : `Plan it as a change-type operation: a new column of the new type beside ${displayIdent(name)}, synced both ways, with mappings you write.`,
        ...(newType
          ? {
              suggestion: {
                kind: 'change-type',
                ...table,
                column: name,
                newColumn,
                newType,
                forward: mappings.forward,
                reverse: mappings.reverse,
              },
            }
          : {}),
      };
    }
    case 'AT_SetNotNull': {
      if (!name) return null;
      return {
        rule: 'breaking-set-not-null',
        // Breaks only code that writes NULLs, but always scans the table under the strongest lock.
        severity: 'warning',
        message:
          `SET NOT NULL on ${displayName(table.schema, table.table, name)} scans the whole table under an ACCESS EXCLUSIVE lock ` +
          `and fails writes from code that leaves ${displayIdent(name)} empty`,
        help:
          `Fill the NULLs, add CHECK (${displayIdent(name)} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL: ` +
          `the set-not-null operation plans exactly that.`,
        suggestion: { kind: 'set-not-null', ...table, column: name },
      };
    }
    case 'AT_AddColumn': {
      if (!def?.colname || !def.typeName || !isRequiredWithoutDefault(def.typeName, def.constraints ?? [])) return null;
      const type = formatTypeName(def.typeName);
      const column = def.colname;
      return {
        rule: 'breaking-add-required-column',
        severity: 'error',
        message:
          `adding ${displayName(table.schema, table.table, column)} as NOT NULL without a DEFAULT fails on a table with rows ` +
          `and breaks inserts from code that does not know the column`,
        help:
          `Give it a constant DEFAULT (no table rewrite on Postgres 11+), or add it nullable, backfill, then set NOT NULL: ` +
          `the add-column operation plans either.`,
        ...(type ? { suggestion: { kind: 'add-column', ...table, column, type, notNull: true } } : {}),
      };
    }
    default:
      return null;
  }
}

const SERIAL_TYPES = new Set(['smallserial', 'serial', 'bigserial', 'serial2', 'serial4', 'serial8']);

function isRequiredWithoutDefault(typeName: TypeName, constraints: unknown[]): boolean {
  const types = constraints.flatMap((c) => {
    const parsed = ConstraintNode.safeParse(c);
    if (!parsed.success) return [];
    const { contype, raw_expr } = parsed.data.Constraint;
    // DEFAULT NULL gives existing rows nothing to satisfy NOT NULL with.
    if (contype === 'CONSTR_DEFAULT' && AConstNode.safeParse(raw_expr).data?.A_Const.isnull) return [];
    return [contype];
  });
  const required = types.includes('CONSTR_NOTNULL') || types.includes('CONSTR_PRIMARY');
  // Identity, generated and serial columns fill existing and new rows themselves.
  const filled = types.some((t) => t === 'CONSTR_DEFAULT' || t === 'CONSTR_IDENTITY' || t === 'CONSTR_GENERATED');
  const last = typeName.names.at(-1)?.String.sval ?? '';
  return required && !filled && !(typeName.names.length === 1 && SERIAL_TYPES.has(last));
}

/** The grammar spells keyword types as pg_catalog internals; these turn them back into what people write. */
const KEYWORD_TYPES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  varchar: 'varchar',
  bpchar: 'char',
  numeric: 'numeric',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  time: 'time',
  timetz: 'timetz',
  bit: 'bit',
  varbit: 'varbit',
};

/** The type as SQL text, or null for shapes that cannot be written back faithfully (e.g. interval fields). */
function formatTypeName(typeName: TypeName): string | null {
  if (typeName.setof || typeName.pct_type) return null;
  const parts = typeName.names.map((n) => n.String.sval);
  let base: string;
  if (parts.length === 2 && parts[0] === 'pg_catalog' && parts[1]! in KEYWORD_TYPES) {
    base = KEYWORD_TYPES[parts[1]!]!;
  } else if (parts.length === 2 && parts[0] === 'pg_catalog' && parts[1] === 'interval') {
    // Interval typmods encode the field list as a bit mask.
    if (typeName.typmods?.length) return null;
    base = 'interval';
  } else {
    base = parts.map(displayIdent).join('.');
  }
  if (typeName.typmods?.length) {
    const mods: string[] = [];
    for (const mod of typeName.typmods) {
      const c = AConstNode.safeParse(mod);
      if (!c.success) return null;
      const { ival, fval, sval } = c.data.A_Const;
      if (ival) mods.push(String(ival.ival ?? 0));
      else if (fval) mods.push(fval.fval);
      else if (sval) mods.push(`'${sval.sval.replace(/'/g, "''")}'`);
      else return null;
    }
    base += `(${mods.join(',')})`;
  }
  for (const bound of typeName.arrayBounds ?? []) {
    const size = bound.Integer.ival ?? 0;
    base += size < 0 ? '[]' : `[${size}]`;
  }
  return base;
}
