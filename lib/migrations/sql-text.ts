import { quoteIdent } from './quote';
import { AppError } from '../errors/app-error';

/**
 * Wraps a function body in dollar quotes whose tag does not occur in the body, so a
 * hostile identifier containing `$$` cannot end the body early.
 */
export function dollarQuote(body: string, base = 'ec'): string {
  let tag = `$${base}$`;
  for (let n = 1; body.includes(tag); n += 1) tag = `$${base}${n}$`;
  return `${tag}${body}${tag}`;
}

export class MappingPlaceholderError extends AppError {
  readonly code = 'mapping-placeholder';
  readonly kind = 'invalid';
  constructor(
    readonly expression: string,
    readonly placeholder: string,
  ) {
    super(`mapping ${JSON.stringify(expression)} must use ${placeholder} for the value it converts`);
    this.name = 'MappingPlaceholderError';
  }
}

/** Fills {{old}} / {{new}} in a mapping expression with a (quoted) column reference. */
export function applyMapping(expression: string, placeholder: 'old' | 'new', reference: string): string {
  const token = `{{${placeholder}}}`;
  if (!expression.includes(token)) throw new MappingPlaceholderError(expression, token);
  return `(${expression.split(token).join(reference)})`;
}

/** `alias."column"` or `NEW."column"`. */
export const columnRef = (qualifier: string, column: string) => `${qualifier}.${quoteIdent(column)}`;

// Types without an equality operator: IS DISTINCT FROM fails on them ("operator does not exist: json = json").
const NO_EQUALITY = /^(json|xml|point|line|lseg|box|path|polygon|circle)(\[\])*$/i;

/** `a IS DISTINCT FROM b`, comparing as text for types that have no `=`. */
export function isDistinct(a: string, b: string, type: string): string {
  return NO_EQUALITY.test(type.trim()) ? `${a}::text IS DISTINCT FROM ${b}::text` : `${a} IS DISTINCT FROM ${b}`;
}

/**
 * Marks statements the product itself runs on a target, so the pg_stat_statements sampler
 * never mistakes our backfill, parity check or archive copy for code still using the old
 * column. pg_stat_statements keeps comments inside a statement but drops those before its
 * first word, so the marker goes after the first keyword.
 */
export const PRODUCT_MARKER = '/* expand-contract */';

export const markProduct = (sql: string) => sql.replace(/^(\s*[A-Za-z]+)/, `$1 ${PRODUCT_MARKER}`);

/** An author's per-row expression with {{row}} filled by a row alias (`t`, `NEW`), parenthesised. */
export const rowExpression = (text: string, alias: string) => `(${text.split('{{row}}').join(alias)})`;
