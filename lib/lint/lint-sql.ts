import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { detectBreakingChanges } from './detect-breaking-changes';
import { findUnknownNames } from './find-unknown-names';
import type { SchemaSnapshot } from '../migrations/schema';
import type { LintFinding } from './types';
import { parseSql, SqlSyntaxError, type ParsedStatement } from '../sql/parse-sql';
import { runSquawk } from './run-squawk';
import { AppError } from '../errors/app-error';

export interface LintResult {
  /** Ours and Squawk's, by line; on the same line ours come first, each source in its own order. */
  findings: LintFinding[];
  statements: number;
}

export interface LintFileResult extends LintResult {
  file: string;
}

export interface LintOptions {
  /** The name Squawk reports and matches its config's excluded paths against. */
  fileName?: string;
  /**
   * The target's live schema: with it, tables and columns that do not exist are findings, and a type
   * change's mappings start from the column's real type. Without it the SQL alone is judged.
   */
  schema?: SchemaSnapshot;
}

/** Nothing to lint at that path. */
export class LintPathError extends AppError {
  readonly code = 'nothing-to-lint';
  readonly kind = 'not-found';
  constructor(
    readonly path: string,
    readonly reason: 'not-found' | 'no-sql-files',
  ) {
    super(reason === 'not-found' ? `${path}: no such file or directory` : `${path}: no .sql files in this directory`);
    this.name = 'LintPathError';
  }
}

/** A file that is not valid PostgreSQL: linting it would only produce noise. */
export class SqlFileSyntaxError extends AppError {
  readonly code = 'sql-file-syntax';
  readonly kind = 'invalid';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly position: number,
    readonly sqlMessage: string,
  ) {
    super(`${file}:${line}: ${sqlMessage}`);
    this.name = 'SqlFileSyntaxError';
  }
}

/**
 * Lints SQL text with our breaking-change pass and with Squawk. Both report the same rename in their own
 * words; neither is dropped, since Squawk's also carries its lock and robustness advice. A statement
 * naming a table or column the live schema lacks would fail before it broke anything: it gets that
 * finding instead of ours, and no safe plan.
 * Throws SqlSyntaxError for SQL Postgres would reject.
 */
export async function lintSql(sql: string, options: LintOptions = {}): Promise<LintResult> {
  const parsed = await parseSql(sql);
  const unknown = options.schema ? findUnknownNames(parsed.statements, options.schema) : [];
  const failing = new Set(unknown.map((f) => f.statementIndex));
  const ours = [...unknown, ...detectBreakingChanges(parsed.statements, options.schema).filter((f) => !failing.has(f.statementIndex))];
  const squawk = (await runSquawk(sql, { fileName: options.fileName })).map((f) => ({ ...f, statementIndex: statementAt(sql, parsed.statements, f) }));
  const rank = (f: LintFinding) => (f.source === 'expand-contract' ? 0 : 1);
  const findings = [...ours, ...squawk]
    .sort((a, b) => a.line - b.line || rank(a) - rank(b))
    .map((f) => (f.statementIndex === null ? f : { ...f, statement: parsed.statements[f.statementIndex]?.text }));
  return { findings, statements: parsed.statements.length };
}

/** The statement a Squawk finding points into, or the first one starting on its line. */
function statementAt(sql: string, statements: readonly ParsedStatement[], f: LintFinding): number | null {
  const lineStart = nthLineStart(sql, f.line);
  if (lineStart === null) return null;
  const offset = lineStart + (f.column ?? 1) - 1;
  const containing = statements.find((s) => s.start <= offset && offset < Math.max(s.end, s.start + 1));
  return (containing ?? statements.find((s) => s.line === f.line))?.index ?? null;
}

function nthLineStart(sql: string, line: number): number | null {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = sql.indexOf('\n', offset);
    if (nl === -1) return null;
    offset = nl + 1;
  }
  return offset;
}

/**
 * Lints one file, or every .sql file directly inside a directory in name order (migration order for
 * timestamp-named files such as Supabase's).
 */
export async function lintPath(fileOrDir: string, options: Pick<LintOptions, 'schema'> = {}): Promise<LintFileResult[]> {
  let info;
  try {
    info = await stat(fileOrDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new LintPathError(fileOrDir, 'not-found');
    throw error;
  }

  let files = [fileOrDir];
  if (info.isDirectory()) {
    const entries = await readdir(fileOrDir, { withFileTypes: true });
    files = entries
      .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.sql'))
      .map((e) => e.name)
      .sort()
      .map((name) => path.join(fileOrDir, name));
    if (files.length === 0) throw new LintPathError(fileOrDir, 'no-sql-files');
  }

  const results: LintFileResult[] = [];
  // One at a time: each file starts a Squawk process.
  for (const file of files) {
    const sql = await readFile(file, 'utf8');
    try {
      results.push({ file, ...(await lintSql(sql, { fileName: file, schema: options.schema })) });
    } catch (error) {
      if (error instanceof SqlSyntaxError) throw new SqlFileSyntaxError(file, error.line, error.column, error.position, error.message);
      throw error;
    }
  }
  return results;
}
