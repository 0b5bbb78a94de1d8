'use server';
import { z } from 'zod';
import type { LintState } from '@/lib/actions/lint-state';
import { guardedAction, signedIn } from '@/lib/auth/guarded-action';
import { lintSql } from '@/lib/lint/lint-sql';
import { SqlSyntaxError } from '@/lib/sql/parse-sql';

const input = z.object({
  sql: z
    .string()
    .refine((sql) => sql.trim() !== '', 'paste some SQL first')
    .refine((sql) => sql.length <= 200_000, 'at most 200,000 characters')
    .prefault(''),
});

/** Lints pasted SQL with Squawk and our breaking-change pass: parsed here, never sent to a database. */
export const lintAction = guardedAction({ who: signedIn, input }, async (_actor, { sql }): Promise<LintState> => {
  try {
    const { findings, statements } = await lintSql(sql);
    return {
      findings: findings.map((f) => ({
        source: f.source,
        rule: f.rule,
        severity: f.severity,
        message: f.message,
        help: f.help,
        line: f.line,
        suggestion: f.suggestion,
      })),
      statements,
    };
  } catch (error) {
    // The parser names the token it stopped at; the form first says what kind of problem that is.
    if (error instanceof SqlSyntaxError) return { error: `not valid PostgreSQL: ${error.message}` };
    throw error;
  }
});
