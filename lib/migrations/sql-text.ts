import { quoteIdent } from './quote';

/**
 * Wraps a function body in dollar quotes whose tag does not occur in the body, so a
 * hostile identifier containing `$$` cannot end the body early.
 */
export function dollarQuote(body: string, base = 'ec'): string {
  let tag = `$${base}$`;
  for (let n = 1; body.includes(tag); n += 1) tag = `$${base}${n}$`;
  return `${tag}${body}${tag}`;
}

export class MappingPlaceholderError extends Error {
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
