import { InvalidMappingError, type PlanError } from '../migrations/errors';
import { expressionCalls, type SqlName } from '../migrations/expression-calls';
import type { OperationSpec } from '../migrations/types';
import { parseSql, SqlSyntaxError } from '../sql/parse-sql';

/** One SQL fragment an author gave: which field, its text, and what kind of SQL it must be. */
export interface Fragment {
  field: string;
  text: string;
  kind: 'type' | 'expression';
}

export interface FieldCalls {
  field: string;
  functions: SqlName[];
  operators: SqlName[];
}

/** Every field of an operation that takes SQL. */
export function fragments(spec: OperationSpec): Fragment[] {
  switch (spec.kind) {
    case 'change-type':
      return [
        { field: 'type', text: spec.newType, kind: 'type' },
        { field: 'forward', text: spec.forward, kind: 'expression' },
        { field: 'reverse', text: spec.reverse, kind: 'expression' },
      ];
    case 'set-not-null':
      return spec.fill ? [{ field: 'fill', text: spec.fill, kind: 'expression' }] : [];
    case 'add-column':
      return [
        { field: 'type', text: spec.type, kind: 'type' },
        ...(spec.default !== undefined ? [{ field: 'default', text: spec.default, kind: 'expression' as const }] : []),
        ...(spec.backfill !== undefined ? [{ field: 'backfill', text: spec.backfill, kind: 'expression' as const }] : []),
      ];
    default:
      return [];
  }
}

// A type name: NULL cast to it, with constant modifiers only (varchar(10), numeric(12,2), interval hour).
function isTypeName(val: unknown): boolean {
  const cast = (val as { TypeCast?: { arg?: { A_Const?: { isnull?: boolean } }; typeName?: { typmods?: unknown[] } } }).TypeCast;
  if (!cast?.arg?.A_Const?.isnull || !cast.typeName) return false;
  return (cast.typeName.typmods ?? []).every((m) => Object.keys(m as object).join() === 'A_Const');
}

/**
 * Author-supplied SQL ends up inside DDL, trigger bodies and backfills, so each field must be
 * exactly one expression (or one type name) of the allowed shape, parsed with the real Postgres
 * grammar and never trusted as text. Nothing here touches a database. Returns the problems and,
 * for the acceptable fields, the functions and operators they call (for a catalog check).
 */
export async function inspectExpressions(spec: OperationSpec): Promise<{ errors: PlanError[]; calls: FieldCalls[] }> {
  const errors: PlanError[] = [];
  const calls: FieldCalls[] = [];
  // Placeholders become something the grammar accepts where a value goes.
  const fill = (text: string) => text.replace(/\{\{(old|new)\}\}/g, 'NULL').replace(/\{\{row\}\}/g, 'r');
  for (const f of fragments(spec)) {
    const probe = f.kind === 'type' ? `SELECT NULL::${f.text}` : `SELECT ${fill(f.text)}`;
    let val: unknown;
    try {
      const parsed = await parseSql(probe);
      const select = (parsed.statements[0]?.stmt as { SelectStmt?: Record<string, unknown> } | undefined)?.SelectStmt;
      const targets = select?.targetList as { ResTarget?: { val?: unknown; name?: string } }[] | undefined;
      // Only a target list: a WHERE, FROM, LIMIT, UNION, WITH or FOR UPDATE smuggled after the expression is refused.
      const extra = select ? Object.keys(select).filter((k) => !['targetList', 'limitOption', 'op'].includes(k)) : [];
      if (parsed.statements.length !== 1 || !targets || targets.length !== 1 || extra.length || targets[0]!.ResTarget?.name) {
        errors.push(new InvalidMappingError(f.field, f.text, f.kind === 'type' ? 'is not a type name' : 'is not a single SQL expression'));
        continue;
      }
      val = targets[0]!.ResTarget?.val;
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      errors.push(new InvalidMappingError(f.field, f.text, `does not parse: ${error.message}`));
      continue;
    }
    if (f.kind === 'type') {
      if (!isTypeName(val)) errors.push(new InvalidMappingError(f.field, f.text, 'is not a type name', 'write a type name such as integer, text, varchar(64) or numeric(12,2)'));
      continue;
    }
    const found = expressionCalls(val);
    for (const problem of found.problems) errors.push(new InvalidMappingError(f.field, f.text, problem));
    if (!found.problems.length) calls.push({ field: f.field, functions: found.functions, operators: found.operators });
  }
  return { errors, calls };
}
