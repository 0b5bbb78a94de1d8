import { AppError } from '../errors/app-error';
export class QualifiedNameError extends AppError {
  readonly code = 'qualified-name';
  readonly kind = 'invalid';
  constructor(
    readonly input: string,
    readonly expected: string,
  ) {
    super(`cannot read ${JSON.stringify(input)} as ${expected}`);
    this.name = 'QualifiedNameError';
  }
}

/**
 * Splits `schema.table.column` the way Postgres reads names: dots inside double quotes
 * belong to the name, "" is a quote, and unquoted parts fold to lower case.
 */
export function splitQualifiedName(input: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i <= input.length) {
    let part = '';
    if (input[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= input.length) throw new QualifiedNameError(input, 'a name (unterminated quote)');
        if (input[i] === '"') {
          if (input[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        part += input[i];
        i += 1;
      }
      if (i < input.length && input[i] !== '.') throw new QualifiedNameError(input, 'a name (text after a closing quote)');
    } else {
      while (i < input.length && input[i] !== '.') part += input[i++];
      part = part.trim().toLowerCase();
    }
    if (!part) throw new QualifiedNameError(input, 'a name (empty part)');
    parts.push(part);
    i += 1;
  }
  return parts;
}

/** `table.column` (schema public) or `schema.table.column`. */
export function parseColumnName(input: string, defaultSchema = 'public'): { schema: string; table: string; column: string } {
  const parts = splitQualifiedName(input);
  if (parts.length === 2) return { schema: defaultSchema, table: parts[0]!, column: parts[1]! };
  if (parts.length === 3) return { schema: parts[0]!, table: parts[1]!, column: parts[2]! };
  throw new QualifiedNameError(input, 'table.column or schema.table.column');
}
