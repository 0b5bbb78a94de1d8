import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SarifLog } from '../../lib/lint/to-sarif';
import type { LintFinding } from '../../lib/lint/types';
import { sarifSchemaErrors } from '../../tests/helpers/validate-sarif';

// Each run starts Node with tsx and the real squawk binary; the machine may be busy with other suites.
const SLOW = 60_000;

let dir: string;
let wrapper: string;

const RENAME_2AM = 'ALTER TABLE leads RENAME COLUMN user_email TO contact_email;\n';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ec-lint-cli-'));
  // The command as a process runs it, without the rest of the CLI: a two-line entry point.
  wrapper = path.join(dir, 'run-lint.mjs');
  const lintModule = pathToFileURL(path.join(import.meta.dirname, 'lint.ts')).href;
  await writeFile(wrapper, `import { lintCommand } from ${JSON.stringify(lintModule)};\nprocess.exit(await lintCommand(process.argv.slice(2)));\n`);
  await writeFile(path.join(dir, 'rename.sql'), RENAME_2AM);
  await writeFile(
    path.join(dir, 'safe.sql'),
    "BEGIN;\nSET LOCAL lock_timeout = '1s';\nSET LOCAL statement_timeout = '5s';\nALTER TABLE leads ADD COLUMN IF NOT EXISTS contact_email text;\nCOMMIT;\n",
  );
  await writeFile(path.join(dir, 'broken.sql'), 'SELECT 1;\nALTER TABL leads;\n');
  await writeFile(path.join(dir, 'cic.sql'), 'CREATE INDEX CONCURRENTLY IF NOT EXISTS leads_user_email_idx ON leads (user_email);\n');
  await writeFile(path.join(dir, 'index.sql'), 'CREATE INDEX leads_user_email_idx ON leads (user_email);\n');
  await writeFile(path.join(dir, 'default.sql'), "ALTER TABLE users ADD COLUMN IF NOT EXISTS tier text DEFAULT 'free';\n");
  await mkdir(path.join(dir, 'two'));
  await writeFile(path.join(dir, 'two', '002_drop.sql'), 'ALTER TABLE users DROP COLUMN legacy_field;\n');
  await writeFile(path.join(dir, 'two', '001_safe.sql'), 'SELECT 1;\n');
  // A migrations folder as a pull request leaves it: one file that does not parse between two that do.
  const migrations = path.join(dir, 'supabase', 'migrations');
  await mkdir(migrations, { recursive: true });
  await writeFile(path.join(migrations, '20250101000000_drop.sql'), "SET lock_timeout = '1s';\nALTER TABLE users DROP COLUMN legacy_field;\n");
  await writeFile(path.join(migrations, '20250102000000_broken.sql'), 'SELECT 1;\n\nALTER TABL leads;\n');
  await writeFile(path.join(migrations, '20250103000000_rename.sql'), `-- the 2am rename\n${RENAME_2AM}`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const NOT_CHECKED = 'tables and columns not checked: no database (set TARGET_DATABASE_URL to check them against its live schema)\n';
// No database here, whatever the shell running the tests points at.
const env = { ...process.env, TARGET_DATABASE_URL: '' };

function lint(args: string[], options: { stdin?: string; cwd?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, wrapper, ...args], {
      cwd: options.cwd ?? dir,
      env,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  });
}

/** The annotations of a `--format github` run, as GitHub reads them: kind, properties and the unescaped message. */
function annotations(stdout: string): { kind: string; file: string; line: number; col?: number; title: string; message: string }[] {
  const unescape = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('::'))
    .map((l) => {
      const [, kind, props, message] = /^::(\w+) ([^:]*)::(.*)$/.exec(l)!;
      const p = Object.fromEntries(props!.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), unescape(kv.slice(kv.indexOf('=') + 1))]));
      return { kind: kind!, file: p.file!, line: Number(p.line), ...(p.col ? { col: Number(p.col) } : {}), title: p.title!, message: unescape(message!) };
    });
}

