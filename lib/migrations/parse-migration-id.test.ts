import { describe, expect, it } from 'vitest';
import { MAX_MIGRATION_ID, migrationIdField, parseMigrationId } from './parse-migration-id';

describe('parseMigrationId', () => {
  it.each([
    ['1', 1],
    ['5', 5],
    ['42', 42],
    ['2147483647', MAX_MIGRATION_ID],
    [7, 7],
    [2147483647, MAX_MIGRATION_ID],
  ])('%j is migration %j', (raw, id) => {
    expect(parseMigrationId(raw)).toBe(id);
  });

  it.each([
    ['0'],
    ['-1'],
    ['+5'],
    ['05'],
    ['0x5'],
    ['0X5'],
    ['0o5'],
    ['0b101'],
    ['1e3'],
    ['5e0'],
    ['5.0'],
    ['5.'],
    ['.5'],
    [' 5'],
    ['5 '],
    ['\t5'],
    ['5\n'],
    ['%20'],
    ['5%00'],
    ['5\u0000'],
    ['\u0665'], // Arabic-Indic five: \d in some engines, never a migration id
    ['\uff15'], // fullwidth 5
    ['2147483648'],
    ['4294967301'], // 2^32 + 5: must not wrap around to migration 5
    ['9007199254740993'],
    ['99999999999999999999'],
    ['1'.repeat(5000)],
    ['abc'],
    ['5abc'],
    ['Infinity'],
    ['NaN'],
    [''],
    [null],
    [undefined],
    [0],
    [-1],
    [5.5],
    [2147483648],
    [4294967301],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [['5']],
    [{ toString: () => '5' }],
  ])('%j is not a migration id', (raw) => {
    expect(parseMigrationId(raw)).toBeNull();
  });

  it('gives zod schemas the same rule, with a message', () => {
    expect(migrationIdField.parse('7')).toBe(7);
    expect(migrationIdField.parse(7)).toBe(7);
    const refused = migrationIdField.safeParse('0x5');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('a migration id is a whole number from 1 to 2147483647');
  });
});
