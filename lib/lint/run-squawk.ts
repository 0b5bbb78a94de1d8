import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { LintFinding, LintSeverity } from './types';
import { AppError } from '../errors/app-error';

/**
 * The squawk-cli pinned in package.json, not whatever version happens to be on PATH: its native
 * binary (the platform package squawk-cli installs), so a lint does not start a second Node process
 * just to start squawk (about 0.15 s of the command's 0.4); npm's `squawk` command where that package
 * cannot be found.
 */
export const SQUAWK_BINARY = findSquawk();

function findSquawk(): string {
  // This module runs from lib/lint, and bundled from dist/cli: both two folders below the project. A path,
  // not require.resolve: the dashboard's bundler would try to bundle the binary as a module.
  const modules = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules');
  const native = path.join(modules, '@squawk-cli', `${process.platform}-${process.arch}`, 'bin', process.platform === 'win32' ? 'squawk.exe' : 'squawk');
  return existsSync(native) ? native : path.join(modules, '.bin', 'squawk');
}

export class SquawkError extends AppError {
  readonly code = 'squawk-failed';
  readonly kind = 'unavailable';
  constructor(
    readonly reason: 'missing-binary' | 'failed' | 'bad-output',
    readonly binary: string,
    /** stderr or the unparseable output, shortened. */
    readonly detail: string,
  ) {
    const what = {
      'missing-binary': `squawk is not installed at ${binary}: run \`npm install\``,
      failed: `squawk (${binary}) failed`,
      'bad-output': `squawk (${binary}) printed something that is not its JSON report`,
    }[reason];
    super(detail ? `${what}: ${detail}` : what);
    this.name = 'SquawkError';
  }
}

/**
 * Squawk refused the settings it was given: an option value (an unknown rule name, a version that is not
 * one) or its configuration file (.squawk.toml, found from the working directory up, or --config).
 * Nothing was linted; the person has to change the command or the file.
 */
export class SquawkSettingsError extends AppError {
  readonly code = 'squawk-settings';
  readonly kind = 'invalid';
  constructor(readonly detail: string) {
    super(`squawk refused its settings: ${detail}`);
    this.name = 'SquawkSettingsError';
  }
}

const SquawkReport = z.array(
  z.object({
    rule_name: z.string(),
    level: z.string(),
    message: z.string(),
    help: z.string().nullable().optional(),
    /** 0-based. */
    line: z.number().int(),
    /** 0-based, in UTF-8 bytes from the start of the line. */
    column: z.number().int(),
  }),
);

/**
 * Squawk's own settings, passed through as its flags. Each one left unset is taken from .squawk.toml
 * when Squawk finds one (it looks in the working directory and its parents), else Squawk's default.
 */
export interface SquawkSettings {
  /** The Postgres version the SQL will run on, e.g. "15" or "13.2": some statements are safe from a version on. */
  pgVersion?: string;
  /** Whether a migration tool wraps each file in a transaction; false overrides a config that says true. */
  assumeInTransaction?: boolean;
  /** Squawk rules to skip. Names Squawk does not know are refused by Squawk (SquawkSettingsError). */
  exclude?: readonly string[];
  /** Squawk's opt-in rules to run as well, e.g. require-table-schema. */
  include?: readonly string[];
  /** A .squawk.toml to read instead of the one Squawk would find. */
  configFile?: string;
}

export interface RunSquawkOptions {
  /** The name Squawk reports for the SQL, read from its stdin. */
  fileName?: string;
  /** Another squawk executable (tests point this at a missing path). */
  binary?: string;
  settings?: SquawkSettings;
}

/** Squawk's command line for the settings; `=` keeps a value that starts with a dash a value. */
export function squawkArgs(settings: SquawkSettings = {}): string[] {
  const args: string[] = [];
  if (settings.pgVersion !== undefined) args.push(`--pg-version=${settings.pgVersion}`);
  if (settings.assumeInTransaction !== undefined) args.push(settings.assumeInTransaction ? '--assume-in-transaction' : '--no-assume-in-transaction');
  if (settings.exclude?.length) args.push(`--exclude=${settings.exclude.join(',')}`);
  if (settings.include?.length) args.push(`--include=${settings.include.join(',')}`);
  if (settings.configFile !== undefined) args.push(`--config=${settings.configFile}`);
  return args;
}

/**
 * Lints SQL text with the real Squawk and maps every finding, the robustness ones
 * (require-lock-timeout, prefer-robust-stmts, …) included. statementIndex is left null: Squawk does not
 * number statements, lintSql ties them to parsed ones.
 */
