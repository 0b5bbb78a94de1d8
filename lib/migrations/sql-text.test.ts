import { describe, expect, it } from 'vitest';
import { applyMapping, dollarQuote, MappingPlaceholderError } from './sql-text';

describe('SQL text helpers', () => {
  it.each([
    { body: 'BEGIN END', expected: '$ec$BEGIN END$ec$' },
    { body: 'x $ec$ y', expected: '$ec1$x $ec$ y$ec1$' },
    { body: '$ec$ $ec1$', expected: '$ec2$$ec$ $ec1$$ec2$' },
  ])('dollarQuote picks a tag the body does not contain: $body', ({ body, expected }) => {
    expect(dollarQuote(body)).toBe(expected);
  });

  it('fills every placeholder and parenthesises the result', () => {
    expect(applyMapping("CASE {{old}} WHEN 'a' THEN 1 ELSE length({{old}}) END", 'old', 'NEW."s"')).toBe(
      `(CASE NEW."s" WHEN 'a' THEN 1 ELSE length(NEW."s") END)`,
    );
  });

  it('refuses a mapping without its placeholder', () => {
    expect(() => applyMapping('1', 'new', 'x')).toThrow(MappingPlaceholderError);
  });
});

describe('product marker', () => {
  it('goes after the first keyword, where pg_stat_statements keeps it', async () => {
    const { markProduct } = await import('./sql-text');
    expect(markProduct('SELECT 1')).toBe('SELECT /* expand-contract */ 1');
    expect(markProduct('  WITH batch AS (SELECT 1) SELECT 2')).toBe('  WITH /* expand-contract */ batch AS (SELECT 1) SELECT 2');
  });
});
