import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseEnv } from '../../lib/config/env';
import { redactSecrets } from '../../lib/db/connection-url';
import { AppError } from '../../lib/errors/app-error';
import { findingAdvice } from '../../lib/lint/finding-advice';
import { escapeData, formatGithubAnnotations } from '../../lib/lint/format-github-annotations';
import type { LintFileResult } from '../../lib/lint/lint-sql';
import { lintPaths, STDIN_PATH } from '../../lib/lint/lint-paths';
import type { SquawkSettings } from '../../lib/lint/run-squawk';
import { squawkVersion } from '../../lib/lint/run-squawk';
import { toSarif } from '../../lib/lint/to-sarif';
import type { LintFinding } from '../../lib/lint/types';
import type { SchemaSnapshot } from '../../lib/migrations/schema';
import { say, UsageError, type JsonError } from '../output';
import { projectDir } from '../project-dir';

export const LINT_USAGE = `usage: expand-contract lint <file|dir|->... [--format text|json|github|sarif] [options]

Lints .sql files, every .sql file in a directory, or SQL read from stdin (\`-\`), for changes that break
code still running against the database (our rules) and for Squawk's lock and robustness rules. A file
that PostgreSQL cannot parse is one syntax-error finding at its line; the other files are still linted.
With TARGET_DATABASE_URL set, the tables and columns the SQL names are also checked against that
database's live schema (EC_TARGET_SCHEMAS, default public); without it, the SQL alone is judged, and the
output says so.

output
  --format text        findings as file:line  severity  rule  message, then a summary (the default)
  --format json        one JSON document: { files: [{ file, statements, findings }], findingCount, schema }
  --json               the same as --format json
  --format github      GitHub Actions annotations (::error / ::warning workflow commands) on each finding's
                       file and line, paths relative to the working directory, then the summary
  --format sarif       SARIF 2.1.0 for code scanning (github/codeql-action/upload-sarif), paths relative to
                       the working directory
  --stdin-filename P   the file name findings in SQL read from \`-\` are reported under (default <stdin>)

Squawk's settings (each one not given is read from a .squawk.toml that Squawk finds in the working
directory or a parent, else Squawk's default; its excluded_paths apply to nothing here, as Squawk reads
every file from stdin)
  --pg-version N                the Postgres version the SQL runs on, e.g. 15 or 13.2
  --assume-in-transaction       a migration tool wraps each file in a transaction
  --no-assume-in-transaction    it does not (overrides the config file)
  --exclude rule,...            skip these rules, ours (e.g. breaking-drop-column) and Squawk's alike
  --include rule,...            run these opt-in Squawk rules too, e.g. require-table-schema
  --squawk-config FILE          read this .squawk.toml instead

exit codes
  0  nothing is an error (warnings, such as a missing lock_timeout, are printed but pass)
  1  at least one error finding: a statement that breaks running code, blocks reads or writes, names
     what does not exist, or does not parse
  2  the command line was not understood, or nothing could be linted (a missing path, a directory
     without .sql files, squawk refusing its settings or missing, an unreachable database). With
     --format json or sarif the error is one JSON document on stderr:
     {"error":{"code":"…","message":"…","exitCode":2}}`;

/** Exit codes, so CI can tell "found problems" from "could not look". */
const CLEAN = 0;
const FOUND = 1;
const UNUSABLE = 2 as const;

