import { SqlSyntaxError } from '../sql/parse-sql';
import { EXPAND_CONTRACT_RULES } from './expand-contract-rules';
import { lintSql, type LintFileResult, type LintOptions } from './lint-sql';

/**
 * Lints the SQL of one file (or of stdin, under the name given). SQL that Postgres would reject is
 * one `syntax-error` finding at the line and column its parser names, not a failure: among many
 * files, one broken file must not hide what the others say. Nothing else in it is judged, since
 * statements after a syntax error cannot be told apart; its statement count is 0.
 */
export async function lintSource(sql: string, file: string, options: Omit<LintOptions, 'fileName'> = {}): Promise<LintFileResult> {
  try {
    return { file, ...(await lintSql(sql, { ...options, fileName: file })) };
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error;
    if (options.exclude?.includes('syntax-error')) return { file, findings: [], statements: 0 };
    return {
      file,
      statements: 0,
      findings: [
        {
          source: 'expand-contract',
          rule: 'syntax-error',
          severity: 'error',
          message: error.message,
          help: EXPAND_CONTRACT_RULES['syntax-error']!.help,
          statementIndex: null,
          line: error.line,
          column: error.column,
        },
      ],
    };
  }
}
