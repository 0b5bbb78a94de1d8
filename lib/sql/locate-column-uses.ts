import { parse, scan, SqlError, type Node } from 'libpg-query';
import type { ColumnUse, ColumnUses, UsesUnclear } from '../migrations/schema';
import { byteToCharOffsets, ensureParserLoaded } from './parse-sql';

export interface LocateColumnUsesInput {
  /** A policy's USING or WITH CHECK expression, or a view's query, as the catalog deparses it. */
  text: string;
  kind: 'expression' | 'query';
  schema: string;
  table: string;
  column: string;
  /** For an expression: the table its policy is on, which bare names at its top level belong to (default: the table). */
  root?: { schema: string; table: string };
}

interface FromItem {
  refname: string;
  ours: boolean;
}

const WRAPPER = 'SELECT ';

const stringOf = (n: Node | undefined): string | undefined => (n && 'String' in n ? n.String.sval : undefined);

class Unclear extends Error {
  constructor(
    readonly refused: string,
    readonly advice: string,
  ) {
    super(refused);
  }
}

/**
 * Finds, with the real parser, each place a definition uses `table.column`. A use is counted only
 * when it can only mean that table's column: qualified by a name that is that table in its scope,
 * or bare where the innermost query reading any relation reads that table alone (the catalog
 * deparses every other case qualified). Anything else is unclear, and the caller refuses rather
 * than guess: a wrong guess would rewrite the meaning of a security policy.
 */
