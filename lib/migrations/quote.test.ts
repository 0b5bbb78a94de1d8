import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError, quoteIdent, quoteLiteral, quoteQualified } from './quote';

describe('quoteIdent', () => {
  it.each([
    { name: 'plain', input: 'leads', expectedSql: '"leads"' },
    { name: 'capitals kept', input: 'UserEmail', expectedSql: '"UserEmail"' },
    { name: 'reserved word', input: 'select', expectedSql: '"select"' },
    { name: 'embedded quote doubled', input: 'a"b', expectedSql: '"a""b"' },
    { name: 'injection stays one name', input: 'x"; DROP TABLE leads; --', expectedSql: '"x""; DROP TABLE leads; --"' },
    { name: 'spaces and unicode', input: 'e-mail ✉', expectedSql: '"e-mail ✉"' },
    { name: 'exactly 63 bytes', input: 'a'.repeat(63), expectedSql: `"${'a'.repeat(63)}"` },
  ])('$name', ({ input, expectedSql }) => {
    expect(quoteIdent(input)).toBe(expectedSql);
  });

  it.each([
    ['empty', ''],
    ['64 bytes', 'a'.repeat(64)],
    ['63 characters but more bytes', 'é'.repeat(32)],
    ['NUL byte', 'a\0b'],
  ])('rejects %s', (_label, input) => {
    expect(() => quoteIdent(input)).toThrow(InvalidIdentifierError);
  });

  it('qualifies with both parts quoted', () => {
    expect(quoteQualified('public', 'Leads')).toBe('"public"."Leads"');
  });
});

describe('quoteLiteral', () => {
  it.each([
    { input: 'pending', expectedSql: "'pending'" },
    { input: "O'Brien", expectedSql: "'O''Brien'" },
    { input: 'C:\\temp', expectedSql: "E'C:\\\\temp'" },
    { input: "'; DROP TABLE x; --", expectedSql: "'''; DROP TABLE x; --'" },
  ])('$input', ({ input, expectedSql }) => {
    expect(quoteLiteral(input)).toBe(expectedSql);
  });
});
