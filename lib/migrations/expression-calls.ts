/**
 * What an author's SQL expression may be made of before it goes anywhere near a database:
 * column references, literals, operators, casts, CASE / COALESCE / NULLIF / GREATEST / LEAST,
 * boolean logic, NULL and IS tests, arrays, field and subscript access, and function calls.
 * Anything else (a subquery, a data-modifying CTE, a window, an aggregate, a row lock) is a
 * problem. The functions and operators it calls are returned by name, for a catalog lookup of
 * their volatility: that part needs the target's pg_proc, so it lives in lib/planning.
 */

/** A name as written: [schema, name] or [name]. */
export type SqlName = string[];

export interface ExpressionCalls {
  functions: SqlName[];
  operators: SqlName[];
  /** Types it casts to: a cast runs the type's input or cast function, and a domain's CHECK. */
  types: SqlName[];
  /** Every column reference, as its name parts (placeholders appear as their marker). */
  columns: SqlName[];
  /** Why the expression is refused before any database sees it; empty when it is acceptable. */
  problems: string[];
}

// Nodes that are values or plain structure: walked into, never refused.
const STRUCTURE = new Set([
  'A_Const',
  'ColumnRef',
  'String',
  'Integer',
  'Float',
  'Boolean',
  'BitString',
  'A_Star',
  'List',
  'TypeCast',
  'TypeName',
  'CaseExpr',
  'CaseWhen',
  'CoalesceExpr',
  'MinMaxExpr',
  'BoolExpr',
  'NullTest',
  'BooleanTest',
  'A_ArrayExpr',
  'A_Indirection',
  'A_Indices',
  'CollateClause',
  'RowExpr',
  'NamedArgExpr',
  'SQLValueFunction',
]);

// A_Expr kinds that are operators over values (IN, LIKE, BETWEEN, IS DISTINCT FROM, NULLIF…).
const OPERATOR_KINDS = new Set([
  'AEXPR_OP',
  'AEXPR_OP_ANY',
  'AEXPR_OP_ALL',
  'AEXPR_DISTINCT',
  'AEXPR_NOT_DISTINCT',
  'AEXPR_NULLIF',
  'AEXPR_IN',
  'AEXPR_LIKE',
  'AEXPR_ILIKE',
  'AEXPR_SIMILAR',
  'AEXPR_BETWEEN',
  'AEXPR_NOT_BETWEEN',
  'AEXPR_BETWEEN_SYM',
  'AEXPR_NOT_BETWEEN_SYM',
]);

const names = (list: unknown): SqlName => ((list as { String?: { sval: string } }[] | undefined) ?? []).map((n) => n.String?.sval ?? '?');

/** Walks one expression node (as libpg-query returns it) and says what it calls and what is wrong with it. */
export function expressionCalls(root: unknown): ExpressionCalls {
  const out: ExpressionCalls = { functions: [], operators: [], types: [], columns: [], problems: [] };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (!/^[A-Z]/.test(key)) {
        walk(child);
        continue;
      }
      const node = child as Record<string, unknown>;
      if (key === 'FuncCall') {
        const name = names(node.funcname);
        if (node.agg_star || node.agg_distinct || node.agg_order || node.agg_filter || node.over || node.agg_within_group) {
          out.problems.push(`${name.join('.')}(…) is an aggregate or window call: a mapping computes one row's value from that row`);
        }
        out.functions.push(name);
        walk(node.args);
        continue;
      }
      if (key === 'A_Expr') {
        const kind = String(node.kind);
        if (!OPERATOR_KINDS.has(kind)) out.problems.push(`${kind.replace('AEXPR_', '').toLowerCase()} expressions are not allowed`);
        // IN, LIKE, IS DISTINCT FROM… carry the operator they use (=, ~~); BETWEEN is spelled out as
        // the comparisons it makes. Their functions are looked up like any other.
        if (kind.includes('BETWEEN')) out.operators.push(['>='], ['<='], ['<'], ['>']);
        else out.operators.push(names(node.name));
        walk(node.lexpr);
        walk(node.rexpr);
        continue;
      }
      if (key === 'ColumnRef') {
        const fields = (node.fields as { String?: { sval: string } }[] | undefined) ?? [];
        if (fields.some((f) => !f.String)) out.problems.push('a * is not allowed: name the column');
        out.columns.push(names(fields));
        continue;
      }
      if (key === 'TypeCast') out.types.push(names((node.typeName as { names?: unknown } | undefined)?.names));
      // CASE x WHEN v compares with =, GREATEST and LEAST with < and >: those functions are looked up too.
      if (key === 'CaseExpr' && node.arg) out.operators.push(['=']);
      if (key === 'MinMaxExpr') out.operators.push(['<'], ['>']);
      if (key === 'SubLink') {
        out.problems.push('a subquery is not allowed: a mapping reads only the row it converts');
        continue;
      }
      if (!STRUCTURE.has(key)) {
        out.problems.push(`${key} is not allowed in a mapping expression`);
        continue;
      }
      walk(node);
    }
  };
  walk(root);
  return out;
}
