import type { OperationSpec } from '../migrations/types';

export type LintSeverity = 'error' | 'warning';

/** One problem in a piece of SQL, from Squawk or from our own breaking-change pass. */
export interface LintFinding {
  source: 'squawk' | 'expand-contract';
  /** kebab-case: Squawk's rule name, or ours, e.g. "breaking-rename-column". */
  rule: string;
  severity: LintSeverity;
  message: string;
  /** Squawk gives no help for some rules. */
  help: string | null;
  /** 0-based statement the finding belongs to; null when it could not be tied to one. */
  statementIndex: number | null;
  /** 1-based. */
  line: number;
  /** The text of the statement at statementIndex, as written (lintSql fills it). */
  statement?: string;
  /** 1-based, in JavaScript string units. */
  column?: number;
  /** The same intent as an expand-contract operation, ready to plan. */
  suggestion?: OperationSpec;
}

/** What the breaking-change pass needs from a parsed statement (lib/sql/parse-sql's ParsedStatement fits). */
export interface StatementInput {
  /** The libpg-query AST of one statement, e.g. { RenameStmt: { … } }. */
  stmt: unknown;
  line: number;
  column?: number;
}
