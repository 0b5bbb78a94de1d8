import { z } from 'zod';
import type { SchemaSnapshot } from '../migrations/schema';
import { AlterTableCmdNode, AlterTableStmtNode, DEFAULT_SCHEMA, displayIdent, displayName, RangeVar, RenameStmtNode } from './detect-breaking-changes';
import type { LintFinding, StatementInput } from './types';

/*
 * Checks the tables and columns a migration names against the target's live schema, statement by
 * statement: a table this same input creates, a column it adds or renames, count from then on. A
 * statement naming something that is not there fails on the target, whatever else it would do.
 */

const StringNode = z.object({ String: z.object({ sval: z.string() }) });
const CreateStmt = z.object({ CreateStmt: z.object({ relation: RangeVar, tableElts: z.array(z.unknown()).optional() }) });
const ColumnDef = z.object({ ColumnDef: z.object({ colname: z.string() }) });
const IndexStmt = z.object({
  IndexStmt: z.object({ relation: RangeVar, indexParams: z.array(z.unknown()).optional() }),
});
const IndexElem = z.object({ IndexElem: z.object({ name: z.string().optional() }) });
const DropStmt = z.object({
  DropStmt: z.object({
    removeType: z.string(),
    objects: z.array(z.object({ List: z.object({ items: z.array(StringNode) }) })).optional(),
    missing_ok: z.boolean().optional(),
  }),
});

/** ALTER TABLE subcommands whose `name` is an existing column of the table. */
const COLUMN_SUBCOMMANDS = new Set([
  'AT_AlterColumnType',
  'AT_SetNotNull',
  'AT_DropNotNull',
  'AT_ColumnDefault',
  'AT_SetStatistics',
  'AT_SetStorage',
  'AT_SetCompression',
  'AT_SetOptions',
  'AT_ResetOptions',
  'AT_AddIdentity',
  'AT_SetIdentity',
  'AT_DropIdentity',
  'AT_DropExpression',
]);

interface TableRef {
  schema: string;
  table: string;
}

const toTable = (r: z.infer<typeof RangeVar>): TableRef => ({ schema: r.schemaname ?? DEFAULT_SCHEMA, table: r.relname });
const keyOf = (t: TableRef) => JSON.stringify([t.schema, t.table]);

/**
 * The tables and their columns as the statements judged so far leave them, starting from the live
 * schema. Passed from one file to the next when files are linted in migration order, so a table one
 * file creates is known to the files after it.
 */
export type KnownTables = Map<string, { ref: TableRef; columns: string[] }>;

export function knownTables(schema: SchemaSnapshot): KnownTables {
  const tables: KnownTables = new Map();
  for (const t of schema.tables)
    tables.set(keyOf({ schema: t.schema, table: t.name }), { ref: { schema: t.schema, table: t.name }, columns: t.columns.map((c) => c.name) });
  return tables;
}

/** How many single-character edits (a swap of two neighbours counting as one) turn a into b. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest existing name, when it is close enough to be a typo (or differs only in case). */
export function closestName(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : null;
}

const LISTED = 12;

function listOf(names: string[]): string {
  const shown = names.slice(0, LISTED).map(displayIdent).join(', ');
  return names.length > LISTED ? `${shown} and ${names.length - LISTED} more` : shown;
}

/**
 * Findings for every table and column the statements name that the live schema (as the
 * statements before it leave it) does not have, and for a column added or renamed onto a name
 * already taken. Only names in the introspected schemas are judged; IF EXISTS / IF NOT EXISTS are
 * honoured as Postgres does.
 */
