import { z } from 'zod';

/**
 * The largest migration id the product addresses. The column is a bigint, but every phase takes
 * the migration's advisory lock with the id as its 32-bit key (`pg_advisory_lock(int, int)`), so
 * a larger id could never be run; identities reach it only after two billion migrations.
 */
export const MAX_MIGRATION_ID = 2_147_483_647;

/** Decimal digits without a leading zero, at most ten of them: what parseMigrationId reads (and the API's documents say). */
export const MIGRATION_ID_PATTERN = /^[1-9][0-9]{0,9}$/;

/**
 * A migration id as it comes in a URL, a form field or a command line: decimal digits only.
 * `Number()` alone would read 0x5 and 5e0 as 5 (another migration's page) and 1e20 as a number
 * Postgres refuses for a bigint (a 500 instead of a 404). Null for anything else: signs, leading
 * zeros, spaces, exponents, fractions, and ids outside 1..MAX_MIGRATION_ID. A number (from JSON
 * or code) is taken when it is a whole number in that range.
 */
export function parseMigrationId(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 1 && raw <= MAX_MIGRATION_ID ? raw : null;
  if (typeof raw !== 'string' || !MIGRATION_ID_PATTERN.test(raw)) return null;
  const id = Number(raw);
  return id <= MAX_MIGRATION_ID ? id : null;
}

/** The same rule for zod schemas of forms and filters, with a message a person can act on. */
export const migrationIdField = z.union([z.string(), z.number()]).transform((raw, ctx) => {
  const id = parseMigrationId(raw);
  if (id === null) {
    ctx.addIssue({ code: 'custom', message: `a migration id is a whole number from 1 to ${MAX_MIGRATION_ID}` });
    return z.NEVER;
  }
  return id;
});