export async function runSquawk(sql: string, options: RunSquawkOptions = {}): Promise<LintFinding[]> {
  const binary = options.binary ?? SQUAWK_BINARY;
  if (!existsSync(binary)) throw new SquawkError('missing-binary', binary, '');
  const args = ['--reporter', 'json', ...(options.fileName ? ['--stdin-filepath', options.fileName] : []), ...squawkArgs(options.settings)];
  const { code, stdout, stderr } = await run(binary, args, sql);
  const refused = refusedSettings(code, stdout, stderr);
  if (refused) throw new SquawkSettingsError(refused);
  // Exit 1 only means "found something"; the report says what.
  if (code !== 0 && code !== 1) throw new SquawkError('failed', binary, shorten(stderr || stdout || `exit code ${code}`));

  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new SquawkError('bad-output', binary, shorten(stdout || stderr));
  }
  const report = SquawkReport.safeParse(json);
  if (!report.success) throw new SquawkError('bad-output', binary, shorten(stdout));

  const lines = sql.split('\n');
  return report.data.map((r) => ({
    source: 'squawk',
    rule: r.rule_name,
    severity: toSeverity(r.rule_name, r.level),
    message: r.message,
    help: r.help ?? null,
    statementIndex: null,
    line: r.line + 1,
    column: byteColumnToCharColumn(lines[r.line] ?? '', r.column) + 1,
  }));
}

/**
 * What Squawk said when it refused its settings, or null: its argument parser exits 2 with
 * "error: invalid value …", and a config file it cannot read makes it exit 1 with "Configuration error: …"
 * and no report.
 */
function refusedSettings(code: number | null, stdout: string, stderr: string): string | null {
  const text = stderr.trim();
  if (code === 2 && text.startsWith('error: invalid value')) return text.split('\n')[0]!.replace(/^error: /, '');
  if (code === 1 && stdout.trim() === '' && text.startsWith('Configuration error')) return text.split('\n')[0]!;
  return null;
}

/** The version the squawk binary reports, e.g. "2.66.0", for reports that name the tools that made them. */
export async function squawkVersion(binary: string = SQUAWK_BINARY): Promise<string> {
  if (!existsSync(binary)) throw new SquawkError('missing-binary', binary, '');
  const { code, stdout, stderr } = await run(binary, ['--version'], '');
  const version = /(\d+\.\d+\.\d+\S*)/.exec(stdout)?.[1];
  if (code !== 0 || !version) throw new SquawkError('bad-output', binary, shorten(stdout || stderr));
  return version;
}

/**
 * Squawk's rules that are advice about how a migration is written, not about what it does to running
 * code: missing timeouts (the executor sets its own), re-runnability, column type preferences. Every
 * other rule flags a statement that blocks reads or writes for long or breaks clients.
 */
export const SQUAWK_ADVICE_RULES: ReadonlySet<string> = new Set([
  'require-timeout-settings',
  'require-lock-timeout',
  'require-statement-timeout',
  'prefer-robust-stmts',
  'prefer-bigint-over-int',
  'prefer-bigint-over-smallint',
  'prefer-identity',
  'prefer-text-field',
  'prefer-timestamptz',
  'ban-char-field',
  'require-enum-value-ordering',
  'require-table-schema',
  'identifier-too-long',
  'transaction-nesting',
]);

/**
 * Squawk reports every rule as "Warning" (its own syntax errors as "Error"), so its level cannot
 * tell a missing lock_timeout from a table-locking index build: the rule does.
 */
export function toSeverity(rule: string, level: string): LintSeverity {
  if (level.toLowerCase() === 'error') return 'error';
  return SQUAWK_ADVICE_RULES.has(rule) ? 'warning' : 'error';
}

function byteColumnToCharColumn(line: string, byteColumn: number): number {
  const encoder = new TextEncoder();
  let bytes = 0;
  let chars = 0;
  for (const ch of line) {
    if (bytes >= byteColumn) break;
    bytes += encoder.encode(ch).length;
    chars += ch.length;
  }
  return chars;
}

const shorten = (text: string) => (text.length > 500 ? `${text.slice(0, 500)}…` : text).trim();

function run(binary: string, args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' || error.code === 'EACCES' ? new SquawkError('missing-binary', binary, error.message) : error);
    });
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
    // Squawk may exit before reading everything (e.g. a broken install); that is reported by the exit code.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