export function findUnknownNames(statements: readonly StatementInput[], schema: SchemaSnapshot, tables: KnownTables = knownTables(schema)): LintFinding[] {
  const judged = (t: TableRef) => schema.schemas.includes(t.schema);
  const findings: LintFinding[] = [];

  statements.forEach((statement, statementIndex) => {
    const add = (rule: string, message: string, help: string) =>
      findings.push({
        source: 'expand-contract',
        rule,
        severity: 'error',
        message,
        help,
        statementIndex,
        line: statement.line,
        ...(statement.column === undefined ? {} : { column: statement.column }),
      });

    /** The table's columns, or null (after saying so) when the target has no such table. */
    const tableOrReport = (ref: TableRef, missingOk: boolean | undefined): string[] | null => {
      const found = tables.get(keyOf(ref));
      if (found) return found.columns;
      if (!judged(ref) || missingOk) return null;
      const inSchema = [...tables.values()].filter((t) => t.ref.schema === ref.schema).map((t) => t.ref.table);
      const close = closestName(ref.table, inSchema);
      add(
        'unknown-table',
        `table ${displayName(ref.schema, ref.table)} does not exist on the target: the statement would fail`,
        close
          ? `Did you mean ${displayName(ref.schema, close)}?`
          : inSchema.length
            ? `Tables in ${displayIdent(ref.schema)}: ${listOf(inSchema.sort())}.`
            : `Schema ${displayIdent(ref.schema)} has no tables.`,
      );
      return null;
    };
    const columnOrReport = (ref: TableRef, columns: string[], column: string): boolean => {
      if (columns.includes(column)) return true;
      const close = closestName(column, columns);
      add(
        'unknown-column',
        `column ${displayIdent(column)} does not exist on ${displayName(ref.schema, ref.table)}: the statement would fail`,
        close ? `Did you mean ${displayIdent(close)}? Its columns: ${listOf(columns)}.` : `Its columns: ${listOf(columns)}.`,
      );
      return false;
    };
    const taken = (ref: TableRef, column: string, how: string) =>
      add(
        'column-already-exists',
        `column ${displayIdent(column)} already exists on ${displayName(ref.schema, ref.table)}: ${how} it would fail`,
        `Pick another name, or check what ${displayIdent(column)} holds today.`,
      );

    const create = CreateStmt.safeParse(statement.stmt);
    if (create.success) {
      const ref = toTable(create.data.CreateStmt.relation);
      if (!tables.has(keyOf(ref))) {
        const columns = (create.data.CreateStmt.tableElts ?? []).flatMap((e) => {
          const def = ColumnDef.safeParse(e);
          return def.success ? [def.data.ColumnDef.colname] : [];
        });
        tables.set(keyOf(ref), { ref, columns });
      }
      return;
    }

    const rename = RenameStmtNode.safeParse(statement.stmt);
    if (rename.success) {
      const r = rename.data.RenameStmt;
      if (!r.relation) return;
      const ref = toTable(r.relation);
      if (r.renameType === 'OBJECT_COLUMN' && r.relationType === 'OBJECT_TABLE' && r.subname) {
        const columns = tableOrReport(ref, r.missing_ok);
        if (!columns || !columnOrReport(ref, columns, r.subname)) return;
        if (columns.includes(r.newname)) return taken(ref, r.newname, 'renaming onto it');
        columns[columns.indexOf(r.subname)] = r.newname;
      } else if (r.renameType === 'OBJECT_TABLE') {
        const columns = tableOrReport(ref, r.missing_ok);
        if (!columns) return;
        tables.delete(keyOf(ref));
        const renamed = { schema: ref.schema, table: r.newname };
        tables.set(keyOf(renamed), { ref: renamed, columns });
      }
      return;
    }

    const alter = AlterTableStmtNode.safeParse(statement.stmt);
    if (alter.success) {
      const a = alter.data.AlterTableStmt;
      if ((a.objtype ?? 'OBJECT_TABLE') !== 'OBJECT_TABLE') return;
      const ref = toTable(a.relation);
      const columns = tableOrReport(ref, a.missing_ok);
      if (!columns) return;
      for (const raw of a.cmds ?? []) {
        const parsed = AlterTableCmdNode.safeParse(raw);
        if (!parsed.success) continue;
        const cmd = parsed.data.AlterTableCmd;
        if (cmd.subtype === 'AT_AddColumn') {
          const def = ColumnDef.safeParse(cmd.def);
          if (!def.success) continue;
          const name = def.data.ColumnDef.colname;
          if (!columns.includes(name)) columns.push(name);
          else if (!cmd.missing_ok) taken(ref, name, 'adding it again');
        } else if (cmd.subtype === 'AT_DropColumn' && cmd.name) {
          if (columns.includes(cmd.name)) columns.splice(columns.indexOf(cmd.name), 1);
          else if (!cmd.missing_ok) columnOrReport(ref, columns, cmd.name);
        } else if (COLUMN_SUBCOMMANDS.has(cmd.subtype) && cmd.name) {
          columnOrReport(ref, columns, cmd.name);
        }
      }
      return;
    }

    const index = IndexStmt.safeParse(statement.stmt);
    if (index.success) {
      const ref = toTable(index.data.IndexStmt.relation);
      const columns = tableOrReport(ref, false);
      if (!columns) return;
      for (const param of index.data.IndexStmt.indexParams ?? []) {
        const name = IndexElem.safeParse(param).data?.IndexElem.name;
        // Expressions (lower(email)) are left to Postgres: their column references sit deep in the tree.
        if (name) columnOrReport(ref, columns, name);
      }
      return;
    }

    const drop = DropStmt.safeParse(statement.stmt);
    if (drop.success && drop.data.DropStmt.removeType === 'OBJECT_TABLE') {
      for (const object of drop.data.DropStmt.objects ?? []) {
        const names = object.List.items.map((i) => i.String.sval);
        // schema.table or table; a database-qualified name is left alone.
        if (names.length > 2) continue;
        const ref = names.length === 2 ? { schema: names[0]!, table: names[1]! } : { schema: DEFAULT_SCHEMA, table: names[0]! };
        if (tableOrReport(ref, drop.data.DropStmt.missing_ok)) tables.delete(keyOf(ref));
      }
    }
  });
  return findings;
}