export async function locateColumnUses(input: LocateColumnUsesInput): Promise<ColumnUses | UsesUnclear> {
  await ensureParserLoaded();
  const source = input.kind === 'expression' ? WRAPPER + input.text : input.text;
  const shift = input.kind === 'expression' ? WRAPPER.length : 0;
  let tree: Awaited<ReturnType<typeof parse>>;
  let tokens: Awaited<ReturnType<typeof scan>>;
  try {
    [tree, tokens] = await Promise.all([parse(source), scan(source)]);
  } catch (error) {
    if (error instanceof SqlError) return { refused: `could not be parsed (${error.message})`, advice: 'recreate it, then plan again' };
    throw error;
  }
  const root = tree.stmts?.[0]?.stmt;
  if (!root || (tree.stmts?.length ?? 0) !== 1) return { refused: 'is not a single query', advice: 'recreate it as one SELECT' };
  const chars = byteToCharOffsets(source);
  const tokenAt = new Map(tokens.tokens.map((t, i) => [t.start, i]));
  const uses: ColumnUse[] = [];
  const aliases: number[] = [];
  const isOurs = (schema: string | undefined, relname: string) => relname === input.table && schema === input.schema;

  /** The span of a column reference of `fields` names, from its first token to its last. */
  function span(location: number, fields: number): { start: number; end: number } {
    const first = tokenAt.get(location);
    const last = first === undefined ? undefined : tokens.tokens[first + 2 * (fields - 1)];
    if (first === undefined || !last) throw new Unclear(`has a use of ${input.column} the parser could not place`, 'recreate it without that use');
    return { start: chars[location]! - shift, end: chars[last.end]! - shift };
  }

  function resolve(fields: string[], scopes: FromItem[][]): boolean {
    if (fields.length === 1) {
      for (let i = scopes.length - 1; i >= 0; i--) {
        const items = scopes[i]!;
        if (items.length === 0) continue;
        if (items.every((item) => item.ours)) return true;
        // The catalog prints a name bare only where one relation is read: none of it the table, none of it ours.
        if (!items.some((item) => item.ours)) return false;
        throw new Unclear(
          `uses ${input.column} without naming its table in a query that reads more than one relation`,
          `write each use as ${input.table}.${input.column} (or its alias), then plan again`,
        );
      }
      throw new Unclear(
        `uses ${input.column} outside any query that reads ${input.table}`,
        `write each use as ${input.table}.${input.column}, then plan again`,
      );
    }
    if (fields.length === 3) return fields[0] === input.schema && fields[1] === input.table;
    const qualifier = fields[0]!;
    for (let i = scopes.length - 1; i >= 0; i--) {
      const item = scopes[i]!.find((it) => it.refname === qualifier);
      if (item) return item.ours;
    }
    throw new Unclear(
      `uses ${qualifier}.${input.column}, and ${qualifier} names no relation the planner can see`,
      'recreate it with plain table references, then plan again',
    );
  }

  /** The FROM items of one query level; a JOIN … USING or NATURAL JOIN over the table hides which side a name is. */
  function fromItems(from: Node[] | undefined, ctes: Set<string>): FromItem[] {
    const items: FromItem[] = [];
    const add = (n: Node): boolean => {
      if ('RangeVar' in n) {
        const { schemaname, relname, alias } = n.RangeVar;
        const ours = !schemaname && ctes.has(relname!) ? false : isOurs(schemaname, relname!);
        // `t x(a, b, c)` names the table's columns by position, and the catalog prints every column there, the
        // expand's new one included: neither the text nor the positions would hold through the swap.
        if (ours && alias?.colnames?.length) {
          throw new Unclear(
            `names the columns of ${input.table} by position (${alias.aliasname}(…))`,
            `select the columns by name instead of an alias list, then plan again`,
          );
        }
        items.push({ refname: alias?.aliasname ?? relname!, ours });
        return ours;
      }
      if ('JoinExpr' in n) {
        const j = n.JoinExpr;
        const left = j.larg ? add(j.larg) : false;
        const right = j.rarg ? add(j.rarg) : false;
        const joinsOn = (j.usingClause ?? []).some((u) => stringOf(u) === input.column);
        if ((left || right) && (j.isNatural || joinsOn)) {
          throw new Unclear(
            `joins ${input.table} ${j.isNatural ? 'NATURAL' : `USING (${input.column})`}`,
            `join with ON and qualified columns instead, then plan again`,
          );
        }
        if (j.alias) items.push({ refname: j.alias.aliasname!, ours: false });
        return left || right;
      }
      if ('RangeSubselect' in n) items.push({ refname: n.RangeSubselect.alias?.aliasname ?? '', ours: false });
      else if ('RangeFunction' in n) items.push({ refname: n.RangeFunction.alias?.aliasname ?? '', ours: false });
      else items.push({ refname: '', ours: false });
      return false;
    };
    for (const n of from ?? []) add(n);
    return items;
  }

  function walk(node: unknown, scopes: FromItem[][], ctes: Set<string>): void {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, scopes, ctes);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if ('SelectStmt' in obj) {
      walkSelect(obj.SelectStmt as Extract<Node, { SelectStmt: unknown }>['SelectStmt'], scopes, ctes);
      return;
    }
    if ('A_Indirection' in obj) {
      // (row).column reads the column by name from a row value, which the parser cannot tie to the table: a
      // dependency the swap could not move, and the drop would refuse.
      const fields = ((obj as Extract<Node, { A_Indirection: unknown }>).A_Indirection.indirection ?? []).map(stringOf);
      if (fields.includes(input.column)) {
        throw new Unclear(`selects ${input.column} as a field of a row value`, `name the column directly, then plan again`);
      }
    }
    if ('ColumnRef' in obj) {
      const ref = (obj as Extract<Node, { ColumnRef: unknown }>).ColumnRef;
      const fields = (ref.fields ?? []).map(stringOf);
      if (fields.at(-1) === input.column && fields.every((f) => f !== undefined) && resolve(fields as string[], scopes)) {
        const { start, end } = span(ref.location ?? -1, fields.length);
        const text = source.slice(start + shift, end + shift);
        const lastDot = fields.length > 1 ? text.lastIndexOf('.') + 1 : 0;
        uses.push({ start, end, qualifier: text.slice(0, lastDot) });
      }
      return;
    }
    for (const value of Object.values(obj)) walk(value, scopes, ctes);
  }

  function walkSelect(select: Extract<Node, { SelectStmt: unknown }>['SelectStmt'], outer: FromItem[][], outerCtes: Set<string>, wrapper = false): void {
    const ctes = new Set(outerCtes);
    for (const cte of select.withClause?.ctes ?? []) {
      if ('CommonTableExpr' in cte) {
        ctes.add(cte.CommonTableExpr.ctename!);
        walk(cte.CommonTableExpr.ctequery, outer, ctes);
      }
    }
    if (select.op && select.op !== 'SETOP_NONE') {
      // ORDER BY of a UNION names output columns, which keep their names: nothing there to move.
      walk(select.larg ? { SelectStmt: select.larg } : undefined, outer, ctes);
      walk(select.rarg ? { SelectStmt: select.rarg } : undefined, outer, ctes);
      return;
    }
    if (select.valuesLists) {
      walk(select.valuesLists, outer, ctes);
      return;
    }
    const scopes = [...outer, fromItems(select.fromClause, ctes)];
    // Subqueries in FROM, and the ON conditions of joins.
    walk(select.fromClause, scopes, ctes);
    for (const target of select.targetList ?? []) {
      if (!('ResTarget' in target)) continue;
      const before = uses.length;
      walk(target.ResTarget.val, scopes, ctes);
      const val = target.ResTarget.val;
      // The column alone, unnamed: its output name is the column's, which the swap must keep.
      if (!wrapper && !target.ResTarget.name && val && 'ColumnRef' in val && uses.length === before + 1) aliases.push(uses[before]!.end);
    }
    // The rest (WHERE, GROUP BY, HAVING, ORDER BY…) reads the same FROM items; those three were walked above.
    walk({ ...select, targetList: undefined, fromClause: undefined, withClause: undefined }, scopes, ctes);
  }

  try {
    const on = input.root ?? { schema: input.schema, table: input.table };
    const top = [{ refname: on.table, ours: isOurs(on.schema, on.table) }];
    if (input.kind === 'expression' && 'SelectStmt' in root) walkSelect(root.SelectStmt, [top], new Set(), true);
    else walk(root, [], new Set());
  } catch (error) {
    if (error instanceof Unclear) return { refused: error.refused, advice: error.advice };
    throw error;
  }
  return { text: input.text, uses: uses.sort((a, b) => a.start - b.start), aliases };
}
