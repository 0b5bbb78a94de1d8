import { AppError } from '../errors/app-error';
/** Postgres silently truncates longer names, which could make two objects collide. */
export const MAX_IDENTIFIER_BYTES = 63;

export class InvalidIdentifierError extends AppError {
  readonly code = 'invalid-identifier';
  readonly kind = 'invalid';
  constructor(
    readonly identifier: string,
    readonly problem: string,
  ) {
    super(`invalid identifier ${JSON.stringify(identifier)}: ${problem}`);
    this.name = 'InvalidIdentifierError';
  }
}

/** UTF-8 bytes: what Postgres' identifier limit counts. */
export const byteLength = (s: string) => new TextEncoder().encode(s).length;

/** Always quotes, so reserved words, capitals and odd characters round-trip exactly. */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new InvalidIdentifierError(name, 'is empty');
  if (name.includes('\0')) throw new InvalidIdentifierError(name, 'contains a NUL byte');
  if (byteLength(name) > MAX_IDENTIFIER_BYTES) {
    throw new InvalidIdentifierError(name, `is longer than ${MAX_IDENTIFIER_BYTES} bytes and Postgres would truncate it`);
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/** schema.name, each part quoted. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A string literal that means the same whatever standard_conforming_strings is set to. */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new InvalidIdentifierError(value, 'literal contains a NUL byte');
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}
