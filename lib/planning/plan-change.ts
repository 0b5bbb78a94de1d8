import { introspectSchema } from '../db/introspect-schema';
import type { ClientBase } from 'pg';
import { ALLOWED_VOLATILE_FUNCTIONS } from '../migrations/allowed-volatile-functions';
import { InvalidMappingError, PlanValidationError, type PlanError } from '../migrations/errors';
import { operationFor } from '../migrations/operations';
import { planOperation } from '../migrations/plan-operation';
import { lintSql } from '../lint/lint-sql';
import { DEFAULT_PLAN_OPTIONS, type OperationSpec, type Plan, type PlanOptions } from '../migrations/types';
import { checkCalledFunctions, type CalledFunctions } from './check-called-functions';
import { fragments, inspectExpressions } from './inspect-expressions';
import { probeExpressions } from './probe-expressions';
import { withMovableDependents } from './with-movable-dependents';
import { expandAlreadyPushed, pushedExpandNote } from './expand-already-pushed';
import { countUnconvertible } from './count-unconvertible';
import { findTable } from '../migrations/schema';

/**
 * A field a volatile function (gen_random_uuid()) makes the DDL compute per row, such as a
 * column default: the whole table would be rewritten under ACCESS EXCLUSIVE. Known from the
 * catalog check: nothing is tried.
 */
function volatileRewrites(spec: OperationSpec, volatile: CalledFunctions['volatile']): PlanError[] {
  return fragments(spec)
    .filter((f) => f.volatileRewrites && volatile.some((v) => v.field === f.field))
    .map((f) => new InvalidMappingError(f.field, f.text, f.volatileRewrites!.reason, f.volatileRewrites!.advice));
}

/** Raw SQL is linted here, so its plan carries what the linter found and is refused on errors. */
async function withLint(spec: OperationSpec): Promise<OperationSpec> {
  const lint = operationFor(spec).lint;
  const text = lint?.unlinted(spec);
  if (!lint || text === null || text === undefined) return spec;
  const { findings } = await lintSql(text);
  return lint.withFindings(
    spec,
    findings.map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, line: f.line })),
  );
}

/**
 * Intent → plan against the live schema of the target. The author's SQL fields are checked in
 * three steps, each before the next may touch anything: their shape by the parser, the functions
 * they call by the catalog, and only then their types by Postgres, in the probe role's sandbox. A
 * type change's mapping is then tried, in the same sandbox, on the values its column holds now.
 * Creating a migration goes through here too, so a reviewer never sees an expression that was not.
 */
export async function planChange(target: ClientBase, spec: OperationSpec, options: PlanOptions = DEFAULT_PLAN_OPTIONS): Promise<Plan> {
  const { errors: shapeErrors, calls } = await inspectExpressions(spec);
  if (shapeErrors.length) throw new PlanValidationError(shapeErrors);
  const called = await checkCalledFunctions(target, fragments(spec), calls);
  if (called.errors.length) throw new PlanValidationError(called.errors);
  const schemas = 'schema' in spec ? [spec.schema] : ['public'];
  // Policies and views on the column a swap removes are read once more, so the contract can move them.
  const live = await withMovableDependents(target, await introspectSchema(target, schemas), spec);
  const pushed = await expandAlreadyPushed(target, spec, live);
  const snapshot = pushed?.snapshot ?? live;
  const plan = planOperation(await withLint(spec), snapshot, options);
  if (pushed) plan.notes.push(pushedExpandNote(pushed.version));
  const typeErrors = [...volatileRewrites(spec, called.volatile), ...(await probeExpressions(target, spec, snapshot))];
  if (typeErrors.length) throw new PlanValidationError(typeErrors);
  // A mapping that type-checks can still fail on the values the column holds now: say so before anything is created.
  // Never by running a function defined on the target: the reviewer is told to read those, and the planner runs none.
  const table = spec.kind === 'change-type' ? findTable(snapshot, spec.schema, spec.table) : undefined;
  const untried = called.defined.some((d) => d.field === 'forward' || d.field === 'type');
  if (spec.kind === 'change-type' && table && !untried) {
    // Best effort: were the count itself to fail, the expand's pre-flight check still stops before any change.
    const unconvertible = await countUnconvertible(target, spec, table).catch(() => null);
    if (unconvertible) throw new PlanValidationError([unconvertible]);
  } else if (spec.kind === 'change-type' && table) {
    plan.notes.push(
      'the forward mapping was not tried on the live values, as it uses what the target defines: the pre-flight check of the expand counts the values it cannot convert',
    );
  }
  for (const v of called.volatile) {
    plan.notes.push(
      `${v.field} calls ${v.functions.map((f) => `${f}()`).join(', ')}: volatile, allowed because it only makes a fresh value for each row (allowed: ${ALLOWED_VOLATILE_FUNCTIONS.join(', ')})`,
    );
  }
  for (const d of called.defined) {
    const named = d.functions.map((f) => (f.startsWith('type ') ? f : `${f}()`)).join(', ');
    plan.notes.push(`${d.field} uses ${named}, defined on the target rather than built in: read its definition before approving, it runs for every row`);
  }
  return plan;
}