describe('expand-contract lint', () => {
  it(
    'exits 1 on the 2am rename and says how to plan it safely',
    async () => {
      const { code, stdout, stderr } = await lint(['rename.sql']);
      expect(stderr).toBe('');
      expect(code).toBe(1);
      const lines = stdout.split('\n');
      expect(lines[0]).toBe(
        'rename.sql:1  error  breaking-rename-column  renaming public.leads.user_email to contact_email breaks every running query that still uses user_email',
      );
      expect(lines[1]).toMatch(/^ {2}help: Add contact_email beside user_email/);
      expect(lines[2]).toBe('  plan it safely: expand-contract plan rename public.leads.user_email contact_email');
      // Squawk's rename rule breaks clients too: an error, as ours is.
      expect(stdout).toContain('rename.sql:1  error  renaming-column  Renaming a column may break existing clients.');
      expect(stdout).toMatch(/\n\d+ findings \(2 errors, \d+ warnings\) in 1 file, 1 statement\n/);
      expect(stdout.endsWith(NOT_CHECKED)).toBe(true);
    },
    SLOW,
  );

  it(
    'exits 0 on a clean file',
    async () => {
      const { code, stdout } = await lint(['safe.sql']);
      expect(code).toBe(0);
      expect(stdout).toBe(`no findings in 1 file, 5 statements\n${NOT_CHECKED}`);
    },
    SLOW,
  );

  it(
    'exits 0 on CREATE INDEX CONCURRENTLY IF NOT EXISTS, printing its advice, and 1 on an index build that blocks writes',
    async () => {
      const safe = await lint(['cic.sql']);
      expect(safe.code).toBe(0);
      expect(safe.stdout).toContain('cic.sql:1  warning  require-lock-timeout');
      expect(safe.stdout).not.toMatch(/ {2}error {2}/);
      expect(safe.stdout).toContain('2 findings (0 errors, 2 warnings) in 1 file, 1 statement\n');
      const blocking = await lint(['index.sql']);
      expect(blocking.code).toBe(1);
      expect(blocking.stdout).toContain('index.sql:1  error  require-concurrent-index-creation');
    },
    SLOW,
  );

  it(
    'prints one JSON document with --json, the same as --format json',
    async () => {
      const { code, stdout } = await lint(['two', '--json']);
      expect(code).toBe(1);
      const doc = JSON.parse(stdout) as { files: { file: string; statements: number; findings: LintFinding[] }[]; findingCount: number };
      expect(Object.keys(doc).sort()).toEqual(['files', 'findingCount', 'schema']);
      expect((doc as unknown as { schema: unknown }).schema).toEqual({ checked: false });
      expect(doc.files.map((f) => [f.file, f.statements])).toEqual([
        [path.join('two', '001_safe.sql'), 1],
        [path.join('two', '002_drop.sql'), 1],
      ]);
      expect(doc.files[0]!.findings).toEqual([]);
      expect(doc.findingCount).toBe(doc.files[1]!.findings.length);
      expect(doc.files[1]!.findings.map((f) => `${f.source}:${f.rule}`)).toEqual(
        expect.arrayContaining(['expand-contract:breaking-drop-column', 'squawk:ban-drop-column']),
      );
      expect(doc.files[1]!.findings.find((f) => f.rule === 'breaking-drop-column')!.suggestion).toEqual({
        kind: 'drop-column',
        schema: 'public',
        table: 'users',
        column: 'legacy_field',
      });
      const same = await lint(['two', '--format', 'json']);
      expect([same.code, same.stdout]).toEqual([code, stdout]);
    },
    SLOW,
  );

  it(
    'reports SQL that does not parse as an error finding at its line (exit 1), not as a failure to lint',
    async () => {
      const { code, stdout, stderr } = await lint(['broken.sql']);
      expect(stderr).toBe('');
      expect(code).toBe(1);
      expect(stdout.split('\n')[0]).toBe('broken.sql:2  error  syntax-error  syntax error at or near "TABL"');
      expect(stdout).toContain('1 finding (1 error, 0 warnings) in 1 file, 0 statements\n');
    },
    SLOW,
  );

  it(
    "reports every file of a directory: a file that does not parse hides none of the others' findings",
    async () => {
      const { code, stdout } = await lint([path.join('supabase', 'migrations')]);
      expect(code).toBe(1);
      const heads = stdout.split('\n').filter((l) => /^\S+:\d+ {2}/.test(l));
      const file = (name: string) => path.join('supabase', 'migrations', name);
      expect(heads).toEqual(
        expect.arrayContaining([
          `${file('20250101000000_drop.sql')}:2  warning  breaking-drop-column  dropping public.users.legacy_field breaks any running code that still reads or writes it`,
          `${file('20250102000000_broken.sql')}:3  error  syntax-error  syntax error at or near "TABL"`,
          expect.stringMatching(new RegExp(`^${file('20250103000000_rename.sql').replace(/[.\\]/g, '\\$&')}:2 {2}error {2}breaking-rename-column `)),
        ]),
      );
      expect(stdout).toMatch(/ in 3 files, 3 statements\n/);
    },
    SLOW,
  );

  it(
    'annotates the offending lines of the right files for GitHub with --format github',
    async () => {
      const { code, stdout, stderr } = await lint([path.join(dir, 'supabase', 'migrations'), '--format', 'github']);
      expect(stderr).toBe('');
      expect(code).toBe(1);
      const found = annotations(stdout);
      // Paths relative to the working directory (the repository's root in a workflow), even when given absolute.
      expect(found.find((a) => a.title === 'breaking-drop-column (expand-contract)')).toMatchObject({
        kind: 'warning',
        file: 'supabase/migrations/20250101000000_drop.sql',
        line: 2,
        col: 1,
      });
      expect(found.find((a) => a.title === 'syntax-error (expand-contract)')).toMatchObject({
        kind: 'error',
        file: 'supabase/migrations/20250102000000_broken.sql',
        line: 3,
        col: 7,
        message: expect.stringMatching(/^syntax error at or near "TABL"\nhelp: /),
      });
      const rename = found.find((a) => a.title === 'breaking-rename-column (expand-contract)');
      expect(rename).toMatchObject({ kind: 'error', file: 'supabase/migrations/20250103000000_rename.sql', line: 2, col: 1 });
      expect(rename!.message.split('\n')).toEqual([
        'renaming public.leads.user_email to contact_email breaks every running query that still uses user_email',
        expect.stringMatching(/^help: Add contact_email beside user_email/),
        'plan it safely: expand-contract plan rename public.leads.user_email contact_email',
      ]);
      expect(found.find((a) => a.title === 'renaming-column (squawk)')).toMatchObject({
        kind: 'error',
        file: 'supabase/migrations/20250103000000_rename.sql',
        line: 2,
        col: 19,
      });
      // The line of each annotation is the line of the statement in the file.
      for (const a of found.filter((x) => x.file.endsWith('_rename.sql'))) {
        const text = (await readFile(path.join(dir, a.file), 'utf8')).split('\n');
        expect(text[a.line - 1]).toContain('RENAME COLUMN');
      }
      expect(stdout).toMatch(/\n\d+ findings \(\d+ errors, \d+ warnings\) in 3 files, 3 statements\n/);
    },
    SLOW,
  );

  it(
    'writes SARIF 2.1.0 that validates against the OASIS schema and holds each finding where it is',
    async () => {
      const { code, stdout, stderr } = await lint([path.join('supabase', 'migrations'), 'rename.sql', '--format', 'sarif']);
      expect(stderr).toBe('');
      expect(code).toBe(1);
      const log = JSON.parse(stdout) as SarifLog;
      expect(sarifSchemaErrors(log)).toEqual([]);
      const [run] = log.runs;
      const pkg = JSON.parse(await readFile(path.resolve(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
      const squawkPkg = JSON.parse(await readFile(path.resolve(import.meta.dirname, '..', '..', 'node_modules', 'squawk-cli', 'package.json'), 'utf8')) as {
        version: string;
      };
      expect(run!.tool.driver).toMatchObject({ name: 'expand-contract', version: pkg.version });
      expect(run!.tool.extensions[0]).toMatchObject({ name: 'squawk', version: squawkPkg.version });
      const at = (ruleId: string, uri: string) =>
        run!.results.find((r) => r.ruleId === ruleId && r.locations[0]!.physicalLocation.artifactLocation.uri === uri)?.locations[0]!.physicalLocation.region;
      expect(at('breaking-rename-column', 'supabase/migrations/20250103000000_rename.sql')).toEqual({ startLine: 2, startColumn: 1 });
      expect(at('breaking-rename-column', 'rename.sql')).toEqual({ startLine: 1, startColumn: 1 });
      expect(at('syntax-error', 'supabase/migrations/20250102000000_broken.sql')).toEqual({ startLine: 3, startColumn: 7 });
      expect(at('renaming-column', 'rename.sql')).toEqual({ startLine: 1, startColumn: 19 });
      const squawkRename = run!.results.find((r) => r.ruleId === 'renaming-column')!;
      expect(run!.tool.extensions[squawkRename.rule!.toolComponent.index]!.rules[squawkRename.ruleIndex]).toMatchObject({
        id: 'renaming-column',
        helpUri: 'https://squawkhq.com/docs/renaming-column',
      });
      expect(run!.results.find((r) => r.ruleId === 'breaking-rename-column')!.level).toBe('error');
      expect(run!.results.find((r) => r.ruleId === 'breaking-drop-column')!.level).toBe('warning');
    },
    SLOW,
  );

  it(
    'reads SQL from stdin with `-`, under <stdin> or the name --stdin-filename gives',
    async () => {
      const sql = 'SELECT 1;\nALTER TABLE leads RENAME COLUMN user_email TO contact_email;\n';
      const text = await lint(['-'], { stdin: sql });
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('<stdin>:2  error  breaking-rename-column  ');
      const github = await lint(['-', '--stdin-filename', 'supabase/migrations/20250104_rename.sql', '--format', 'github'], { stdin: sql });
      expect(github.code).toBe(1);
      expect(annotations(github.stdout).find((a) => a.title === 'breaking-rename-column (expand-contract)')).toMatchObject({
        file: 'supabase/migrations/20250104_rename.sql',
        line: 2,
      });
      const clean = await lint(['-'], { stdin: "SET lock_timeout = '1s';\n" });
      expect(clean).toMatchObject({ code: 0, stdout: `no findings in 1 file, 1 statement\n${NOT_CHECKED}` });
    },
    SLOW,
  );

  it(
    "passes Squawk's settings through: --pg-version, --assume-in-transaction, --exclude for its rules and ours",
    async () => {
      const [v10, v15, plain, inTransaction, excluded] = await Promise.all([
        lint(['default.sql', '--pg-version', '10']),
        lint(['default.sql', '--pg-version=15']),
        lint(['rename.sql']),
        lint(['rename.sql', '--assume-in-transaction']),
        lint(['rename.sql', '--exclude', 'breaking-rename-column', '--exclude=renaming-column']),
      ]);
      // A DEFAULT rewrites the table before Postgres 11, not after.
      expect(v10.stdout).toContain('default.sql:1  error  adding-field-with-default');
      expect(v15.stdout).not.toContain('adding-field-with-default');
      expect(v15.code).toBe(0);

      expect(plain.stdout).toContain('prefer-robust-stmts  Missing transaction');
      expect(inTransaction.stdout).not.toContain('prefer-robust-stmts');

      expect(excluded.code).toBe(0);
      expect(excluded.stdout).not.toMatch(/breaking-rename-column|renaming-column/);
      expect(excluded.stdout).toContain('rename.sql:1  warning  require-lock-timeout');
    },
    SLOW,
  );

  it(
    'respects a .squawk.toml in the working directory (or a parent), and --no-assume-in-transaction overrides it',
    async () => {
      const project = path.join(dir, 'with-config');
      await mkdir(path.join(project, 'db'), { recursive: true });
      await writeFile(path.join(project, '.squawk.toml'), 'excluded_rules = ["renaming-column"]\nassume_in_transaction = true\n');
      await writeFile(path.join(project, 'db', 'rename.sql'), RENAME_2AM);
      const configured = await lint(['rename.sql'], { cwd: path.join(project, 'db') });
      expect(configured.stdout).not.toContain('renaming-column');
      expect(configured.stdout).not.toContain('prefer-robust-stmts');
      // Ours are not Squawk's to turn off.
      expect(configured.stdout).toContain('rename.sql:1  error  breaking-rename-column');
      const overridden = await lint(['rename.sql', '--no-assume-in-transaction'], { cwd: path.join(project, 'db') });
      expect(overridden.stdout).toContain('prefer-robust-stmts  Missing transaction');
      const elsewhere = await lint(['rename.sql', '--squawk-config', path.join(project, '.squawk.toml')]);
      expect(elsewhere.stdout).not.toContain('renaming-column');
    },
    SLOW,
  );

  it(
    'exits 2 for a missing path, a directory without SQL, and missing arguments, with the usage for the last',
    async () => {
      expect(await lint(['nope.sql'])).toMatchObject({ code: 2, stdout: '', stderr: 'error: nope.sql: no such file or directory\n' });
      await mkdir(path.join(dir, 'empty'), { recursive: true });
      expect(await lint(['empty'])).toMatchObject({ code: 2, stderr: 'error: empty: no .sql files in this directory\n' });
      // A path that is missing fails the run before anything is linted or printed.
      expect(await lint(['rename.sql', 'nope.sql'])).toMatchObject({ code: 2, stdout: '' });
      const none = await lint([]);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/^error: lint needs a file, a directory or - \(stdin\)\nusage: expand-contract lint <file\|dir\|->\.\.\./);
    },
    SLOW,
  );

  it(
    'answers in one JSON shape on stderr, exit 2, when the output is JSON or SARIF',
    async () => {
      const error = (stderr: string) => JSON.parse(stderr) as { error: { code: string; message: string; exitCode: number } };
      const missing = await lint(['nope.sql', '--format', 'sarif']);
      expect(missing).toMatchObject({ code: 2, stdout: '' });
      expect(error(missing.stderr)).toEqual({ error: { code: 'nothing-to-lint', message: 'nope.sql: no such file or directory', exitCode: 2 } });

      const usage = await lint(['rename.sql', '--json', '--format', 'github']);
      expect(usage.code).toBe(2);
      expect(error(usage.stderr)).toEqual({ error: { code: 'usage', message: '--json asks for --format json, not github', exitCode: 2 } });

      const unknownOption = await lint(['rename.sql', '--format=json', '--fast']);
      expect(unknownOption.code).toBe(2);
      expect(error(unknownOption.stderr).error).toMatchObject({ code: 'usage', message: expect.stringContaining('--fast') });

      const badRule = await lint(['rename.sql', '--json', '--exclude', 'no-such-rule']);
      expect(badRule.code).toBe(2);
      expect(error(badRule.stderr)).toEqual({
        error: {
          code: 'squawk-settings',
          message: "squawk refused its settings: invalid value 'no-such-rule' for '--exclude <rule>': invalid rule name no-such-rule",
          exitCode: 2,
        },
      });
    },
    SLOW,
  );

  it(
    'refuses what it cannot mean with exit 2: an unknown format, a version that is none, contradicting flags, a second stdin',
    async () => {
      const refused = [
        ['rename.sql', '--format', 'xml'],
        ['rename.sql', '--pg-version', 'fifteen'],
        ['rename.sql', '--assume-in-transaction', '--no-assume-in-transaction'],
        ['-', '-'],
        ['rename.sql', '--stdin-filename', 'x.sql'],
        ['rename.sql', '--exclude', 'a,,b'],
      ];
      const runs = await Promise.all(refused.map((args) => lint(args, { stdin: '' })));
      runs.forEach(({ code, stderr }, i) => {
        expect({ args: refused[i], code }).toEqual({ args: refused[i], code: 2 });
        expect(stderr).toMatch(/^error: .+\nusage: expand-contract lint /);
      });
    },
    SLOW,
  );

  it(
    'says why it could not lint in the GitHub check too, with --format github',
    async () => {
      const { code, stdout, stderr } = await lint(['nope.sql', '--format', 'github']);
      expect(code).toBe(2);
      expect(stderr).toBe('error: nope.sql: no such file or directory\n');
      expect(stdout).toBe('::error title=expand-contract lint::nope.sql: no such file or directory\n');
    },
    SLOW,
  );

  it(
    'documents the formats, stdin, Squawk settings, .squawk.toml and the exit codes in --help',
    async () => {
      const { code, stdout } = await lint(['--help']);
      expect(code).toBe(0);
      for (const text of [
        '--format github',
        '--format sarif',
        '--json',
        '--stdin-filename',
        '--pg-version',
        '--assume-in-transaction',
        '--no-assume-in-transaction',
        '--exclude',
        '--include',
        '--squawk-config',
        '.squawk.toml',
        'exit codes',
        '0  nothing is an error',
        '1  at least one error finding',
        '2  the command line was not understood, or nothing could be linted',
        '{"error":{"code":"…","message":"…","exitCode":2}}',
      ])
        expect(stdout).toContain(text);
    },
    SLOW,
  );
});
