import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LintFinding } from '../../lib/lint/types';
import { planCommand } from './lint';

// Each run starts Node with tsx and the real squawk binary.
const SLOW = 30_000;

let dir: string;
let wrapper: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ec-lint-cli-'));
  // Until cli/main.ts dispatches `lint`, a two-line entry point runs the command as a real process would.
  wrapper = path.join(dir, 'run-lint.mjs');
  const lintModule = pathToFileURL(path.join(import.meta.dirname, 'lint.ts')).href;
  await writeFile(wrapper, `import { lintCommand } from ${JSON.stringify(lintModule)};\nprocess.exit(await lintCommand(process.argv.slice(2)));\n`);
  await writeFile(path.join(dir, 'rename.sql'), 'ALTER TABLE leads RENAME COLUMN user_email TO contact_email;\n');
  await writeFile(
    path.join(dir, 'safe.sql'),
    "BEGIN;\nSET LOCAL lock_timeout = '1s';\nSET LOCAL statement_timeout = '5s';\nALTER TABLE leads ADD COLUMN IF NOT EXISTS contact_email text;\nCOMMIT;\n",
  );
  await writeFile(path.join(dir, 'broken.sql'), 'SELECT 1;\nALTER TABL leads;\n');
  await writeFile(path.join(dir, 'cic.sql'), 'CREATE INDEX CONCURRENTLY IF NOT EXISTS leads_user_email_idx ON leads (user_email);\n');
  await writeFile(path.join(dir, 'index.sql'), 'CREATE INDEX leads_user_email_idx ON leads (user_email);\n');
  await mkdir(path.join(dir, 'two'));
  await writeFile(path.join(dir, 'two', '002_drop.sql'), 'ALTER TABLE users DROP COLUMN legacy_field;\n');
  await writeFile(path.join(dir, 'two', '001_safe.sql'), 'SELECT 1;\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const NOT_CHECKED = 'tables and columns not checked: no database (set TARGET_DATABASE_URL to check them against its live schema)\n';
// No database here, whatever the shell running the tests points at.
const env = { ...process.env, TARGET_DATABASE_URL: '' };

function lint(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, wrapper, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('expand-contract lint', () => {
  it(
    'exits 1 on the 2am rename and says how to plan it safely',
    async () => {
      const { code, stdout, stderr } = await lint('rename.sql');
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
      const { code, stdout } = await lint('safe.sql');
      expect(code).toBe(0);
      expect(stdout).toBe(`no findings in 1 file, 5 statements\n${NOT_CHECKED}`);
    },
    SLOW,
  );

  it(
    'exits 0 on CREATE INDEX CONCURRENTLY IF NOT EXISTS, printing its advice, and 1 on an index build that blocks writes',
    async () => {
      const safe = await lint('cic.sql');
      expect(safe.code).toBe(0);
      expect(safe.stdout).toContain('cic.sql:1  warning  require-lock-timeout');
      expect(safe.stdout).not.toMatch(/ {2}error {2}/);
      expect(safe.stdout).toContain('2 findings (0 errors, 2 warnings) in 1 file, 1 statement\n');
      const blocking = await lint('index.sql');
      expect(blocking.code).toBe(1);
      expect(blocking.stdout).toContain('index.sql:1  error  require-concurrent-index-creation');
    },
    SLOW,
  );

  it(
    'prints one JSON document with --json',
    async () => {
      const { code, stdout } = await lint('two', '--json');
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
    },
    SLOW,
  );

  it(
    'exits 2 with the file and line for SQL that does not parse',
    async () => {
      const { code, stdout, stderr } = await lint('broken.sql');
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe('error: broken.sql:2: syntax error at or near "TABL"\n');
    },
    SLOW,
  );

  it(
    'exits 2 for a missing path, a directory without SQL, and missing arguments',
    async () => {
      expect(await lint('nope.sql')).toMatchObject({ code: 2, stderr: 'error: nope.sql: no such file or directory\n' });
      await mkdir(path.join(dir, 'empty'), { recursive: true });
      expect(await lint('empty')).toMatchObject({ code: 2, stderr: 'error: empty: no .sql files in this directory\n' });
      const none = await lint();
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/^error: lint needs a file or directory\nusage: expand-contract lint <file\|dir> \[--json\]/);
    },
    SLOW,
  );
});

describe('planCommand', () => {
  it.each<{ name: string; spec: Parameters<typeof planCommand>[0]; expected: string | null }>([
    {
      name: 'rename',
      spec: { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' },
      expected: 'expand-contract plan rename public.leads.user_email contact_email',
    },
    {
      name: 'rename with names that need SQL and shell quoting',
      spec: { kind: 'rename-column', schema: 'Weird "Schema"', table: 'My Table', column: "it's", newName: 'new col' },
      expected: `expand-contract plan rename '"Weird ""Schema"""."My Table"."it'\\''s"' 'new col'`,
    },
    {
      name: 'change type',
      spec: {
        kind: 'change-type',
        schema: 'public',
        table: 'orders',
        column: 'status',
        newColumn: 'status_new',
        newType: 'integer',
        forward: '({{old}})::integer',
        reverse: '({{new}})::text',
      },
      expected:
        "expand-contract plan change-type public.orders.status integer --new-column status_new --forward '({{old}})::integer' --reverse '({{new}})::text'",
    },
    {
      name: 'add column',
      spec: { kind: 'add-column', schema: 'public', table: 'users', column: 'verified', type: 'numeric(10,2)', notNull: true, default: 'false' },
      expected: "expand-contract plan add-column public.users.verified 'numeric(10,2)' --not-null --default false",
    },
    {
      name: 'set not null',
      spec: { kind: 'set-not-null', schema: 'public', table: 'users', column: 'verified' },
      expected: 'expand-contract plan set-not-null public.users.verified',
    },
    {
      name: 'drop column',
      spec: { kind: 'drop-column', schema: 'public', table: 'users', column: 'legacy_field' },
      expected: 'expand-contract plan drop-column public.users.legacy_field',
    },
    { name: 'raw SQL has nothing safer to plan', spec: { kind: 'raw-sql', sql: 'SELECT 1', name: 'x' }, expected: null },
  ])('$name', ({ spec, expected }) => {
    expect(planCommand(spec)).toBe(expected);
  });
});
