'use server';
import { z } from 'zod';
import type { LintState } from '@/lib/actions/lint-state';
import { guardedAction, signedIn } from '@/lib/auth/guarded-action';
import { parseEnv } from '@/lib/config/env';
import { introspectSchema } from '@/lib/db/introspect-schema';
import { targetPool } from '@/lib/db/pools';
import { lintSql } from '@/lib/lint/lint-sql';
import type { SchemaSnapshot } from '@/lib/migrations/schema';
import { SqlSyntaxError } from '@/lib/sql/parse-sql';

const input = z.object({
  sql: z
    .string()
    .refine((sql) => sql.trim() !== '', 'paste some SQL first')
    .refine((sql) => sql.length <= 200_000, 'at most 200,000 characters')
    .prefault(''),
});

/**
 * The target's live schema, read-only from the catalog. A target that cannot be read does not stop
 * the lint: the SQL is still judged on its own, and the answer says the names went unchecked.
 */
async function liveSchema(): Promise<{ snapshot?: SchemaSnapshot; schema: string }> {
  try {
    const schemas = parseEnv(process.env).EC_TARGET_SCHEMAS;
    const snapshot = await introspectSchema(targetPool(), schemas);
    return { snapshot, schema: `Tables and columns checked against the target's live schema (${schemas.join(', ')}).` };
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { schema: `Tables and columns not checked: the target's schema could not be read (${why}).` };
  }
}

/** Lints pasted SQL with Squawk, our breaking-change pass and the target's live schema; the SQL itself is parsed here, never run. */
export const lintAction = guardedAction({ who: signedIn, input }, async (_actor, { sql }): Promise<LintState> => {
  const { snapshot, schema } = await liveSchema();
  try {
    const { findings, statements } = await lintSql(sql, { schema: snapshot });
    return {
      findings: findings.map((f) => ({
        source: f.source,
        rule: f.rule,
        severity: f.severity,
        message: f.message,
        help: f.help,
        line: f.line,
        ...(f.statement === undefined ? {} : { statement: f.statement }),
        suggestion: f.suggestion,
      })),
      statements,
      schema,
    };
  } catch (error) {
    // The parser names the token it stopped at; the form first says what kind of problem that is.
    if (error instanceof SqlSyntaxError) return { error: `not valid PostgreSQL: ${error.message} (line ${error.line})` };
    throw error;
  }
});
