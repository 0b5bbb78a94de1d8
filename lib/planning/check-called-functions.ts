import type { ClientBase } from 'pg';
import { ALLOWED_VOLATILE_FUNCTIONS } from '../migrations/allowed-volatile-functions';
import { REFUSED_FUNCTIONS } from '../migrations/refused-functions';
import { InvalidMappingError, type PlanError } from '../migrations/errors';
import type { SqlName } from '../migrations/expression-calls';
import { markProduct } from '../migrations/sql-text';
import type { FieldCalls, Fragment } from './inspect-expressions';

interface Candidate {
  schema: string;
  name: string;
  volatility: 'i' | 's' | 'v';
  securityDefiner: boolean;
  kind: string;
}

export interface CalledFunctions {
  errors: PlanError[];
  /** Allowed volatile functions each field calls: shown to the reviewer, and a default using one rewrites the table. */
  volatile: { field: string; functions: string[] }[];
  /**
   * Functions defined on the target rather than built in: pg_proc says they are harmless because
   * their author said so, so the reviewer is told to read them.
   */
  defined: { field: string; functions: string[] }[];
}

const split = (n: SqlName) => (n.length > 1 ? { schema: n[n.length - 2]!, name: n[n.length - 1]! } : { schema: null, name: n[0]! });

// Every function or operator a name could resolve to on the target: with a schema, that schema; without one,
// the schemas on the search path (pg_catalog included). All of them must be harmless, whichever Postgres picks.
const FUNCTIONS_SQL =
  markProduct(`SELECT n.nspname AS schema, p.proname AS name, p.provolatile AS volatility, p.prosecdef AS "securityDefiner", p.prokind AS kind
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.proname = $2 AND CASE WHEN $1::text IS NULL THEN n.nspname = ANY (current_schemas(true)) ELSE n.nspname = $1 END`);
const OPERATORS_SQL =
  markProduct(`SELECT n.nspname AS schema, p.proname AS name, p.provolatile AS volatility, p.prosecdef AS "securityDefiner", p.prokind AS kind
  FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace JOIN pg_proc p ON p.oid = o.oprcode
 WHERE o.oprname = $2 AND CASE WHEN $1::text IS NULL THEN n.nspname = ANY (current_schemas(true)) ELSE n.nspname = $1 END`);

// A type is resolved like a function name. A cast to it runs its input function (for a literal), a cast
// function, and for a domain its CHECK constraints: none of which the expression's tree names.
const TYPES_SQL = markProduct(`SELECT n.nspname AS schema, t.typname AS name, t.typtype AS kind,
       EXISTS (SELECT 1 FROM pg_constraint c WHERE c.contypid = t.oid) AS constrained,
       coalesce((SELECT p.provolatile = 'v' OR p.prosecdef FROM pg_proc p WHERE p.oid = t.typinput), false) AS "unsafeInput",
       EXISTS (SELECT 1 FROM pg_cast k JOIN pg_proc p ON p.oid = k.castfunc WHERE k.casttarget = t.oid AND (p.provolatile = 'v' OR p.prosecdef)) AS "unsafeCast"
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE t.typname = $2 AND CASE WHEN $1::text IS NULL THEN n.nspname = ANY (current_schemas(true)) ELSE n.nspname = $1 END`);

const allowedVolatile = (c: Candidate) => c.schema === 'pg_catalog' && ALLOWED_VOLATILE_FUNCTIONS.includes(c.name);

/**
 * Looks up, in the target's catalog, every function and operator an expression calls, and
 * refuses those that could have effects: volatile ones (pg_proc's own marking) outside the short
 * allowed list, SECURITY DEFINER ones (they run with their owner's rights), and aggregates,
 * windows and procedures. Reads pg_proc and pg_operator only; runs nothing the author wrote.
 */
export async function checkCalledFunctions(target: ClientBase, fields: Fragment[], calls: FieldCalls[]): Promise<CalledFunctions> {
  const errors: PlanError[] = [];
  const volatile: CalledFunctions['volatile'] = [];
  const defined: CalledFunctions['defined'] = [];
  for (const call of calls) {
    const text = fields.find((f) => f.field === call.field)?.text ?? '';
    const used = new Set<string>();
    const own = new Set<string>();
    for (const fn of call.functions) {
      const { schema, name } = split(fn);
      const { rows } = await target.query<Candidate>(FUNCTIONS_SQL, [schema, name]);
      const shown = `${fn.join('.')}()`;
      if (rows.length === 0) {
        errors.push(new InvalidMappingError(call.field, text, `calls ${shown}, which does not exist on the target`, 'check the function name and its schema'));
        continue;
      }
      const bad = rows.find(
        (c) =>
          c.kind !== 'f' ||
          c.securityDefiner ||
          (c.volatility === 'v' && !allowedVolatile(c)) ||
          (c.schema === 'pg_catalog' && REFUSED_FUNCTIONS.includes(c.name)),
      );
      if (bad) {
        const why =
          bad.kind !== 'f'
            ? 'is an aggregate, window function or procedure'
            : bad.securityDefiner
              ? `is SECURITY DEFINER (${bad.schema}.${bad.name} runs with its owner's rights)`
              : bad.volatility === 'v'
                ? `is volatile (${bad.schema}.${bad.name} may have effects beyond computing a value)`
                : 'reads more than the row it converts (whole tables, or a transaction id)';
        errors.push(
          new InvalidMappingError(
            call.field,
            text,
            `calls ${shown}, which ${why}`,
            `use immutable or stable functions; of the volatile ones only ${ALLOWED_VOLATILE_FUNCTIONS.join(', ')} are allowed`,
          ),
        );
        continue;
      }
      if (rows.some((c) => c.volatility === 'v')) used.add(name);
      for (const c of rows) if (c.schema !== 'pg_catalog') own.add(`${c.schema}.${c.name}`);
    }
    for (const op of call.operators) {
      const { schema, name } = split(op);
      const { rows } = await target.query<Candidate>(OPERATORS_SQL, [schema, name]);
      const bad = rows.find((c) => c.securityDefiner || c.volatility === 'v');
      if (bad)
        errors.push(
          new InvalidMappingError(
            call.field,
            text,
            `uses operator ${op.join('.')}, whose function ${bad.schema}.${bad.name} is ${bad.securityDefiner ? 'SECURITY DEFINER' : 'volatile'}`,
            'use built-in operators',
          ),
        );
    }
    for (const type of call.types) {
      const { schema, name } = split(type);
      const { rows } = await target.query<{ schema: string; name: string; kind: string; constrained: boolean; unsafeInput: boolean; unsafeCast: boolean }>(
        TYPES_SQL,
        [schema, name],
      );
      const shown = type.join('.');
      // The type fields name the column's own type: a domain's CHECK then runs on every write, as it would anyway.
      const inExpression = call.field !== 'type';
      const bad = rows.find((t) => t.unsafeInput || t.unsafeCast || (inExpression && t.kind === 'd' && t.constrained));
      if (bad) {
        const why =
          bad.unsafeInput || bad.unsafeCast
            ? 'whose input or cast function is volatile or SECURITY DEFINER'
            : 'a domain whose CHECK constraints would run in the mapping';
        errors.push(new InvalidMappingError(call.field, text, `casts to ${shown}, ${why}`, 'cast to a built-in type (for a domain: its base type)'));
        continue;
      }
      for (const t of rows) if (t.schema !== 'pg_catalog') own.add(`type ${t.schema}.${t.name}`);
    }
    if (used.size) volatile.push({ field: call.field, functions: [...used] });
    if (own.size) defined.push({ field: call.field, functions: [...own] });
  }
  return { errors, volatile, defined };
}
