import { detectBreakingChanges } from './detect-breaking-changes';
import { findUnknownNames, type KnownTables } from './find-unknown-names';
import type { SchemaSnapshot } from '../migrations/schema';
import type { LintFinding } from './types';
import { parseSql, type ParsedStatement } from '../sql/parse-sql';
import { isExpandContractRule } from './expand-contract-rules';
import { runSquawk, type SquawkSettings } from './run-squawk';

export interface LintResult {
  /** Ours and Squawk's, by line; on the same line ours come first, each source in its own order. */
  findings: LintFinding[];
  statements: number;
}

export interface LintFileResult extends LintResult {
  file: string;
}

export interface LintOptions {
  /** The name Squawk reports for the SQL. */
  fileName?: string;
  /**
   * The target's live schema: with it, tables and columns that do not exist are findings, and a type
   * change's mappings start from the column's real type. Without it the SQL alone is judged.
   */
  schema?: SchemaSnapshot;
  /** The tables as earlier files left them (see KnownTables); the live schema's when not given. */
  knownTables?: KnownTables;
  /** Rules to skip, ours and Squawk's alike. */
  exclude?: readonly string[];
  /** Squawk's own settings; its `exclude` is filled from `exclude` above. */
  squawk?: Omit<SquawkSettings, 'exclude'>;
}

/**
 * Lints SQL text with our breaking-change pass and with Squawk. Both report the same rename in their own
 * words; neither is dropped, since Squawk's also carries its lock and robustness advice. A statement
 * naming a table or column the live schema lacks would fail before it broke anything: it gets that
 * finding instead of ours, and no safe plan.
 * Throws SqlSyntaxError for SQL Postgres would reject.
 */
export async function lintSql(sql: string, options: LintOptions = {}): Promise<LintResult> {
  const excluded = new Set(options.exclude);
  const settings = { ...options.squawk, exclude: [...excluded].filter((rule) => !isExpandContractRule(rule)) };
  // Squawk runs while the parser loads and parses: the two are most of a lint's time, and independent.
  const squawkRun = runSquawk(sql, { fileName: options.fileName, settings });
  squawkRun.catch(() => {}); // awaited below; a parse error must not leave it unhandled
  const parsed = await parseSql(sql);
  const kept = (f: LintFinding) => !excluded.has(f.rule);
  const unknown = options.schema ? findUnknownNames(parsed.statements, options.schema, options.knownTables).filter(kept) : [];
  const failing = new Set(unknown.map((f) => f.statementIndex));
  const ours = [...unknown, ...detectBreakingChanges(parsed.statements, options.schema).filter((f) => kept(f) && !failing.has(f.statementIndex))];
  const squawk = (await squawkRun).map((f) => ({
    ...f,
    statementIndex: statementAt(sql, parsed.statements, f),
  }));
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
