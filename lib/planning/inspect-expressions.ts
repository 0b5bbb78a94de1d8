import { InvalidMappingError, type PlanError } from '../migrations/errors';
import { expressionCalls, type SqlName } from '../migrations/expression-calls';
import type { SqlField } from '../migrations/operation';
import { operationFor } from '../migrations/operations';
import { placeholderMarker, placeholderUses, withMarkers, type Placeholder } from '../migrations/placeholders';
import type { OperationSpec } from '../migrations/types';
import { parseSql, scanSql, SqlSyntaxError } from '../sql/parse-sql';

/** One SQL fragment an author gave: which field, its text, what kind of SQL it must be and the placeholders it may use. */
export type Fragment = SqlField;

export interface FieldCalls {
  field: string;
  functions: SqlName[];
  operators: SqlName[];
  types: SqlName[];
}

/** Every field of an operation that takes SQL. */
export const fragments = (spec: OperationSpec): Fragment[] => operationFor(spec).sqlFields(spec);

// A type name: NULL cast to it, with constant modifiers only (varchar(10), numeric(12,2), interval hour).
function isTypeName(val: unknown): boolean {
  const cast = (val as { TypeCast?: { arg?: { A_Const?: { isnull?: boolean } }; typeName?: { typmods?: unknown[] } } }).TypeCast;
  if (!cast?.arg?.A_Const?.isnull || !cast.typeName) return false;
  return (cast.typeName.typmods ?? []).every((m) => Object.keys(m as object).join() === 'A_Const');
}

const COMMENT_TOKENS = new Set(['SQL_COMMENT', 'C_COMMENT']);

/**
 * Author-supplied SQL ends up inside DDL, trigger bodies and backfills, so each field must be
 * exactly one expression (or one type name) of the allowed shape, read by the real Postgres
 * lexer and grammar and never trusted as text: no comment (it could swallow what follows it where
 * the text is placed), each placeholder a token of its own where a column value goes, and columns
 * only through the placeholders. Nothing here touches a database. Returns the problems and, for
 * the acceptable fields, the functions, operators and types they use (for a catalog check).
 */
export async function inspectExpressions(spec: OperationSpec): Promise<{ errors: PlanError[]; calls: FieldCalls[] }> {
  const errors: PlanError[] = [];
  const calls: FieldCalls[] = [];
  for (const f of fragments(spec)) {
    const refuse = (reason: string, advice?: string) => errors.push(new InvalidMappingError(f.field, f.text, reason, advice));
    const { uses, problems } = placeholderUses(f, f.text);
    if (problems.length) {
      problems.forEach((p) => refuse(p));
      continue;
    }
    const text = withMarkers(f.text);
    const probe = f.kind === 'type' ? `SELECT NULL::${text}` : `SELECT ${text}`;
    let val: unknown;
    try {
      const tokens = await scanSql(probe);
      if (tokens.some((t) => COMMENT_TOKENS.has(t.kind))) {
        refuse('contains a comment: write the expression alone');
        continue;
      }
      // Each placeholder must be a plain identifier token: not inside a string, a quoted name or a dollar quote.
      const misplaced = uses.filter((u) => tokens.filter((t) => t.kind === 'IDENT' && t.text === placeholderMarker(u.placeholder)).length !== u.count);
      if (misplaced.length) {
        misplaced.forEach((u) => refuse(`{{${u.placeholder}}} must stand where a column value goes, not inside a string, a quoted name or a dollar quote`));
        continue;
      }
      const parsed = await parseSql(probe);
      const select = (parsed.statements[0]?.stmt as { SelectStmt?: Record<string, unknown> } | undefined)?.SelectStmt;
      const targets = select?.targetList as { ResTarget?: { val?: unknown; name?: string } }[] | undefined;
      // Only a target list: a WHERE, FROM, LIMIT, UNION, WITH or FOR UPDATE smuggled after the expression is refused.
      const extra = select ? Object.keys(select).filter((k) => !['targetList', 'limitOption', 'op'].includes(k)) : [];
      if (parsed.statements.length !== 1 || !targets || targets.length !== 1 || extra.length || targets[0]!.ResTarget?.name) {
        refuse(f.kind === 'type' ? 'is not a type name' : 'is not a single SQL expression');
        continue;
      }
      val = targets[0]!.ResTarget?.val;
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      refuse(`does not parse: ${error.message}`);
      continue;
    }
    if (f.kind === 'type') {
      if (!isTypeName(val)) refuse('is not a type name', 'write a type name such as integer, text, varchar(64) or numeric(12,2)');
      else calls.push({ field: f.field, functions: [], operators: [], types: [castType(val)] });
      continue;
    }
    const found = expressionCalls(val);
    const columnProblems = found.columns.flatMap((c) => columnProblem(f.placeholders, c));
    for (const problem of [...found.problems, ...columnProblems]) refuse(problem);
    if (!found.problems.length && !columnProblems.length)
      calls.push({ field: f.field, functions: found.functions, operators: found.operators, types: found.types });
  }
  return { errors, calls };
}

const castType = (val: unknown): SqlName =>
  ((val as { TypeCast: { typeName: { names: { String: { sval: string } }[] } } }).TypeCast.typeName.names ?? []).map((n) => n.String.sval);

/** A column reference must be a placeholder ({{old}}, {{new}}, or {{row}}."col"): a bare name means something else in each place the text goes. */
function columnProblem(allowed: Placeholder[], column: SqlName): string[] {
  const [first, ...rest] = column;
  if (first === placeholderMarker('old') || first === placeholderMarker('new'))
    return rest.length ? [`{{${first === placeholderMarker('old') ? 'old' : 'new'}}} is a value: it has no fields`] : [];
  if (first === placeholderMarker('row')) return rest.length === 1 ? [] : ['write {{row}}."column" for a column of the row'];
  const how = allowed.includes('row') ? `{{row}}."${column.at(-1)}"` : allowed.length ? allowed.map((a) => `{{${a}}}`).join(' or ') : 'a constant';
  return [`refers to ${column.join('.')} directly: write ${how}`];
}