const FORMATS = ['text', 'json', 'github', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

const DEFAULT_STDIN_NAME = '<stdin>';

/** What one `lint` run was asked to do. */
interface LintRequest {
  targets: string[];
  format: Format;
  stdinName: string;
  exclude: string[];
  squawk: Omit<SquawkSettings, 'exclude'>;
}

/** Whether names were checked against a database, for the output to say. */
type SchemaChecked = { checked: true; variable: 'TARGET_DATABASE_URL'; schemas: string[] } | { checked: false };

/** `expand-contract lint <file|dir|->... [options]`; returns the exit code instead of exiting, so callers decide. */
export async function lintCommand(args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  // Known before parsing, so that a command line that does not parse is answered in JSON too.
  const machine = wantsMachineErrors(args);
  let request: LintRequest | null;
  try {
    request = parseRequest(args);
  } catch (error) {
    return failed(error, machine);
  }
  if (!request) {
    say(LINT_USAGE);
    return CLEAN;
  }

  let results: LintFileResult[];
  let checked: SchemaChecked;
  try {
    const live = await readTargetSchema(env);
    checked = live.checked;
    results = await lintPaths(request.targets, {
      schema: live.snapshot,
      exclude: request.exclude,
      squawk: request.squawk,
      stdin: { name: request.stdinName, read: readStdin },
    });
    const cwd = process.cwd();
    switch (request.format) {
      case 'json':
        say(
          JSON.stringify(
            { files: results.map(({ file, statements, findings }) => ({ file, statements, findings })), findingCount: countFindings(results), schema: checked },
            null,
            2,
          ),
        );
        break;
      case 'sarif':
        say(JSON.stringify(toSarif(results, { tool: productInfo(), squawk: { name: 'squawk', version: await squawkVersion() }, cwd }), null, 2));
        break;
      case 'github':
        for (const line of formatGithubAnnotations(results, cwd)) say(line);
        say(summary(results));
        say(schemaLine(checked));
        break;
      case 'text':
        for (const result of results) for (const finding of result.findings) for (const line of formatFinding(result.file, finding)) say(line);
        say(summary(results));
        say(schemaLine(checked));
    }
  } catch (error) {
    return failed(error, request.format === 'json' || request.format === 'sarif', request.format === 'github');
  }
  // Warnings are advice (timeouts, re-runnable statements): CI fails only on what breaks or blocks.
  return results.some((r) => r.findings.some((f) => f.severity === 'error')) ? FOUND : CLEAN;
}

/** The request, or null for --help. Throws UsageError. */
function parseRequest(args: string[]): LintRequest | null {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        format: { type: 'string' },
        'stdin-filename': { type: 'string' },
        'pg-version': { type: 'string' },
        'assume-in-transaction': { type: 'boolean' },
        'no-assume-in-transaction': { type: 'boolean' },
        exclude: { type: 'string', multiple: true },
        include: { type: 'string', multiple: true },
        'squawk-config': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // parseArgs's own messages ("Unknown option '--x'") say what is wrong.
    throw new UsageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.help) return null;

  if (positionals.length === 0) throw new UsageError('lint needs a file, a directory or - (stdin)');
  if (positionals.filter((p) => p === STDIN_PATH).length > 1) throw new UsageError('- (stdin) can be given once');
  if (values['stdin-filename'] !== undefined && !positionals.includes(STDIN_PATH))
    throw new UsageError('--stdin-filename names the SQL read from -, and no - was given');

  const format = values.format ?? (values.json ? 'json' : 'text');
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
  if (values.json && format !== 'json') throw new UsageError(`--json asks for --format json, not ${format}`);

  const pgVersion = values['pg-version'];
  if (pgVersion !== undefined && !/^\d+(\.\d+){0,2}$/.test(pgVersion))
    throw new UsageError(`--pg-version must be a version such as 15 or 13.2, not ${JSON.stringify(pgVersion)}`);
  if (values['assume-in-transaction'] && values['no-assume-in-transaction'])
    throw new UsageError('--assume-in-transaction and --no-assume-in-transaction contradict each other');
  const assumeInTransaction = values['assume-in-transaction'] ? true : values['no-assume-in-transaction'] ? false : undefined;

  return {
    targets: positionals,
    format: format as Format,
    stdinName: values['stdin-filename'] ?? DEFAULT_STDIN_NAME,
    exclude: ruleList(values.exclude, '--exclude'),
    squawk: {
      ...(pgVersion === undefined ? {} : { pgVersion }),
      ...(assumeInTransaction === undefined ? {} : { assumeInTransaction }),
      include: ruleList(values.include, '--include'),
      ...(values['squawk-config'] === undefined ? {} : { configFile: values['squawk-config'] }),
    },
  };
}

/** `--exclude a,b --exclude c` → [a, b, c]; an empty name is a typo, not "nothing". */
function ruleList(values: string[] | undefined, flag: string): string[] {
  const rules = (values ?? []).flatMap((v) => v.split(',')).map((r) => r.trim());
  if (rules.some((r) => r === '')) throw new UsageError(`${flag} takes rule names separated by commas, e.g. ${flag} ban-drop-column,prefer-robust-stmts`);
  return rules;
}

