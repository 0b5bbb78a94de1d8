import { introspectSchema } from '../db/introspect-schema';
import type { Queryable } from '../db/queryable';
import { InvalidMappingError, PlanValidationError, type PlanError } from '../migrations/errors';
import { planOperation } from '../migrations/plan-operation';
import { DEFAULT_PLAN_OPTIONS, type OperationSpec, type Plan, type PlanOptions } from '../migrations/types';
import { parseSql, SqlSyntaxError } from '../sql/parse-sql';

/** Each SQL fragment an author may give, with how to make it a complete SELECT for the parser. */
function fragments(spec: OperationSpec): { field: string; text: string; probe: string }[] {
  // Placeholders become something the grammar accepts where a value goes.
  const fill = (text: string) => text.replace(/\{\{(old|new)\}\}/g, 'NULL').replace(/\{\{row\}\}/g, 'r');
  switch (spec.kind) {
    case 'change-type':
      return [
        { field: 'type', text: spec.newType, probe: `SELECT NULL::${spec.newType}` },
        { field: 'forward', text: spec.forward, probe: `SELECT ${fill(spec.forward)}` },
        { field: 'reverse', text: spec.reverse, probe: `SELECT ${fill(spec.reverse)}` },
      ];
    case 'set-not-null':
      return spec.fill ? [{ field: 'fill', text: spec.fill, probe: `SELECT ${fill(spec.fill)}` }] : [];
    case 'add-column':
      return [
        { field: 'type', text: spec.type, probe: `SELECT NULL::${spec.type}` },
        ...(spec.default !== undefined ? [{ field: 'default', text: spec.default, probe: `SELECT ${spec.default}` }] : []),
        ...(spec.backfill !== undefined ? [{ field: 'backfill', text: spec.backfill, probe: `SELECT ${fill(spec.backfill)}` }] : []),
      ];
    default:
      return [];
  }
}

/**
 * Author-supplied expressions end up inside DDL and trigger bodies, so each must be exactly
 * one expression: parsed with the real Postgres grammar, never trusted as text.
 */
export async function checkExpressions(spec: OperationSpec): Promise<PlanError[]> {
  const errors: PlanError[] = [];
  for (const f of fragments(spec)) {
    try {
      const parsed = await parseSql(f.probe);
      const [only] = parsed.statements;
      const targets = (only?.stmt as { SelectStmt?: { targetList?: unknown[]; fromClause?: unknown[] } } | undefined)?.SelectStmt;
      if (parsed.statements.length !== 1 || !targets || targets.targetList?.length !== 1 || targets.fromClause) {
        errors.push(new InvalidMappingError(f.field, f.text, 'is not a single SQL expression'));
      }
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      errors.push(new InvalidMappingError(f.field, f.text, `does not parse: ${error.message}`));
    }
  }
  return errors;
}

/** Intent → plan against the live schema of the target. */
export async function planChange(target: Queryable, spec: OperationSpec, options: PlanOptions = DEFAULT_PLAN_OPTIONS): Promise<Plan> {
  const expressionErrors = await checkExpressions(spec);
  if (expressionErrors.length) throw new PlanValidationError(expressionErrors);
  const schemas = 'schema' in spec ? [spec.schema] : ['public'];
  return planOperation(spec, await introspectSchema(target, schemas), options);
}