/** --json, --format json or --format sarif anywhere on the line: whoever reads the output parses JSON. */
function wantsMachineErrors(args: string[]): boolean {
  return args.some(
    (a, i) => a === '--json' || a === '--format=json' || a === '--format=sarif' || (a === '--format' && (args[i + 1] === 'json' || args[i + 1] === 'sarif')),
  );
}

/**
 * Reports why nothing could be linted and returns exit code 2. In JSON it is one document on stderr,
 * the shape every command prints with --json (cli/output's JsonError); its code is the error's own, not
 * `usage` alone, since for lint 2 also means "could not look". In a GitHub workflow it is an annotation
 * too, so the check's page says why the step failed.
 */
function failed(error: unknown, json: boolean, github = false): number {
  const message = redactSecrets(messageOf(error));
  if (json) {
    const answer: JsonError = { error: { code: codeOf(error), message, exitCode: UNUSABLE } };
    process.stderr.write(`${JSON.stringify(answer)}\n`);
    return UNUSABLE;
  }
  process.stderr.write(`error: ${message}\n`);
  if (error instanceof UsageError) process.stderr.write(`${LINT_USAGE}\n`);
  if (github) say(`::error title=expand-contract lint::${escapeData(message)}`);
  return UNUSABLE;
}

function messageOf(error: unknown): string {
  if (error instanceof AppError) return error.message;
  // File system errors (EACCES, EISDIR, …) name the path already.
  if (isSystemError(error)) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function codeOf(error: unknown): string {
  if (error instanceof AppError) return error.code;
  if (isSystemError(error)) return 'unreadable';
  return 'error';
}

const isSystemError = (error: unknown): error is NodeJS.ErrnoException => error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';

/** The live schema when a target is configured; the CLI has no database of its own to fall back on. */
async function readTargetSchema(env: Record<string, string | undefined>): Promise<{ snapshot?: SchemaSnapshot; checked: SchemaChecked }> {
  const { TARGET_DATABASE_URL: url, EC_TARGET_SCHEMAS: schemas } = parseEnv(env);
  if (!url) return { checked: { checked: false } };
  // Loaded only with a target: a lint of SQL alone starts without pg.
  const [{ default: pg }, { checkConnection }, { connectTarget }, { introspectSchema }] = await Promise.all([
    import('pg'),
    import('../../lib/db/check-connection'),
    import('../../lib/db/connect-target'),
    import('../../lib/db/introspect-schema'),
  ]);
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

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * This product as SARIF's tool.driver names it: the command's name (what people type and search for,
 * whatever the package is called), and the version and home page package.json gives.
 */
function productInfo(): { name: string; version: string; informationUri?: string } {
  const pkg = JSON.parse(readFileSync(path.join(projectDir(), 'package.json'), 'utf8')) as {
    version: string;
    homepage?: string;
    repository?: string | { url?: string };
  };
  const repository = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const informationUri = pkg.homepage ?? repository?.replace(/^git\+/, '').replace(/\.git$/, '');
  return { name: 'expand-contract', version: pkg.version, ...(informationUri && /^https?:\/\//.test(informationUri) ? { informationUri } : {}) };
}

function schemaLine(checked: SchemaChecked): string {
  return checked.checked
    ? `tables and columns checked against the live schema of ${checked.variable} (${checked.schemas.join(', ')})`
    : 'tables and columns not checked: no database (set TARGET_DATABASE_URL to check them against its live schema)';
}

export function formatFinding(file: string, f: LintFinding): string[] {
  return [`${file}:${f.line}  ${f.severity}  ${f.rule}  ${f.message}`, ...findingAdvice(f).map((line) => `  ${line}`)];
}

const countFindings = (results: LintFileResult[]) => results.reduce((n, r) => n + r.findings.length, 0);

function summary(results: LintFileResult[]): string {
  const all = results.flatMap((r) => r.findings);
  const errors = all.filter((f) => f.severity === 'error').length;
  const statements = results.reduce((n, r) => n + r.statements, 0);
  const where = `${plural(results.length, 'file')}, ${plural(statements, 'statement')}`;
  if (all.length === 0) return `no findings in ${where}`;
  return `${plural(all.length, 'finding')} (${plural(errors, 'error')}, ${plural(all.length - errors, 'warning')}) in ${where}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
